"""``x``: the verdict on screen written as the reports ``--headless`` writes, Markdown and JSON.

The same renderers as the command line (:mod:`lossterm.report`), so a verdict exported
from the TUI reads exactly as ``lossterm --headless --format markdown`` would print it,
the protocol beside it. The files go to the folder ``lossterm`` was started in — over
SSH that is where a person looks for them — named after the problem and the time; a
folder lossterm may not write into sends them beside the run history instead
(``$XDG_DATA_HOME/lossterm/reports``). Each is written whole (a temporary file renamed
into place), so a dropped link never leaves half a report.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.core.types import Format
from lossterm.report.noise import render_noise_sweep
from lossterm.report.render import render
from lossterm.report.study import render_study
from lossterm.storage.files import write_text
from lossterm.storage.store import default_store_path
from lossterm.training.records import RunResult

Verdict = ProblemStudy | NoiseSweep | list[RunResult]
SUFFIXES = {Format.MARKDOWN: "md", Format.JSON: "json"}


def report_text(verdict: Verdict, fmt: Format, header: str) -> str:
    """The report ``--headless --format fmt`` prints for this study, sweep or runs."""
    if isinstance(verdict, ProblemStudy):
        return render_study([verdict], fmt, header=header)
    if isinstance(verdict, NoiseSweep):
        return render_noise_sweep([verdict], fmt, header=header)
    return render(verdict, fmt, header=header)


def write_reports(verdict: Verdict, problem: str, header: str,
                  folder: Path | None = None) -> list[Path]:
    """The Markdown and JSON reports in ``folder`` (default: the current one, else the
    reports folder beside the run history); the files written. Raises OSError (or
    UsageError: no home for the fallback) when neither folder takes them."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"lossterm-{problem.replace(os.sep, '_')}-{stamp}"
    texts = {fmt: report_text(verdict, fmt, header) for fmt in SUFFIXES}
    places = [folder] if folder is not None else [Path.cwd(), None]
    last: OSError | None = None
    for place in places:
        try:
            if place is None:
                place = default_store_path().parent / "reports"
                place.mkdir(parents=True, exist_ok=True)
            return [write_text(place / f"{name}.{SUFFIXES[fmt]}", text)
                    for fmt, text in texts.items()]
        except OSError as exc:
            last = exc
    assert last is not None
    raise last

