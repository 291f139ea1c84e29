"""The Textual application: owns the client and services, the modes and global keys.

Behaviour lives in the screens, widgets and services; this class only wires them, and
is the one place an unexpected worker failure is shown and logged.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from memories_tui import startup_gc
from memories_tui.config import Settings
from memories_tui.format import system_clock
from memories_tui.safetext import safe_multiline, safe_text
from memories_tui.services.client import open_client
from memories_tui.services.deletes import DeleteService
from memories_tui.services.downloads import (
    PROGRESS_INTERVAL,
    SLOW_LINK_PROGRESS_INTERVAL,
    DownloadManager,
)
from memories_tui.services.library import LibraryService, first_query
from memories_tui.services.ui_state import UiStateStore
from memories_tui.tui.browser import InBrowser
from memories_tui.tui.clipboard import prepare_copy, tmux_note

log = logging.getLogger("memories_tui.tui")


class MemoriesApp(App[None], InBrowser):
    """memories-tui: browse and curate a Memories.ai video library."""

    TITLE = "memories-tui"
    # The library's CSS is read with the app's: read when its screen is first shown,
    # it would make Textual parse and apply every style sheet again during start-up.
    CSS_PATH = ["app.tcss", "screens/library.tcss"]
    # Start in the videos view rather than switching to it from an empty screen.
    DEFAULT_MODE = "videos"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit-now"),
        Binding("1", "switch_view('videos')", "Videos", show=False, id="view-videos"),
        Binding("2", "switch_view('sessions')", "Chat sessions", show=False, id="view-sessions"),
        Binding("3", "switch_view('images')", "Images", show=False, id="view-images"),
        Binding("4", "switch_view('tasks')", "Upload tasks", show=False, id="view-tasks"),
        Binding("5", "switch_view('duplicates')", "Duplicates", show=False,
                id="view-duplicates"),
        Binding("I", "index_full_pass", "Index the whole library now", show=False,
                id="index-full-pass"),
        Binding("l", "public_lookup", "Public video lookup", show=False, id="public-lookup"),
    ]

    # Each view is imported when first shown, so start-up pays only for the library.
    MODES = {
        "videos": lambda: _screen("library", "LibraryScreen"),
        "sessions": lambda: _screen("sessions", "SessionsScreen"),
        "images": lambda: _screen("images", "ImagesScreen"),
        "tasks": lambda: _screen("tasks", "TasksScreen"),
        "duplicates": lambda: _screen("duplicates", "DuplicatesScreen"),
    }

    # repaint=False on these three: an app-level reactive otherwise repaints the whole
    # screen when it changes (~40 KB of terminal output at 120x40, at every rate-limit
    # wait); the widgets that show them watch them and repaint themselves.
    rate_waiting: reactive[bool] = reactive(False, repaint=False)
    """True while a request waits on the client's rate limiter or a back-off."""

    wait_reason: reactive[str] = reactive("", repaint=False)
    """Why, while `rate_waiting`: the client's WAIT_RATE_LIMIT or WAIT_RETRY."""

    unique_id: reactive[str] = reactive("default", repaint=False)
    """The namespace the views show; the videos view switches it, the others follow."""

    index_line: reactive[str] = reactive("", repaint=False)
    """What the header says about the local index (progress, age, trouble): tui/index.py."""

    index_version: reactive[int] = reactive(0, repaint=False)
    """Goes up when what the local index answers may have changed (tui/index.py)."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = system_clock,
        warnings: Iterable[str] = (),
        library: LibraryService | None = None,
        remembered: UiStateStore | None = None,
        index_in_memory: bool = False,
    ) -> None:
        """`library` (and its client) may exist already: see memories_tui.startup.
        Otherwise they are made here. The app closes them when it ends.
        `index_in_memory`: keep the local index in memory (the demo's server ends with
        the app: a file would only collect the indexes of servers that are gone)."""
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.unique_id = settings.unique_id
        self._startup_warnings = list(warnings)
        #: Whether the app has the mouse (see `toggle_mouse`; --no-mouse starts without).
        self.mouse_to_app = settings.mouse
        #: What the app remembers between runs (theme, page size, namespace, sort, the
        #: detail pane); a store without a file when remembering is off or not wanted.
        self.remembered = remembered if remembered is not None else UiStateStore(None)
        self._told_about_tmux = False  # said once a session, at the first copy
        if library is None:
            library = LibraryService(open_client(settings))
        self.library = library
        self.client = library.client
        self.client.on_rate_wait = self._on_rate_wait
        self.deletes = DeleteService(library, read_only=settings.read_only)
        if settings.low_bandwidth:
            # Every animation frame is terminal traffic; on a slow link none is worth it.
            self.animation_level = "none"
        self.downloads = DownloadManager(
            self.client, concurrency=settings.concurrent_downloads,
            progress_interval=(SLOW_LINK_PROGRESS_INTERVAL if settings.low_bandwidth
                               else PROGRESS_INTERVAL),
        )
        from memories_tui.tui.index import AppIndex

        #: The local index of the namespace on screen and its sync (opened after the
        #: first frame: see `on_mount`).
        self.index = AppIndex(self, in_memory=index_in_memory)
        #: True once the user asked to quit while a delete ran (it is finishing).
        self.quitting = False
        #: What the terminal is told after the app has gone (a delete cut short).
        self.exit_summary: str | None = None
        if settings.theme:
            self.theme = settings.theme

    # -- life cycle -------------------------------------------------------------

    def on_load(self) -> None:
        # Ask for the first page of videos now: the answer comes while the screen is
        # being built, and the library screen then shows it in its very first frame.
        # (The screen builds the same query; its request joins this one. Started
        # from the command line, the request is on its way already.)
        if self.settings.api_key:
            self.library.begin_fetch(first_query(self.settings))

    def on_mount(self) -> None:
        if self.settings.keys:
            # The config file's [keys] table: binding id -> keys (help shows the ids).
            self.set_keymap(dict(self.settings.keys))
        for warning in self._startup_warnings:
            self.notify(warning, severity="warning", timeout=10, markup=False)
        # Remembered for the next run (when remembering is on): the palette's theme
        # and the namespace the library switched to.
        self.watch(self, "theme", lambda theme: self.remembered.update(theme=theme),
                   init=False)
        self.watch(self, "unique_id",
                   lambda unique_id: self.remembered.update(unique_id=unique_id), init=False)
        # The local index follows the namespace on screen; it is opened once the first
        # frame is up (its file, its sync), so that it never delays the first rows.
        self.watch(self, "unique_id", self.index.open, init=False)
        self.call_after_refresh(self.index.start)
        # Paused by the command line for the start-up (see startup_gc).
        self.call_after_refresh(startup_gc.resume)
        # No key: the client sends nothing, and a first-run dialog says where to get
        # one and takes it (checked with the server, then saved).
        self._install_signal_handlers()
        if not self.settings.api_key:
            self.call_after_refresh(self.ask_for_key)

    def _install_signal_handlers(self) -> None:
        # A dropped SSH session sends SIGHUP: exit cleanly so the terminal is restored
        # and running downloads remove their partial files.
        import asyncio

        try:
            loop = asyncio.get_running_loop()
            # SIGINT too: Ctrl+C reaches us as a key in the terminal, but `kill -INT`
            # must not leave partial downloads behind either.
            for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self._exit_on_signal)
        except (NotImplementedError, RuntimeError, ValueError, AttributeError):
            pass

        self._pass_sigcont_only_after_sigtstp()

    def _pass_sigcont_only_after_sigtstp(self) -> None:
        """Let Textual resume the terminal on SIGCONT only after a SIGTSTP (Ctrl+Z).

        Textual resumes on every SIGCONT. A terminal that goes away (a closed window,
        a dropped SSH session) sends SIGHUP and then SIGCONT: resuming then starts a
        second output thread while the app shuts down, and the process can hang for
        good, writing to a queue nothing reads.

        After a real resume the whole screen is painted again: the terminal showed the
        shell meanwhile, and Textual would otherwise repaint only what changes next.
        """
        if not hasattr(signal, "SIGTSTP"):
            return  # no job control on this platform
        on_stop = signal.getsignal(signal.SIGTSTP)
        on_continue = signal.getsignal(signal.SIGCONT)
        if not callable(on_stop) or not callable(on_continue):
            return  # not Textual's terminal driver (headless, or another platform)
        stopped = False

        def stop(signum, frame) -> None:
            nonlocal stopped
            stopped = True
            on_stop(signum, frame)

        def resume(signum, frame) -> None:
            nonlocal stopped
            if stopped:
                stopped = False
                on_continue(signum, frame)
                self.call_after_refresh(self.refresh, repaint=True, layout=True)

        signal.signal(signal.SIGTSTP, stop)
        signal.signal(signal.SIGCONT, resume)

    def _exit_on_signal(self) -> None:
        self.quit_now()

    async def on_unmount(self) -> None:
        # The sync stops first (its state saved: the pass resumes next time), while the
        # client it uses is still open.
        await self.index.aclose()
        await self.downloads.aclose()  # every partial file is removed before we go
        await self.library.close()
        await self.client.aclose()

    # -- unexpected failures ----------------------------------------------------

    def ask_for_key(self) -> None:
        from memories_tui.tui.modals.first_run import FirstRunModal

        def done(key: str | None) -> None:
            if not key:
                return
            self.client.use_api_key(key)
            self.settings = replace(self.settings, api_key=key)
            self.index.start()
            refresh = getattr(self.screen, "action_refresh", None)
            if refresh is not None:
                refresh()

        self.push_screen(FirstRunModal(), done)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A blinking cursor repaints twice a second for as long as a field has focus:
        # on a slow link that is steady traffic for nothing.
        if self.settings.low_bandwidth and isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app's own workers; each view reports its own (see ViewScreen).
        if event.state is WorkerState.ERROR:
            self.report_worker_failure(event.worker)

    def report_worker_failure(self, worker: Worker[Any]) -> None:
        """Show and log a worker's unexpected error: the one place this is done.

        Expected failures (the server, the network, the disk) are handled where they
        happen and never get here; this is for bugs, so the user sees that something
        went wrong instead of a screen that waits for ever, and the log has the trace.
        """
        from memories_tui.api.errors import redact
        from memories_tui.logs import log_path

        error = worker.error
        doing = (worker.name or worker.group or "a background task").replace("_", " ")
        log.error("Worker %r (group %r) failed.", worker.name, worker.group, exc_info=error)
        where = log_path()
        # An exception's text may quote anything, a key included: masked here too.
        said = redact(f"{type(error).__name__}: {error}")
        self.notify(
            f"Something went wrong while running {doing}: {said}. "
            + (f"The details are in {where}." if where else "Run with --debug for details."),
            title="Unexpected error",
            severity="error",
            timeout=20,
            markup=False,
        )

    # -- state shared by every view --------------------------------------------

    @property
    def host(self) -> str:
        return self.client.host

    def _on_rate_wait(self, waiting: bool) -> None:
        self.wait_reason = (self.client.wait_reason or "") if waiting else ""
        self.rate_waiting = waiting

    # -- actions ----------------------------------------------------------------

    def action_switch_view(self, mode: str) -> None:
        if mode in self.MODES and self.current_mode != mode:
            self.switch_mode(mode)

    def action_index_full_pass(self) -> None:
        """Read the whole library into the local index now (the sync's background turn:
        the user's own requests still go first)."""
        index = self.index
        if not index.enabled:
            self.notify("The local index is off (index = false in the config file, or "
                        "MEMORIES_INDEX=false).", title="Local index", timeout=6)
            return
        if not index.started:
            self.notify("The local index opens once there is a key to read the library "
                        "with.", title="Local index", timeout=6)
            return
        progress = index.progress
        if progress is not None and progress.phase in ("indexing", "rechecking", "verifying"):
            self.notify(f"A full pass is already running: {index.status_words()}.",
                        title="Local index", timeout=5, markup=False)
            return
        index.request_full_pass()
        total = (progress.expected or progress.indexed) if progress is not None else 0
        note = ""
        if total:
            import math

            requests = math.ceil(total / 1000)
            rate = self.settings.rate_limit
            seconds = requests / rate if rate else 0
            about = f", about {requests:,} request{'s' if requests != 1 else ''}"
            if seconds >= 60:
                about += f" (~{round(seconds / 60):,} min at the rate limit)"
            note = about
        self.notify(f"Reading the whole library into the local index{note}. Your own "
                    "requests go first; the header shows how far it is.",
                    title="Local index", timeout=6)

    def action_public_lookup(self, video_no: str | None = None) -> None:
        """Ask for a `PI-` id (unless given) and show that public video."""
        from memories_tui.tui.modals.prompt import PromptModal
        from memories_tui.tui.screens.public import PublicVideoScreen, validate_public_id

        if video_no:
            self.push_screen(PublicVideoScreen(video_no))
            return

        def chosen(answer: str | None) -> None:
            if answer:
                self.push_screen(PublicVideoScreen(answer))

        self.push_screen(
            PromptModal(
                "Look up a public video",
                placeholder="PI-603068775285264430",
                validate=validate_public_id,
            ),
            chosen,
        )

    async def show_video_in_library(self, video_no: str, unique_id: str | None = None) -> None:
        """Jump to one private video in the library view (from a session ref or task)."""
        if video_no.startswith("PI-"):
            self.action_public_lookup(video_no)
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if self.current_mode != "videos":
            await self.switch_mode("videos")
        from memories_tui.tui.screens.library import LibraryScreen

        screen = self.screen
        if isinstance(screen, LibraryScreen):
            screen.show_video(video_no, unique_id)

    def action_help(self) -> None:
        from memories_tui.tui.modals.help import HelpModal

        if isinstance(self.screen, HelpModal):
            self.screen.dismiss()
            return
        self.push_screen(HelpModal(self.screen))

    async def action_quit(self) -> None:
        running = self.downloads.active
        if not running or self.quitting:
            self.quit_now()
            return
        from memories_tui.tui.modals.confirm_quit import ConfirmQuitModal

        def decided(quit_now: bool | None) -> None:
            if quit_now:
                self.quit_now()

        self.push_screen(ConfirmQuitModal(len(running)), decided)

    def quit_now(self) -> None:
        """Leave: downloads stop (their partial files go); a delete first finishes the
        request in flight, and what it did is said on the terminal after the exit. Asked
        again meanwhile (q, a hang-up), the app leaves at once, and says what it knows."""
        self.downloads.cancel_all()
        if not self.deletes.running:
            self.exit()
            return
        if self.quitting:
            self.exit_summary = (
                "memories-tui: you quit again before the delete request in flight was "
                "answered, so what it did is unknown. Look again to see which videos remain."
            )
            self.exit(message=Text(self.exit_summary))
            return
        self.quitting = True
        self.deletes.request_stop()
        self.notify("Quitting once the server has answered the delete request in flight; "
                    "nothing more will be sent. Press q again to leave at once.",
                    title="Delete", timeout=30)
        self._exit_after_delete()

    @work(group="quit", exit_on_error=False)
    async def _exit_after_delete(self) -> None:
        outcome = await self.deletes.wait_idle()
        said = [sentence for _kind, sentence in outcome.sentences()] if outcome else []
        if said:
            self.exit_summary = "\n".join(["memories-tui: you quit during a delete.", *said])
        # Text, not a string: the names in it are server text, never markup.
        self.exit(message=Text(self.exit_summary) if self.exit_summary else None)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of every screen comes here; plain ones are made safe.

        Messages sent with `markup=False` are the ones that quote the server or the
        disk (names, ids, error messages): whatever a caller forgot to clean, no control
        character, escape sequence or bidi override reaches the terminal from here.
        """
        if not markup:
            message = safe_multiline(message)
            title = safe_text(title)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def toggle_mouse(self) -> None:
        """Stop or start mouse capture at run time (xterm's mouse modes, as Textual's
        driver sets them), so text can be selected in the terminal."""
        self.mouse_to_app = not self.mouse_to_app
        mode = "h" if self.mouse_to_app else "l"
        if self._driver is not None:
            self._driver.write("".join(f"\x1b[?{n}{mode}" for n in (1000, 1003, 1015, 1006)))
            self._driver.flush()
        self.notify("The app has the mouse again." if self.mouse_to_app else
                    "The terminal has the mouse: select text as usual. ctrl+p, then "
                    "'Mouse', gives it back to the app.", title="Mouse", timeout=6)

    def copy_to_clipboard(self, text: str) -> None:
        self.copy_with_notes(text)

    def copy_with_notes(self, text: str) -> list[str]:
        """Copy `text` through the terminal; what the user should know about it: that
        it was cut to fit, or (once a session) that tmux may keep it to itself."""
        copy = prepare_copy(text)
        self._clipboard = text[:copy.copied_chars]
        if self._driver is not None:
            self._driver.write(copy.sequence)
        notes = []
        if copy.cut:
            notes.append(f"Only the first {copy.copied_chars:,} characters were copied: "
                         "terminals accept no more at once.")
        if not self._told_about_tmux:
            self._told_about_tmux = True
            note = tmux_note()
            if note:
                notes.append(note)
        return notes

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding of the current screen, so the palette offers every action."""
        yield from super().get_system_commands(screen)
        if self.mouse_to_app:
            yield SystemCommand("Mouse: let the terminal select text",
                                "Stop capturing the mouse, so text can be selected and "
                                "copied in the terminal (over SSH too)", self.toggle_mouse)
        else:
            yield SystemCommand("Mouse: capture it again",
                                "Clicks and the wheel go to the app again", self.toggle_mouse)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            key = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} (key: {key})",
                _runner(active.node, binding.action),
            )
        yield from getattr(screen, "palette_commands", lambda: ())()


def _screen(module: str, name: str) -> Screen:
    import importlib

    return getattr(importlib.import_module(f"memories_tui.tui.screens.{module}"), name)()


def _runner(node, action: str) -> Callable[[], object]:
    async def run() -> None:
        await node.run_action(action)

    return run
