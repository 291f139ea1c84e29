"""Get Task Status: the videos an upload task has produced so far."""

from __future__ import annotations

from dataclasses import dataclass

from memories_tui.api.models.common import require_object
from memories_tui.api.wire import (
    first_present,
    read_id,
    read_list,
)

__all__ = [
    "TaskStatus",
    "parse_task_status",
]


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """Get Task Status: no ids yet means the task is still fetching its videos."""

    task_id: str
    video_ids: tuple[str, ...]


def parse_task_status(data: object, *, task_id: str = "") -> TaskStatus:
    """Get Task Status `data`."""
    body = require_object(data, "the task", null_is_empty=True)
    _, raw_id = first_present(body, "taskId", "task_id")
    task_id = read_id(raw_id, "task taskId") or task_id
    ids = []
    raw_ids = first_present(body, "video_ids", "videoIds")[1]
    for item in read_list(raw_ids, f"task {task_id} video_ids"):
        video_no = read_id(item, f"task {task_id} video id")
        if video_no is not None and video_no not in ids:
            ids.append(video_no)
    return TaskStatus(task_id=task_id, video_ids=tuple(ids))
