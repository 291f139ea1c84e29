"""The help screen, generated from the live bindings so it cannot drift from the keys."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from memories_tui.logs import log_path, shown_path


def class_bindings(node: DOMNode) -> list[Binding]:
    """The bindings `node`'s class declares, its bases' first (as Textual merges them),
    read from the public `BINDINGS` so that widgets without focus are listed too."""
    bindings: list[Binding] = []
    for cls in reversed(type(node).__mro__):
        declared = cls.__dict__.get("BINDINGS")
        if not declared:
            continue
        if not cls.__dict__.get("inherit_bindings", True):
            bindings.clear()
        for key_bindings in BindingsMap(declared).key_to_bindings.values():
            bindings.extend(key_bindings)
    return bindings


def _disabled(node: DOMNode, action: str) -> bool:
    """Whether the node says `action` cannot run now (read-only mode turns delete off)."""
    check = getattr(node, "check_action", None)
    try:
        # None is Textual's "shown, but disabled"; False hides a binding that does not
        # apply where the focus is, which help still lists as it is.
        return check is not None and check(action, ()) is None
    except Exception:  # noqa: BLE001 - a check that needs parameters: take it as on
        return False


def _live(app, binding: Binding) -> list[Binding]:
    """`binding` as it works now: with the keys the keymap ([keys]) gives its id."""
    keys = getattr(app, "_keymap", {}).get(binding.id) if binding.id else None
    if not keys:
        return [binding]
    return [replace(binding, key=key.strip(), key_display=None)
            for key in keys.split(",") if key.strip()]


def binding_rows(app, nodes: list[tuple[str, DOMNode]]
                 ) -> list[tuple[str, str, str, str]]:
    """(group, keys, description, id) for every described binding of `nodes`, keys
    merged, as the keymap has them now."""
    rows: list[tuple[str, str, str, str]] = []
    for group, node in nodes:
        by_action: dict[str, tuple[list[str], str, str]] = {}
        for declared in class_bindings(node):
            if not declared.description:
                continue
            keys, _, _ = by_action.setdefault(
                declared.action, ([], declared.description, declared.id or ""))
            for binding in _live(app, declared):
                display = app.get_key_display(binding)
                if display not in keys:
                    keys.append(display)
        for action, (keys, description, binding_id) in by_action.items():
            if _disabled(node, action):
                description += " (not available now)"
            rows.append((group, " ".join(keys), description, binding_id))
    return rows


class HelpModal(ModalScreen[None]):
    """Every key of the view beneath, its widgets, and the app."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help", id="help-close")
    ]

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self.beneath = beneath

    def _help_nodes(self) -> list[tuple[str, DOMNode]]:
        nodes: list[tuple[str, DOMNode]] = []
        view = getattr(self.beneath, "VIEW_NAME", type(self.beneath).__name__)
        nodes.append((view, self.beneath))
        for title, widget in getattr(self.beneath, "help_widgets", list)():
            nodes.append((title, widget))
        nodes.append(("Everywhere", self.app))
        return nodes

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, padding=(0, 2), show_header=True)
        table.add_column("Where", style="dim", no_wrap=True)
        table.add_column("Keys", style="bold cyan", no_wrap=True)
        table.add_column("Action")
        table.add_column("id for [keys]", style="dim", no_wrap=True)
        previous = None
        for group, keys, description, binding_id in binding_rows(self.app,
                                                                 self._help_nodes()):
            table.add_row(group if group != previous else "", Text(keys), Text(description),
                          Text(binding_id))
            previous = group
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label("Keys (generated from the live bindings)", classes="dialog-title")
            with VerticalScroll(id="help-table"):
                yield Static(table)
            # Static, not Label: a note wraps to the dialog's width instead of being cut.
            yield Static(
                "Mouse: click a row to highlight it, a column header to sort the page, "
                "a key on the bottom line to press it; scroll with the wheel. "
                "ctrl+p opens the command palette. "
                "Esc, q or ? closes this help.",
                classes="dialog-note",
            )
            yield Static(Text(_log_note()), classes="dialog-note", id="help-log")
            if getattr(getattr(self.app, "settings", None), "low_bandwidth", False):
                yield Static(
                    "Low-bandwidth mode is on (--low-bandwidth, MEMORIES_LOW_BANDWIDTH or "
                    "low_bandwidth = true): progress and countdowns move every 2 s, "
                    "nothing is animated and cursors do not blink.",
                    classes="dialog-note", id="help-low-bandwidth",
                )

    def action_close(self) -> None:
        self.dismiss(None)


def _log_note() -> str:
    """Where errors are written down (as text, not markup: a path may hold brackets)."""
    path = log_path()
    if path is None:
        return "No log file: there is no home folder to keep one in."
    return f"Log file: {shown_path(path)} (start with --debug for more detail)."
