"""Upload tasks: which videos a task produced and how far each has got, refreshed until done."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from memories_tui.api.errors import MemoriesError, NotFoundError
from memories_tui.safetext import safe_text
from memories_tui.tui.errors import describe_error
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.status_header import StatusHeader
from memories_tui.tui.widgets.task_videos import (
    MAX_RECENT,
    RecentTaskSuggester,
    TaskVideoState,
    TaskVideoTable,
)

HINT = "Paste an upload task id above and press Enter to see the videos it produced."
STILL_DOWNLOADING = "Still downloading — the task has not produced videos yet."


class TasksScreen(Screen):
    """Follow one upload task: its video ids and their statuses, refreshed every few seconds."""

    VIEW_NAME = "Upload tasks"
    CSS_PATH = "tasks.tcss"
    REFRESH_SECONDS = 5  # between the end of one check and the start of the next

    BINDINGS = [
        Binding("slash", "focus_task_id", "Enter a task id", key_display="/",
                id="tasks-focus-input"),
        # Shown while typing, when it is the way out to the other keys (1-4, j/k...).
        Binding("escape", "leave_input", "Leave the field", id="tasks-leave-input"),
        Binding("r", "refresh", "Refresh now", id="tasks-refresh"),
        Binding("enter", "show_video", "Show video", id="tasks-show-video"),
        Binding("h", "focus_recent", "Recent tasks", id="tasks-recent"),
        Binding("y", "copy_id", "Copy video id", show=False, id="tasks-copy-id"),
        Binding("j", "cursor_down", "Row down", show=False, id="tasks-row-down"),
        Binding("k", "cursor_up", "Row up", show=False, id="tasks-row-up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.task_id: str | None = None
        self.unique_id = ""
        self.loaded = False  # the current task answered at least once
        self.done = False
        self.videos: dict[str, TaskVideoState] = {}
        self.recent: list[str] = []
        self.countdown = 0
        self.checking = ""  # what the running check is doing, for the summary line
        self._timer: Timer | None = None
        self._check_worker: Worker | None = None

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        with Horizontal(id="task-bar"):
            yield Label("Task id", id="task-id-label")
            yield Input(
                placeholder="Paste an upload task id, press Enter  (Esc leaves the field)",
                id="task-id",
                suggester=RecentTaskSuggester(self.recent),
            )
        with Horizontal(id="task-body"):
            with Vertical(id="task-main"):
                yield Static("", id="task-summary")
                yield Static(Text(HINT), id="task-message")
                yield TaskVideoTable(id="task-videos")
            with Vertical(id="task-recent-pane"):
                yield Label("Recent tasks", classes="task-section")
                yield OptionList(id="task-recent", markup=False)
                yield Static(Text("none yet", style="dim italic"), id="task-recent-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        header = self.query_one(StatusHeader)
        header.view_name = self.VIEW_NAME
        header.host = self.app.host
        self.unique_id = self.app.unique_id
        header.namespace = self.unique_id
        self.query_one("#task-recent", OptionList).display = False
        self._update_summary()
        self.query_one("#task-id", Input).focus()

    def on_screen_resume(self) -> None:
        # The videos view may have switched namespace: the next task id goes there.
        if self.is_mounted and self.task_id is None and self.app.unique_id != self.unique_id:
            self.unique_id = self.app.unique_id
            self.query_one(StatusHeader).namespace = self.unique_id

    @property
    def table(self) -> TaskVideoTable:
        return self.query_one(TaskVideoTable)

    # -- choosing a task ------------------------------------------------------------------

    @on(Input.Submitted, "#task-id")
    def _task_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        task_id = event.value.strip()
        if not task_id:
            self.notify("Enter a task id first.", timeout=3)
            return
        self.open_task(task_id)

    @on(OptionList.OptionSelected, "#task-recent")
    def _recent_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        task_id = event.option.id
        if task_id:
            self.query_one("#task-id", Input).value = task_id
            self.open_task(task_id)

    def open_task(self, task_id: str) -> None:
        """Show `task_id` from scratch and start following it."""
        self._stop_timer()
        self.task_id = task_id
        self.unique_id = self.app.unique_id
        self.query_one(StatusHeader).namespace = self.unique_id
        self.loaded = False
        self.done = False
        self.videos = {}
        self.table.reset()
        self.table.focus()
        self._show_message(f"Looking up task {safe_text(task_id, max_len=80)}…")
        self.check_task(task_id)

    # -- checking ---------------------------------------------------------------------

    @work(exclusive=True, group="task-check", exit_on_error=False)
    async def check_task(self, task_id: str) -> None:
        """Read the task's ids, then the status of every video not yet finished, one at a time."""
        worker = get_current_worker()
        self._check_worker = worker
        try:
            await self._check(task_id, worker)
        finally:
            # A newer check may already own the progress line; only the latest clears it.
            if self._check_worker is worker:
                self._check_worker = None
                if self.checking:
                    self.checking = ""
                    self._update_summary()

    async def _check(self, task_id: str, worker: Worker) -> None:
        library = self.app.library
        unique_id = self.unique_id
        self.checking = "checking the task…"
        self._update_summary()
        try:
            status = await library.task_status(task_id, unique_id)
        except asyncio.CancelledError:
            raise
        except MemoriesError as exc:
            if worker.is_cancelled or task_id != self.task_id:
                return
            self.checking = ""
            self._task_failed(task_id, exc)
            return
        if worker.is_cancelled or task_id != self.task_id:
            return
        first_answer = not self.loaded
        self.loaded = True
        if first_answer:
            self._remember(task_id)
        for video_no in status.video_ids:
            if video_no not in self.videos:
                self.videos[video_no] = TaskVideoState(video_no)
                self.table.show_state(self.videos[video_no])
        if not self.videos:
            self._show_message(STILL_DOWNLOADING)
        else:
            self._show_message("")
        pending = [state for state in self.videos.values() if not state.final]
        for n, state in enumerate(pending, start=1):
            self.checking = f"checking video {n:,} of {len(pending):,}…"
            self._update_summary()
            try:
                if state.video_no.startswith("PI-"):
                    # Tasks that index public videos report PI- ids (see the API reference).
                    state.details = await library.refresh_public(state.video_no)
                else:
                    state.details = await library.video_status(state.video_no, unique_id)
                state.problem = None
            except asyncio.CancelledError:
                raise
            except NotFoundError:
                state.problem = "not listed yet"
            except MemoriesError as exc:
                state.problem = f"unknown ({type(exc).__name__})"
            if worker.is_cancelled or task_id != self.task_id:
                return
            self.table.show_state(state)
        self.checking = ""
        self.done = bool(self.videos) and all(state.final for state in self.videos.values())
        if self.done:
            self._stop_timer()
        else:
            self._restart_countdown()
        self._update_summary()

    def _task_failed(self, task_id: str, exc: MemoriesError) -> None:
        shown = safe_text(task_id, max_len=80)
        if isinstance(exc, NotFoundError):
            message = (f"No upload task “{shown}” in namespace “{safe_text(self.unique_id)}”. "
                       "Check the id: a task belongs to the namespace it was uploaded to.")
        else:
            message = describe_error(exc, f"look up task {shown}")
        if self.loaded:
            # A hiccup while following a task: keep what is shown and try again later.
            self.notify(message, title="Upload task", severity="error", markup=False, timeout=8)
            self._restart_countdown()
        else:
            self._stop_timer()
            retry = "" if isinstance(exc, NotFoundError) else "\nPress r to retry."
            self._show_message(message + retry, error=True)
            self.notify(message, title="Upload task", severity="error", markup=False, timeout=8)
        self._update_summary()

    # -- the countdown ------------------------------------------------------------------

    def _restart_countdown(self) -> None:
        self.countdown = self.REFRESH_SECONDS
        if self._timer is None:
            self._timer = self.set_interval(1.0, self._tick, name="task-countdown")
        else:
            self._timer.reset()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.countdown = 0

    def _tick(self) -> None:
        # No polling while another view is shown: it would spend the shared rate budget.
        if self.checking or self.task_id is None or not self.is_current:
            return
        self.countdown -= 1
        if self.countdown <= 0:
            self.countdown = 0
            self.check_task(self.task_id)
        self._update_summary()

    # -- showing ------------------------------------------------------------------------

    def _update_summary(self) -> None:
        """Line 1: which task. Line 2: how many videos in which state, and what happens next."""
        summary = self.query_one("#task-summary", Static)
        if self.task_id is None:
            summary.update(Text("No task yet.", style="dim"))
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Task ", style="dim")
        text.append(safe_text(self.task_id, max_len=100), style="bold")
        text.append("\n")
        if self.loaded:
            count = len(self.videos)
            text.append(f"{count:,} {'video' if count == 1 else 'videos'}")
            tally: dict[str, int] = {}
            for state in self.videos.values():
                key = state.status or ("unreadable" if state.problem else "checking")
                tally[key] = tally.get(key, 0) + 1
            for key in ("PARSE", "UNPARSE", "FAILED"):
                if key in tally:
                    text.append(f" · {tally.pop(key):,} {key}")
            for key, number in sorted(tally.items()):
                text.append(f" · {number:,} {safe_text(key, max_len=12)}")
        if self.checking:
            text.append(f"   ⟳ {self.checking}", style="italic yellow")
        elif self.done:
            text.append("   ✓ all done", style="bold green")
        elif self._timer is not None and self.countdown > 0:
            text.append(f"   refreshing in {self.countdown} s", style="cyan")
        summary.update(text)

    def _show_message(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#task-message", Static)
        widget.update(Text(message))
        widget.set_class(error, "error")
        widget.display = bool(message)

    def _remember(self, task_id: str) -> None:
        if task_id in self.recent:
            self.recent.remove(task_id)
        self.recent.insert(0, task_id)
        del self.recent[MAX_RECENT:]
        options = self.query_one("#task-recent", OptionList)
        options.clear_options()
        options.add_options(
            Option(Text(safe_text(task_id, max_len=24)), id=task_id) for task_id in self.recent
        )
        options.display = True
        self.query_one("#task-recent-empty").display = False

    # -- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.task_id is None:
            self.notify("Enter a task id first.", timeout=3)
            self.action_focus_task_id()
            return
        if not self.loaded:
            self.open_task(self.task_id)
            return
        if self.checking:
            # One check at a time: each read spends the shared rate budget.
            self.notify("Already checking; the results are on their way.", timeout=2)
            return
        self.countdown = 0
        self.check_task(self.task_id)

    def action_focus_task_id(self) -> None:
        self.query_one("#task-id", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_input":
            return isinstance(self.focused, (Input, OptionList))
        return True

    def action_leave_input(self) -> None:
        if isinstance(self.focused, (Input, OptionList)):
            self.table.focus()

    def action_focus_recent(self) -> None:
        options = self.query_one("#task-recent", OptionList)
        if not self.recent:
            self.notify("No recent tasks yet in this session.", timeout=3)
            return
        options.focus()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    @on(DataTable.RowSelected, "#task-videos")
    async def _row_selected(self) -> None:
        await self.action_show_video()

    async def action_show_video(self) -> None:
        video_no = self.table.highlighted
        if video_no is None:
            return
        await self.app.show_video_in_library(video_no, self.unique_id)

    def action_copy_id(self) -> None:
        video_no = self.table.highlighted
        if video_no is None:
            return
        self.app.copy_to_clipboard(video_no)
        self.notify(f"Copied {safe_text(video_no)} to the clipboard.", timeout=3, markup=False)
