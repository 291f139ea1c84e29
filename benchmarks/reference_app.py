"""The floors the project is compared with: minimal Textual apps doing the same job naively.

`TableApp` shows a 200-row, 7-column DataTable at start-up: what any Textual app with a
table pays before its first useful frame (run as a script: figure 1 starts it in tmux).
`PagerApp` pages through the fake server with one plain httpx request per page and
refills one DataTable (figure 2): what a page switch costs without any cleverness.

This file imports only Textual (and httpx inside `PagerApp`) so that, run as a script,
it pays for nothing the project does not also need.
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

COLUMNS = ("Name", "Video id", "Status", "Duration", "Size", "Created", "Failure cause")
FIRST_ID = "VI900000000000000000"


def table_rows(count: int) -> list[tuple[Text, ...]]:
    """Rows shaped like the project's: names, 20-digit ids, short numbers and words.

    Cells are `Text`, as data from a server must be (a plain `str` cell is parsed as
    markup, which is both unsafe for server text and slower to draw).
    """
    statuses = ("PARSE", "UNPARSE", "FAILED")
    return [
        tuple(map(Text, (
            f"Reference video number {i}",
            f"VI{900000000000000000 + i}",
            statuses[i % 3],
            f"{i % 60}:{i % 60:02d}",
            f"{(i * 7919) % 1000 + 1} MB",
            f"{i % 28 + 1} days ago",
            "" if i % 3 else "Unsupported codec",
        )))
        for i in range(count)
    ]


class TableApp(App[None]):
    """A DataTable of `rows` rows, filled when mounted, and nothing else."""

    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, rows: int = 200) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows(table_rows(self.rows))


class PagerApp(App[None]):
    """One DataTable of one page of the fake's videos; `]` and `[` change the page.

    With `cache=True` a page seen before is refilled from memory (no request), which is
    the naive floor for a revisited page; otherwise every switch is one request.
    """

    BINDINGS = [
        Binding("right_square_bracket", "page(1)", "Next page"),
        Binding("left_square_bracket", "page(-1)", "Previous page"),
    ]

    def __init__(self, base_url: str, api_key: str, size: int) -> None:
        super().__init__()
        self.base_url, self.api_key, self.page_size = base_url, api_key, size
        self.page = 1
        self.cache: dict[int, list[tuple[Text, ...]]] = {}
        self._http = None

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)

    async def on_mount(self) -> None:
        import httpx

        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=30,
                                       headers={"Authorization": self.api_key})
        self.query_one(DataTable).add_columns(" ", *COLUMNS)
        self.show(1)

    async def on_unmount(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    def action_page(self, step: int) -> None:
        self.show(max(1, self.page + step))

    def show(self, page: int) -> None:
        self.page = page
        self.run_worker(self._load(page), exclusive=True, group="page")

    async def _load(self, page: int) -> None:
        rows = self.cache.get(page)
        if rows is None:
            response = await self._http.post(
                "/serve/api/v1/list_videos", json={"page": page, "size": self.page_size})
            videos = response.json()["data"]["videos"]
            rows = [tuple(map(Text, ("", v["video_name"][:34], v["video_no"], v["status"],
                                     f"{v['duration']} s", f"{v['size']} B",
                                     v["create_time"], "")))
                    for v in videos]
            self.cache[page] = rows
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(rows)


if __name__ == "__main__":
    TableApp(int(sys.argv[1]) if len(sys.argv) > 1 else 200).run()
