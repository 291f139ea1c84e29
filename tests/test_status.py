"""The one table of status classes: every spelling the service uses means one thing."""

from __future__ import annotations

import pytest

from memories_tui.api.status import FAILED_SPELLINGS, StatusClass, is_final, status_class
from memories_tui.services.tasks import is_final_status
from memories_tui.tui.widgets.video_table import status_cell


@pytest.mark.parametrize(
    ("spelling", "kind"),
    [
        ("PARSE", StatusClass.READY),
        ("DONE", StatusClass.READY),
        ("UNPARSE", StatusClass.IN_PROGRESS),
        ("FAILED", StatusClass.FAILED),
        ("FAIL", StatusClass.FAILED),
        ("PARSE_ERROR", StatusClass.FAILED),
        ("parse", StatusClass.UNKNOWN),  # the server's enum is upper case: not guessed
        ("INDEXING", StatusClass.UNKNOWN),
        (None, StatusClass.UNKNOWN),
    ],
)
def test_every_spelling_has_one_class(spelling, kind):
    assert status_class(spelling) is kind


def test_an_upload_task_stops_on_every_spelling_of_ready_and_failed():
    """A task whose video the real service calls FAIL used to be polled for ever."""
    for spelling in ("PARSE", "DONE", "FAILED", "FAIL", "PARSE_ERROR"):
        assert is_final(spelling) and is_final_status(spelling), spelling
    for spelling in ("UNPARSE", "INDEXING", None):
        assert not is_final_status(spelling), spelling
    assert set(FAILED_SPELLINGS) == {"FAILED", "FAIL", "PARSE_ERROR"}


def test_the_table_keeps_the_spelling_and_colours_by_class():
    for spelling in FAILED_SPELLINGS:
        cell = status_cell(spelling)
        assert cell.text == spelling and cell.style == "bold red"
    assert status_cell("DONE").style == status_cell("PARSE").style == "green"
    assert status_cell("INDEXING").text == "INDEXING"
