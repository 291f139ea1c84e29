"""The figures of the last mutation run (scripts/mutation.sh), per module, from mutants/.

A mutant is killed when a test failed on it (or hung and was stopped); it survived when
every test passed. Prints one line per module, then every survivor with the command that
shows its change. Exit code 1 if a module is under 90 % killed.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

TARGET = 0.90
# Which of api/client.py's mutants the run covers (see scripts/mutation.sh).
CLIENT_PARTS = ("xǁMemoriesClientǁdelete_videos__", "xǁMemoriesClientǁ_with_retries__",
                "xǁ_Attemptǁ")
KILLED = {1, 3, 24, -24, 36, 152, 255}  # failed, pytest error, or a timeout
SURVIVED = {0}


def counted(module: str, name: str) -> bool:
    if module != "memories_tui.api.client":
        return True
    return any(part in name for part in CLIENT_PARTS)


def main() -> int:
    root = Path("mutants")
    config = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]
    metas = [root / f"{path}.meta" for path in config["only_mutate"]]
    metas = sorted(meta for meta in metas if meta.exists())
    if not metas:
        print("No results: run scripts/mutation.sh first.")
        return 1
    rows = []
    survivors: dict[str, list[str]] = defaultdict(list)
    worst = 1.0
    for meta in metas:
        module = ".".join(meta.relative_to(root).with_suffix("").with_suffix("").parts)
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        codes = {k: v for k, v in codes.items() if counted(module, k)}
        if not codes:
            continue
        killed = sum(v in KILLED for v in codes.values())
        survived = [k for k, v in codes.items() if v in SURVIVED]
        other = len(codes) - killed - len(survived)
        survivors[module] = sorted(survived, key=lambda k: int(k.rsplit("_", 1)[1]))
        share = killed / len(codes)
        worst = min(worst, share)
        rows.append((module, killed, len(codes), len(survived), other, share))
    print(f"{'module':45} {'killed':>7} {'total':>6} {'survived':>9} {'other':>6} {'score':>7}")
    for module, killed, total, survived, other, share in rows:
        print(f"{module:45} {killed:7} {total:6} {survived:9} {other:6} {share:7.1%}")
    all_killed = sum(r[1] for r in rows)
    all_total = sum(r[2] for r in rows)
    print(f"{'all':45} {all_killed:7} {all_total:6} {'':9} {'':6} {all_killed / all_total:7.1%}")
    print("\n(other: not checked yet, no test covers it, or suspicious)")
    for names in survivors.values():
        for name in names:
            print(f"survived: mutmut show '{name}'")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
