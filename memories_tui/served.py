"""One browser tab of `memories-tui serve`: the TUI, with Textual's web driver.

textual-serve starts `python -m memories_tui.served` for each tab, with the environment
of `memories-tui serve`, in which `commands.serve.CHILD_ENV` carries that command's
global flags (and whether it serves the demo). They are read, and removed from this
process's environment at once (nothing started from here inherits them); then the app
starts exactly as `memories-tui [those flags]` would start it.
"""

from __future__ import annotations

import json
import sys

from memories_tui.commands.serve import CHILD_ENV


def main() -> int:
    import os

    blob = os.environ.pop(CHILD_ENV, None)
    if blob is None:
        print("memories-tui: this is one browser tab of `memories-tui serve`; run that "
              "instead.", file=sys.stderr)
        return 2
    from memories_tui import cli

    args = cli.build_parser().parse_args([])
    known = vars(args)
    for name, value in json.loads(blob).items():
        if name in known:
            setattr(args, name, value)
    try:
        return cli._open_library(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
