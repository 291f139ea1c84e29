"""Video status spellings and what they mean: the one table everything classifies by.

The service spells the same state several ways (see docs: the v1.2 pages, newer pages
and real answers differ): ready is `PARSE` or `DONE`, in progress `UNPARSE`, failed
`FAILED`, `FAIL` or `PARSE_ERROR`. Anything else is unknown: shown as it came, and
neither ready nor failed. Screens colour by class, upload tasks stop polling on a final
class, and the raw spelling always stays visible.
"""

from __future__ import annotations

import enum

__all__ = [
    "FAILED_SPELLINGS",
    "FILTER_CLASSES",
    "SPELLINGS",
    "StatusClass",
    "is_final",
    "spellings_of",
    "status_class",
]


class StatusClass(enum.Enum):
    READY = "ready"
    IN_PROGRESS = "in progress"
    FAILED = "failed"
    UNKNOWN = "unknown"


#: Every spelling seen or documented, and its class.
SPELLINGS: dict[str, StatusClass] = {
    "PARSE": StatusClass.READY,
    "DONE": StatusClass.READY,
    "UNPARSE": StatusClass.IN_PROGRESS,
    "FAILED": StatusClass.FAILED,
    "FAIL": StatusClass.FAILED,
    "PARSE_ERROR": StatusClass.FAILED,
}



def spellings_of(cls: StatusClass) -> tuple[str, ...]:
    """Every spelling of `cls`, in the table's (fixed) order; none for unknown.

    The server matches a `status` filter against its own spelling exactly, so a filter
    for a class asks once per spelling (see services/library.py)."""
    return tuple(s for s, c in SPELLINGS.items() if c is cls)


FAILED_SPELLINGS = spellings_of(StatusClass.FAILED)

#: The classes a status filter offers (unknown has no spelling to ask for).
FILTER_CLASSES = (StatusClass.READY, StatusClass.IN_PROGRESS, StatusClass.FAILED)


def status_class(status: str | None) -> StatusClass:
    """The class of a status as the server spelled it (exactly: the server's enum is
    upper case, and a spelling it does not use is unknown, not guessed)."""
    if status is None:
        return StatusClass.UNKNOWN
    return SPELLINGS.get(status.strip(), StatusClass.UNKNOWN)


def is_final(status: str | None) -> bool:
    """Ready or failed: nothing more will happen to the video by itself."""
    return status_class(status) in (StatusClass.READY, StatusClass.FAILED)
