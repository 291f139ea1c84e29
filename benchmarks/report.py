"""What a figure measured, and how it is printed: values beside references, then PASS/FAIL.

A figure runs in its own process and hands back a `Figure` as JSON, so this module is
also the wire format between the runner and its children.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Row:
    """One measured quantity beside the reference it is judged against."""

    label: str
    value: float | None
    reference: float | None
    unit: str
    reference_label: str = ""
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.reference is None or self.reference == 0:
            return None
        return self.value / self.reference


@dataclass
class Target:
    """A goal from the issue: `value op limit`."""

    name: str
    value: float | None
    op: str  # "<=", ">=" or "=="
    limit: float
    unit: str = ""

    @property
    def passed(self) -> bool:
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return False
        if self.op == "==":
            return self.value == self.limit
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit


@dataclass
class Figure:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""  # why the figure could not run here (a missing tool), if so
    error: str = ""  # the harness broke: this is a bug to fix, not a result

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        data = dict(data)
        data["rows"] = [Row(**r) for r in data.get("rows", [])]
        data["targets"] = [Target(**t) for t in data.get("targets", [])]
        return cls(**data)


def fmt(value: float | None, unit: str) -> str:
    """A value in its unit, with as many digits as its size deserves."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "":
        if float(value).is_integer() and abs(value) >= 10:
            return f"{int(value):,}"
        return f"{value:.2f}"
    if unit in ("count", "answers"):
        return f"{int(value):,}"
    if unit == "yes/no":
        return "yes" if value else "no"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}"


def compact(value: float | None, unit: str) -> str:
    """The same without spaces, for the one-token fields of a summary line."""
    return fmt(value, unit).replace(" ", "").replace(",", "")


def render_figure(number: int, figure: Figure) -> str:
    lines = [f"{number}. {figure.title}"]
    if figure.error:
        lines.append(f"   HARNESS ERROR: {figure.error}")
    if figure.skipped:
        lines.append(f"   skipped: {figure.skipped}")
    if figure.rows:
        width = max(len(r.label) for r in figure.rows)
        lines.append(f"   {'':{width}}  {'project':>14}  {'reference':>14}  {'ratio':>6}")
        for row in figure.rows:
            ratio = row.ratio
            ratio_text = "n/a" if ratio is None else f"{ratio:.2f}"
            line = (f"   {row.label:{width}}  {fmt(row.value, row.unit):>14}  "
                    f"{fmt(row.reference, row.unit):>14}  {ratio_text:>6}")
            if row.reference_label:
                line += f"  (reference: {row.reference_label})"
            lines.append(line)
            if row.detail:
                lines.append(f"   {'':{width}}  {row.detail}")
    for note in figure.notes:
        lines.append(f"   note: {note}")
    lines.append(f"   ({figure.seconds:.1f} s)")
    return "\n".join(lines)


def summary_lines(figures: list[Figure]) -> list[str]:
    out = []
    for figure in figures:
        if figure.skipped and not figure.targets:
            out.append(f"SKIP {figure.key} - {figure.skipped}")
            continue
        if figure.error and not figure.targets:
            out.append(f"FAIL {figure.key} n/a harness-error")
            continue
        for target in figure.targets:
            verdict = "PASS" if target.passed else "FAIL"
            limit = compact(target.limit, target.unit)
            op = "=" if target.op == "==" else target.op
            out.append(f"{verdict} {target.name} {compact(target.value, target.unit)} {op}{limit}")
    return out
