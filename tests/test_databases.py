from pathlib import Path

import pytest

from workshop_site.lab.databases import postgres_name, schema_key


def test_postgres_names_are_valid_and_distinct():
    final = Path("/x/templates/shop-abc123-size1000-seed42.sqlite3")
    building = final.with_name(f"{final.name}.4242.building")
    assert postgres_name(final) == "ws_shop_abc123_size1000_seed42"
    assert postgres_name(building) != postgres_name(final)
    long = Path("/x/" + "very-long-name-" * 10 + ".sqlite3")
    assert len(postgres_name(long)) <= 63
    assert postgres_name(long) != postgres_name(Path("/x/" + "very-long-name-" * 9 + ".sqlite3"))


def test_schema_key_is_stable():
    assert schema_key() == schema_key()
    assert len(schema_key()) == 12


def test_schema_key_covers_every_installed_apps_migrations(monkeypatch, tmp_path):
    from django.apps import apps

    before = schema_key()
    app = apps.get_app_config("shop")
    fake = tmp_path / "migrations"
    fake.mkdir()
    (fake / "0001_initial.py").write_text("# another app's migration\n")
    monkeypatch.setattr(app, "path", str(tmp_path))
    assert schema_key() != before


@pytest.mark.django_db
def test_two_kernels_publishing_the_same_template_keep_one():
    """Two first builds of one template at once: the second to finish keeps the first's
    (on SQLite a rename replaces atomically; on PostgreSQL the rename fails, and is undone)."""
    from django.db import connection

    from workshop_site.lab.databases import _publish, database_exists, postgres_name

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run `make test-postgres`")
    final = Path("/x/templates/shop-race-size1-seed1.sqlite3")
    building = final.with_name(f"building-someone-abcdef-1-{final.name}")
    with connection._nodb_cursor() as cursor:
        for path in (final, building):
            cursor.execute(f'DROP DATABASE IF EXISTS "{postgres_name(path)}"')
            cursor.execute(f'CREATE DATABASE "{postgres_name(path)}"')
    try:
        _publish(building, final, using="default")
        assert database_exists(final)
        assert not database_exists(building)
    finally:
        with connection._nodb_cursor() as cursor:
            for path in (final, building):
                cursor.execute(f'DROP DATABASE IF EXISTS "{postgres_name(path)}"')
