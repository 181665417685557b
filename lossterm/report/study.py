"""Study reports as people read them: the protocol block, the ranking, the isolation view,
every pair and the verdict, as text (Rich) or Markdown, from :class:`ProblemStudy` values.

The figures and rows are :mod:`.study_rows`', the protocol block :mod:`.study_protocol`'s;
JSON and TensorBoard (:mod:`.study_data`) are re-exported here for the callers that take
every form of a study report from one place.
"""

from __future__ import annotations

import io

from lossterm.analysis.budget import budget_of
from lossterm.analysis.stats import interval_words
from lossterm.analysis.study import ProblemStudy
from lossterm.analysis.suites import suites_of
from lossterm.core.types import Format
from lossterm.report.study_data import board_runs, study_json, study_to_dict
from lossterm.report.study_protocol import protocol_lines
from lossterm.report.study_rows import (
    LOSS_COLUMNS,
    NO_SCORE,
    isolation_rows,
    loss_rows,
    matrix_rows,
    pair_rows,
    run_remarks,
)
from lossterm.report.suite import suite_lines, suite_markdown
from lossterm.report.verdict import PAIR_COLUMNS

__all__ = ["board_runs", "render_study", "study_json", "study_markdown", "study_text",
           "study_to_dict"]


def render_study(studies: list[ProblemStudy], fmt: str = "text", *, width: int = 160,
                 header: str = "") -> str:
    if fmt == Format.JSON:
        return study_json(studies, header=header)
    if fmt == Format.MARKDOWN:
        return study_markdown(studies, header=header)
    return study_text(studies, width=width, header=header)

# --- text ----------------------------------------------------------------------------------


def study_text(studies: list[ProblemStudy], *, width: int = 160, header: str = "") -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, soft_wrap=False)
    if header:
        console.print(header, highlight=False, markup=False, soft_wrap=True)
    for study in studies:
        console.print(f"\nstudy of {study.problem}: each loss at its own learning rate, "
                      f"chosen on validation; test read once", highlight=False, markup=False, soft_wrap=True)
        console.print("protocol:", highlight=False, markup=False, soft_wrap=True)
        for line in protocol_lines(study):
            console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        console.print(_table(Table, LOSS_COLUMNS, loss_rows(study),
                             f"test {study.metric}, final models; {interval_words(study.metric)}"))
        console.print(f"validation {study.metric} at each learning rate (isolation view; "
                      f"[chosen]; {NO_SCORE} = a run diverged):", highlight=False, markup=False,
                      soft_wrap=True)
        for loss, spark, cells in isolation_rows(study):
            console.print(f"  {loss:<28} {spark}  {cells}", highlight=False, markup=False, soft_wrap=True)
        columns, rows, notes = matrix_rows(study)
        console.print(_table(Table, columns, rows, "metric matrix (test, mean over final seeds)"))
        for line in notes:
            console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        if study.verdict.pairs:
            console.print(_table(Table, PAIR_COLUMNS, pair_rows(study),
                                 "every pair (paired t-test over seeds, Holm-adjusted)"))
        console.print(f"tied for best: {', '.join(study.verdict.tied_for_best) or '—'}",
                      highlight=False)
        console.print(f"verdict: {study.verdict.line}", highlight=False, markup=False, soft_wrap=True)
        for line in study.verdict.notes:
            console.print(f"note: {line}", highlight=False, markup=False, soft_wrap=True)
        if (budget := budget_of(study)) is not None:
            console.print(f"budget: {budget.line}", highlight=False, markup=False, soft_wrap=True)
        warnings, notes = run_remarks(study)
        for line in study.warnings + warnings:
            console.print(f"warning: {line}", highlight=False, markup=False, soft_wrap=True)
        for line in notes:
            console.print(f"note: {line}", highlight=False, markup=False, soft_wrap=True)
    if len(studies) > 1:  # a long report's verdicts in one place, one line per problem
        console.print(f"\n{verdicts_title(studies)}:", highlight=False, markup=False,
                      soft_wrap=True)
        for study in studies:
            console.print(f"  {study.verdict.line}", highlight=False, markup=False,
                          soft_wrap=True)  # each line starts "on PROBLEM, "
    for suite in suites_of(studies):  # across the problems: two or more of a kind
        console.print("", *suite_lines(suite), sep="\n", highlight=False, markup=False,
                      soft_wrap=True)
    return buffer.getvalue()


def verdicts_title(studies: list[ProblemStudy]) -> str:
    """The heading of the closing list of each problem's own verdict (before the suite's
    verdict across the problems, when there is one)."""
    return f"each problem's verdict ({len(studies)} problems)"


def _table(Table, columns, rows, title):
    from rich.markup import escape  # per-target columns read "MSE[a]", not a markup tag

    table = Table(*(escape(c) for c in columns), title=title, title_justify="left")
    for cells in rows:
        table.add_row(*cells)
    return table

# --- Markdown ------------------------------------------------------------------------------


def _md_line(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _md_table(columns, rows) -> list[str]:
    return [_md_line(columns), "|" + "|".join("---" for _ in columns) + "|",
            *(_md_line(r) for r in rows)]


def study_markdown(studies: list[ProblemStudy], header: str = "") -> str:
    out = [f"# {header}", ""] if header else []
    for study in studies:
        out += [f"## Study of {study.problem}", "", f"**Verdict:** {study.verdict.line}", "",
                "**Protocol**", ""]
        out += [f"- {line}" for line in protocol_lines(study)]
        out += ["", *_md_table(LOSS_COLUMNS, loss_rows(study)), "",
                f"**Validation {study.metric} at each learning rate** (chosen in bold; "
                f"{NO_SCORE} = a run diverged)", ""]
        iso = [(loss, spark, cells.replace("[", "**").replace("]", "**"))
               for loss, spark, cells in isolation_rows(study)]
        out += _md_table(("loss", "shape", "rate: score"), iso)
        columns, rows, notes = matrix_rows(study)
        out += ["", "**Metric matrix** (test, mean over final seeds)", "",
                *_md_table(columns, rows)]
        out += [f"- {line}" for line in notes]
        if study.verdict.pairs:
            out += ["", "**Every pair** (paired t-test over seeds, Holm-adjusted)", ""]
            out += _md_table(PAIR_COLUMNS, pair_rows(study))
        out += ["", f"Tied for best: {', '.join(study.verdict.tied_for_best) or '—'}"]
        out += [f"- note: {n}" for n in study.verdict.notes]
        if (budget := budget_of(study)) is not None:
            out += ["", f"**Budget:** {budget.line}"]
        warnings, notes = run_remarks(study)
        out += [f"- **warning:** {w}" for w in study.warnings + warnings]
        out += [f"- note: {n}" for n in notes]
        out.append("")
    if len(studies) > 1:
        out += [f"## {verdicts_title(studies).capitalize()}", ""]
        out += [f"- {study.verdict.line}" for study in studies]
        out.append("")
    for suite in suites_of(studies):  # across the problems: two or more of a kind
        out += suite_markdown(suite)
    return "\n".join(out)
