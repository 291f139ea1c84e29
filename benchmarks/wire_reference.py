"""The stock-widget reference for terminal traffic: Header, DataTable, Footer, ProgressBar.

Run as a program (`python -m benchmarks.wire_reference ROWS`) on the benchmark's pty.
`j` and `k` move the cursor, `]` refills the table with the next page of rows (as an
app does on a page switch), `p` starts a ProgressBar advancing 10 times a second (as a
download's progress does), and `i` opens a side panel of a video's details.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

COLUMNS = ("Name", "Status", "Duration", "Size", "Created", "Video id")


def row(n: int) -> tuple[str, ...]:
    return (f"Lisbon beach day {n}", "PARSE", "0:03:21", f"{12 + n % 90}.4 MB",
            "3 months ago", f"VI{771523152269410304 + n}")


class Reference(App[None]):
    CSS = """
    #details { display: none; width: 44; border: round $secondary; }
    #details.open { display: block; }
    ProgressBar { display: none; }
    ProgressBar.running { display: block; }
    """
    BINDINGS = [
        Binding("j", "down", "Down"), Binding("k", "up", "Up"),
        Binding("right_square_bracket", "next_page", "Next page", key_display="]"),
        Binding("p", "progress", "Progress"), Binding("i", "details", "Details"),
    ]

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows, self.page = rows, 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Static("", id="details")
        yield ProgressBar(total=10_000)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        start = self.page * self.rows
        table.add_rows(row(n) for n in range(start, start + self.rows))

    def action_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_next_page(self) -> None:
        self.page += 1
        self._fill()

    def action_details(self) -> None:
        details = self.query_one("#details", Static)
        details.update("\n".join(f"{label}: {value}" for label, value
                                 in zip(COLUMNS, row(self.page), strict=True)))
        details.add_class("open")

    def action_progress(self) -> None:
        bar = self.query_one(ProgressBar)
        bar.add_class("running")
        self.set_interval(0.1, lambda: bar.advance(1))


if __name__ == "__main__":
    Reference(int(sys.argv[1]) if len(sys.argv) > 1 else 50).run()
