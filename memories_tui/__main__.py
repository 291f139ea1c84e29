"""`python -m memories_tui`: the same as the `memories-tui` command."""

import sys

from memories_tui.cli import main

sys.exit(main())
