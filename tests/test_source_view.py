"""lab.show_source(): the code as it is in the package, with where it comes from."""

from __future__ import annotations

import inspect

import pytest

from workshop_site import lab
from workshop_site.lab.source_view import SourceView, show_source


def _example(rows: int) -> int:
    """A docstring that must be shown too."""
    return rows + 1 if rows < 10 else rows


class _Example:
    limit = 20


def test_shows_the_exact_source_and_its_file_and_line():
    view = show_source(_example)
    (listing,) = view.listings
    assert listing.code == inspect.getsource(_example).rstrip()
    line = inspect.getsourcelines(_example)[1]
    assert listing.where == f"test_source_view.py:{line}"
    assert listing.name == "_example"


def test_package_files_are_named_from_the_package_root():
    (listing,) = show_source(SourceView).listings
    assert listing.where.startswith("lab/source_view.py:")


def test_several_objects_keep_their_order_in_text_and_html():
    view = show_source(_example, _Example)
    assert [item.name for item in view.listings] == ["_example", "_Example"]
    text = repr(view)
    assert text.index("def _example") < text.index("class _Example")
    html = view._repr_html_()
    assert html.index("_example") < html.index("_Example")
    assert "test_source_view.py" in html


def test_html_escapes_the_code():
    html = show_source(_example)._repr_html_()
    assert "rows < 10" not in html
    assert "&lt;" in html
    assert "A docstring that must be shown too." in html


def test_needs_at_least_one_object_and_a_source_file():
    with pytest.raises(TypeError, match="at least one function"):
        show_source()
    with pytest.raises(TypeError, match="defined in a file"):
        show_source(len)


def test_is_exported_by_lab():
    assert lab.show_source is show_source
    assert "show_source" in lab.__all__


def test_a_decorated_function_is_shown_where_it_is_written():
    import functools

    from workshop_site.lab.source_view import show_source

    def logged(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            return function(*args, **kwargs)

        return wrapper

    @logged
    def checkout():
        return "paid"

    view = show_source(checkout)
    assert "test_source_view.py" in repr(view)
    assert 'return "paid"' in repr(view)
