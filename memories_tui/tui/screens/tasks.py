"""Upload tasks: which videos a task produced and how far each has got, refreshed until done."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from memories_tui.safetext import safe_text
from memories_tui.services.tasks import (
    REFRESH_SECONDS,
    Checking,
    TaskEvent,
    TaskPoller,
    TaskRead,
    TaskUnreadable,
    VideoRead,
)
from memories_tui.tui.errors import describe_error
from memories_tui.tui.screens.base import ViewScreen
from memories_tui.tui.widgets.key_bar import KeyBar
from memories_tui.tui.widgets.status_header import StatusHeader
from memories_tui.tui.widgets.task_videos import (
    MAX_RECENT,
    RecentTaskSuggester,
    TaskVideoTable,
)

HINT = "Press / and paste an upload task id, then Enter, to see the videos it produced."
STILL_DOWNLOADING = "Still downloading — the task has not produced videos yet."


class TasksScreen(ViewScreen):
    """Follow one upload task: its video ids and their statuses, refreshed every few seconds.

    What to read and when is the `TaskPoller`'s (services/tasks.py); this screen draws
    its events and calls it when a check is due, only while the screen is shown.
    """

    VIEW_NAME = "Upload tasks"
    MESSAGE_ID = "task-message"
    CSS_PATH = "tasks.tcss"
    REFRESH_SECONDS = REFRESH_SECONDS  # the poller's interval (tests lengthen it)

    BINDINGS: ClassVar[list[BindingType]] = [
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

    @staticmethod
    def monotonic() -> float:
        """The poller's clock (tests put in one they move by hand)."""
        return time.monotonic()

    def __init__(self) -> None:
        super().__init__()
        self.poller: TaskPoller | None = None  # the task shown, or None before the first
        self.unique_id = ""  # where the next task id is looked up
        self.recent: list[str] = []
        self._progress = ""  # what the running check is doing, for the summary line
        self._timer: Timer | None = None

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
        self.unique_id = self.app.unique_id
        self.query_one("#task-recent", OptionList).display = False
        self._update_summary()
        # Focus starts on the list, like every view, so 1-4 switch views at once; /
        # goes to the id field (and esc leaves it), as / goes to the library's filter.
        self.table.focus()

    def on_screen_resume(self) -> None:
        # The videos view may have switched namespace: the next task id goes there.
        if self.is_mounted and self.poller is None and self.app.unique_id != self.unique_id:
            self.unique_id = self.app.unique_id
        if self._timer is not None:
            self._tick()  # back on screen: a check that fell due meanwhile starts now

    @property
    def task_id(self) -> str | None:
        return self.poller.task_id if self.poller is not None else None

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
        self.unique_id = self.app.unique_id
        # The task belongs to this namespace, whatever the videos view switches to.
        self.query_one(StatusHeader).pin_namespace(self.unique_id)
        self.poller = TaskPoller(self.app.library, task_id, self.unique_id,
                                 refresh_seconds=self.REFRESH_SECONDS, clock=self.monotonic)
        self.table.reset()
        self.table.focus()
        self.show_message(f"Looking up task {safe_text(task_id, max_len=80)}…")
        self._start_check(self.poller)

    # -- checking ---------------------------------------------------------------------

    def _start_check(self, poller: TaskPoller) -> None:
        self._progress = ""
        self._check_task(poller)

    @work(exclusive=True, group="task-check", exit_on_error=False)
    async def _check_task(self, poller: TaskPoller) -> None:
        """One check of `poller`'s task; a newer task's check cancels this one."""
        # Cancellation is not caught: it ends the worker as cancelled, as it should.
        await poller.check(lambda event: self._show_event(poller, event))
        if poller is self.poller:
            self._check_ended()

    def _show_event(self, poller: TaskPoller, event: TaskEvent) -> None:
        if poller is not self.poller:
            return  # a task no longer shown
        if isinstance(event, Checking):
            if event.video_no is None:
                self._progress = "checking the task…"
            else:
                self._progress = f"checking video {event.number:,} of {event.total:,}…"
            self._update_summary()
        elif isinstance(event, TaskRead):
            if event.first_answer:
                self._remember(poller.task_id)
            for state in event.added:
                self.table.show_state(state)
            self.show_message("" if event.videos else STILL_DOWNLOADING)
        elif isinstance(event, VideoRead):
            self.table.show_state(event.state)
        elif isinstance(event, TaskUnreadable):
            self._task_unreadable(poller, event)

    def _task_unreadable(self, poller: TaskPoller, event: TaskUnreadable) -> None:
        shown = safe_text(poller.task_id, max_len=80)
        if event.not_found:
            message = (f"No upload task “{shown}” in namespace “{safe_text(poller.unique_id)}”. "
                       "Check the id: a task belongs to the namespace it was uploaded to.")
        else:
            message = describe_error(event.error, f"look up task {shown}")
        if event.first_answer:
            retry = "" if event.not_found else "\nPress r to retry."
            self.show_message(message + retry, error=True)
        # While following, what is shown stays: the poller tries again at the next check.
        self.notify(message, title="Upload task", severity="error", markup=False, timeout=8)

    def _check_ended(self) -> None:
        self._progress = ""
        self._stop_timer()
        if self.poller is not None and not self.poller.finished:
            # Started afresh, so its ticks fall on the countdown's whole seconds.
            # On a slow link (low-bandwidth mode) the countdown moves every 2 s.
            step = 2.0 if self.app.settings.low_bandwidth else 1.0
            self._timer = self.set_interval(step, self._tick, name="task-countdown")
        self._update_summary()

    # -- the countdown ------------------------------------------------------------------

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        poller = self.poller
        # No polling while another view is shown: it would spend the shared rate budget.
        if poller is None or poller.checking or not self.is_current:
            return
        if poller.due():
            self._start_check(poller)
        self._update_summary()

    # -- showing ------------------------------------------------------------------------

    def _update_summary(self) -> None:
        """Line 1: which task. Line 2: how many videos in which state, and what happens next."""
        summary = self.query_one("#task-summary", Static)
        poller = self.poller
        if poller is None:
            summary.update(Text("No task yet.", style="dim"))
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Task ", style="dim")
        text.append(safe_text(poller.task_id, max_len=100), style="bold")
        text.append("\n")
        if poller.loaded:
            count = len(poller.videos)
            text.append(f"{count:,} {'video' if count == 1 else 'videos'}")
            tally: dict[str, int] = {}
            for state in poller.videos.values():
                key = state.status or ("unreadable" if state.problem else "checking")
                tally[key] = tally.get(key, 0) + 1
            for key in ("PARSE", "UNPARSE", "FAILED"):
                if key in tally:
                    text.append(f" · {tally.pop(key):,} {key}")
            for key, number in sorted(tally.items()):
                text.append(f" · {number:,} {safe_text(key, max_len=12)}")
        countdown = poller.countdown()
        if poller.checking and self._progress:
            text.append(f"   ⟳ {self._progress}", style="italic yellow")
        elif poller.done:
            text.append("   ✓ all done", style="bold green")
        elif self._timer is not None and countdown:
            text.append(f"   refreshing in {countdown} s", style="cyan")
        summary.update(text)

    def worker_failed(self, worker: Worker[Any]) -> None:
        # Not retried by the countdown: the same bug would only repeat. r tries again.
        self._progress = ""
        self._stop_timer()
        self._update_summary()
        self.show_message("The task could not be checked (an unexpected error). "
                          "Press r to try again.", error=True)

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
        poller = self.poller
        if poller is None:
            self.notify("Enter a task id first.", timeout=3)
            self.action_focus_task_id()
            return
        if not poller.loaded:
            self.open_task(poller.task_id)
            return
        if poller.checking:
            # One check at a time: each read spends the shared rate budget.
            self.notify("Already checking; the results are on their way.", timeout=2)
            return
        self._start_check(poller)

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
        if options.highlighted is None:
            options.highlighted = 0  # so that h, enter opens the latest task
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
        self.copy_text(video_no)
