"""`memories-tui tasks show TASK_ID [--wait]`: the videos an upload task produced."""

from __future__ import annotations

import argparse

from memories_tui.commands import SHOW_FORMATS, subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.commands.runtime import Runtime
    from memories_tui.services.tasks import TaskPoller, TaskVideoState

HELP = "follow an upload task"


def register(group: argparse.ArgumentParser) -> None:
    show = subcommand(
        group, "show", "the videos of an upload task and their statuses", show_task,
        description=(
            "The videos an upload task has produced so far and their statuses. With "
            "--wait, checks again every few seconds (one request per unfinished video) "
            "until every video is ready or failed; progress on stderr."
        ),
    )
    show.add_argument("task_id", metavar="TASK_ID", help="the task id the upload returned")
    show.add_argument("--wait", action="store_true",
                      help="check until every video is ready or failed")
    show.add_argument("--interval", type=_seconds, default=None, metavar="SECONDS",
                      help="with --wait, seconds between checks (default 5)")
    show.add_argument("--format", choices=SHOW_FORMATS, default="table")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600")
    return value


async def show_task(rt: Runtime, args: argparse.Namespace) -> int:
    import asyncio

    from memories_tui.services.tasks import (
        REFRESH_SECONDS,
        TaskEvent,
        TaskPoller,
        TaskUnreadable,
    )

    interval = REFRESH_SECONDS if args.interval is None else args.interval
    poller = TaskPoller(rt.library, args.task_id.strip(), rt.unique_id,
                        refresh_seconds=interval)
    unreadable: list[TaskUnreadable] = []

    def report(event: TaskEvent) -> None:
        if isinstance(event, TaskUnreadable):
            unreadable.append(event)

    while True:
        unreadable.clear()
        await poller.check(report)
        if unreadable:
            from memories_tui.api.errors import AuthError

            problem = unreadable[-1]
            # Nothing to follow (an unknown task, a failure at the first read), or a key
            # that will not work on the next check either.
            if problem.first_answer or isinstance(problem.error, AuthError):
                raise problem.error
            rt.say(f"The task could not be read ({problem.error.message}); trying again.")
        if not args.wait or poller.done:
            break
        while (left := poller.seconds_until_next()) is not None and left > 0:
            final = sum(1 for state in poller.videos.values() if state.final)
            rt.progress.show(f"{final:,} of {len(poller.videos):,} videos ready or failed; "
                             f"checking again in {poller.countdown()} s",
                             force=True)
            await asyncio.sleep(min(left, 1.0))
    rt.progress.clear()
    _write(rt, poller, args.format)
    if not poller.videos:
        rt.hint("The task has no videos yet: it is still fetching them.")
    return 0


def _record(state: TaskVideoState) -> dict[str, object]:
    from memories_tui.commands.output import class_name

    details = state.details
    return {
        "video_no": state.video_no,
        "video_name": details.name if details is not None else None,
        "status": state.status,
        "status_class": class_name(state.status),
        "problem": state.problem,
    }


def _write(rt: Runtime, poller: TaskPoller, fmt: str) -> None:
    from memories_tui.commands.output import status_colour, write_json, write_table
    from memories_tui.format import MISSING
    from memories_tui.safetext import safe_cell

    states = list(poller.videos.values())
    if fmt == "json":
        write_json(rt, {
            "task_id": poller.task_id,
            "done": poller.done,
            "video_ids": [state.video_no for state in states],
            "videos": [_record(state) for state in states],
        })
        return
    rows = []
    for state in states:
        status = safe_cell(state.status) if state.status else (state.problem or MISSING)
        name = safe_cell(state.details.name) if state.details is not None else ""
        rows.append([safe_cell(state.video_no), status, name])
    write_table(rt, ("ID", "STATUS", "NAME"), rows, shrink=2,
                colour_of=([None, status_colour(s.status) if s.status else None, None]
                           for s in states))
