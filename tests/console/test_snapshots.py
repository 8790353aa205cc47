"""Snapshots of the main screen and each detail view: 80x24 and 160x48, both languages."""

from __future__ import annotations

import pytest

VIEWS = {
    "main": [],
    "incident": ["enter"],
    "agency": ["1", "enter"],
    "meeting": ["3", "down", "enter"],
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_snapshot(snap_compare, make_app, lang, size, view):
    assert snap_compare(make_app(lang=lang), press=VIEWS[view], terminal_size=size)
