"""Calibration reports: the protocol calibrated, the observed false-claim rate beside the
stated level, and each A/A study, as text, Markdown and JSON, from
:class:`lossterm.analysis.study.calibration.Calibration` values."""

from __future__ import annotations

import io
import json
import math

from lossterm.analysis.study.calibration import Calibration
from lossterm.core.types import Format


def render_calibration(c: Calibration, fmt: str = "text", *, header: str = "") -> str:
    if fmt == Format.JSON:
        return json.dumps(calibration_json(c, header), indent=2) + "\n"
    if fmt == Format.MARKDOWN:
        return _markdown(c, header)
    return _text(c, header)


def protocol_lines(c: Calibration) -> list[str]:
    p = c.protocol
    where = ("each replicate searches the grid from its own seeds and chooses on validation"
             if p.selection == "replicate" else
             "one tuning per arm, then final seeds at the chosen rate (shared selection)")
    return [
        f"each A/A study: {c.loss} against a copy of itself, each arm from its own seeds "
        f"(independent weights, shuffles and selection), {p.seeds} paired replicates; {where}",
        f"validation rows: {_draws(c)}; "
        f"verdict metric: {c.metric}; paired t-test, claim when p < {c.level:g}",
        "a claim: the verdict names one arm better; there is no difference to find, so every "
        "claim is false",
        f"studies: {len(c.studies)}; {c.seconds:.1f} s; replicates where the arms chose "
        f"different rates: {c.disagreeing_rates} of {sum(len(s.chosen_rates) for s in c.studies)}",
    ]


def _draws(c: Calibration) -> str:
    return ("a new draw per study" if c.varied_validation
            else "fixed by the data (--split-column)")


def study_rows(c: Calibration) -> list[tuple[str, ...]]:
    return [(str(s.index + 1), str(s.seed), str(s.data_seed), str(s.n), f"{s.difference:+.4g}",
             _p(s.p), "yes" if s.claimed else "") for s in c.studies]


COLUMNS = ("study", "seed", "validation draw", "pairs", "first − second", "p", "claim")


def _p(p: float) -> str:
    if not math.isfinite(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _text(c: Calibration, header: str) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None, soft_wrap=True)
    say = lambda line: console.print(line, highlight=False, markup=False, soft_wrap=True)  # noqa
    if header:
        say(header)
    say(f"\ncalibration of the study protocol on {c.problem}:")
    for line in protocol_lines(c):
        say(f"  {line}")
    table = Table(*COLUMNS, title="each A/A study", title_justify="left")
    for row in study_rows(c):
        table.add_row(*row)
    console.print(table)
    say(f"verdict: {c.line}")
    return buffer.getvalue()


def _markdown(c: Calibration, header: str) -> str:
    out = [f"# {header}", ""] if header else []
    out += [f"## Calibration on {c.problem}", "", f"**Verdict:** {c.line}", "", "**Protocol**", ""]
    out += [f"- {line}" for line in protocol_lines(c)]
    out += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in study_rows(c)]
    return "\n".join(out) + "\n"


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def calibration_json(c: Calibration, header: str = "") -> dict:
    low, high = c.interval
    out: dict[str, object] = {"calibration": {
        "problem": c.problem, "loss": c.loss, "metric": c.metric,
        "selection": c.protocol.selection, "seeds": c.protocol.seeds,
        "tune_seeds": c.protocol.tune_seeds, "varied_validation": c.varied_validation,
        "studies": len(c.studies), "claims": c.claims, "false_claim_rate": _num(c.rate),
        "ci": [_num(low), _num(high)], "ci_method": "Clopper-Pearson (exact binomial), 95%",
        "stated_level": c.level, "seconds": round(c.seconds, 3), "verdict": c.line,
        "each": [{"seed": s.seed, "data_seed": s.data_seed, "pairs": s.n,
                  "difference": _num(s.difference), "p": _num(s.p), "claimed": s.claimed,
                  "chosen_rates": [list(r) for r in s.chosen_rates]} for s in c.studies],
    }}
    if header:
        out["header"] = header
    return out
