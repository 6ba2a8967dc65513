from __future__ import annotations

import pytest

from workshop_site.seed import seed


@pytest.fixture
def seeded(db):
    """The test database, seeded small (50 customers): fast, with every relation present."""
    return seed(size=50, seed=7)
