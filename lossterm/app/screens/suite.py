"""The suite verdict in the TUI: each marked problem's verdict line, then one section per
suite (a kind with two or more problems): its verdict, the rank table with each loss's
IQM, the Friedman test, the critical-difference diagram, and every pair's Holm-adjusted
Wilcoxon p and P(a > b).

One column that scrolls as a whole, as the compare screen does, so nothing is out of
reach at 80x24. The words and the diagram are :mod:`lossterm.report.suite`'s (the text
report's), with the catalogue's short loss names so the tables and the diagram fit 80
columns; the diagram is redrawn to the screen's width.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.suite import POSTHOC, Suite
from lossterm.analysis.suite_scores import LEVEL
from lossterm.analysis.suites import protocol_words, ranked_on
from lossterm.analysis.verdict import p_value
from lossterm.app import keys
from lossterm.app.screens.compare import short
from lossterm.app.widgets.footer import KeyFooter
from lossterm.app.widgets.too_small import TooSmall
from lossterm.report.suite import BOOTSTRAP, CD_WORDS, NORMALISATION, cd_diagram, friedman_words

CD_MAX = 50  # the report's axis width: no wider on a wide screen
SIDE = 4  # columns the column's padding and scroll bar take from the screen's width


def cd_lines(suite: Suite, room: int) -> list[str]:
    """The report's critical-difference diagram with short loss names, its axis as wide as
    ``room`` columns allow after the longest label (at most the report's 50, at least two
    columns per loss)."""
    k = len(suite.ranking)
    cliques = [f"{short(c[0])} … {short(c[-1])} ({len(c)})" for c in suite.cliques]
    label = max([9 + len(short(loss)) for loss in suite.ranking] +
                [9 + len(c) for c in cliques])
    width = max(2 * k, min(CD_MAX, room - label))
    lines = cd_diagram(suite, width)
    for i, loss in enumerate(suite.average_ranks, start=2):  # axis labels, axis, then rows
        lines[i] = lines[i][:len(lines[i]) - len(loss)] + short(loss)
    for i, (clique, words) in enumerate(zip(suite.cliques, cliques), start=2 + k):
        whole = f"{clique[0]} … {clique[-1]} ({len(clique)})"
        lines[i] = lines[i][:len(lines[i]) - len(whole)] + words
    return lines


def rank_table(suite: Suite) -> Table:
    """Each loss's average rank, its rank on each problem (1 = best) and its IQM of
    normalised scores with the bootstrap interval: the report's rank table."""
    m = suite.matrix
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("loss", no_wrap=True)
    table.add_column("avg rank", justify="right")
    for problem in m.problems:
        table.add_column(problem, justify="right")
    table.add_column(f"IQM ({LEVEL:.0%} CI)", justify="right")
    index = {loss: j for j, loss in enumerate(m.losses)}
    for loss, rank in suite.average_ranks.items():
        iv = suite.iqm[loss]
        mark = "★ " if loss in suite.tied_for_best else "  "
        table.add_row(mark + short(loss), f"{rank:.2f}",
                      *(f"{suite.ranks[i, index[loss]]:g}" for i in range(len(m.problems))),
                      f"{iv.value:.3f} ({iv.low:.3f}–{iv.high:.3f})")
    return table


def pair_table(suite: Suite) -> Table:
    """Every pair: on how many problems a beats b, the Holm-adjusted Wilcoxon p, and
    P(a > b) with its interval."""
    table = Table(box=None, padding=(0, 1), header_style="bold")
    for name, right in (("a", False), ("b", False), ("+/−/=", True),
                        ("p Holm", True), (f"P(a > b) ({LEVEL:.0%} CI)", True)):
        table.add_column(name, justify="right" if right else "left", no_wrap=not right)
    for p in suite.pairs:
        iv = suite.p_improve_ci[(p.a, p.b)]
        apart = p.p_holm < suite.alpha
        table.add_row(short(p.a), short(p.b), f"{p.wins}/{p.losses}/{p.ties}",
                      Text(p_value(p.p_holm), style="bold" if apart else ""),
                      f"{iv.value:.2f} ({iv.low:.2f}–{iv.high:.2f})")
    return table


def unsuited(studies: list[ProblemStudy], suites: list[Suite]) -> list[str]:
    """Why a problem studied is in no suite: the only one of its kind, or fewer than two
    losses shared."""
    inside = {p for s in suites for p in s.matrix.problems}
    out = []
    for study in studies:
        if study.problem in inside:
            continue
        alone = sum(s.kind == study.kind for s in studies) < 2
        out.append(f"{study.problem} is in no suite: " + (
            f"the only {study.kind} problem marked (a suite needs two of a kind)" if alone
            else "fewer than two losses have test figures on every problem of its kind"))
    return out


class SuiteScreen(Screen[None]):
    """Each problem's verdict, then each suite's, scrolling as one column."""

    BINDINGS = [
        Binding("q", "dismiss", "Back", key_display="q/esc", tooltip="back to the main screen"),
        Binding("escape", "dismiss", "Back", show=False),
    ]
    DEFAULT_CSS = """
    SuiteScreen #suite { height: 1fr; }
    SuiteScreen #suite > Static { padding: 0 1; height: auto; }
    SuiteScreen .suite-head { margin-top: 1; color: $accent; text-style: bold; }
    SuiteScreen .suite-cd { text-wrap: nowrap; }
    SuiteScreen.-too-narrow > #suite, SuiteScreen.-too-short > #suite { display: none; }
    """

    def __init__(self, studies: list[ProblemStudy], suites: list[Suite]):
        super().__init__()
        self.studies, self.suites = studies, suites

    def compose(self) -> ComposeResult:
        names = ", ".join(s.problem for s in self.studies)
        with VerticalScroll(id="suite"):
            yield Static(Text(f"Suite study of {len(self.studies)} problems: {names}",
                              style="bold"), id="suite-title")
            yield Static(Text("each problem's verdict (v on the problem opens it whole):",
                              style="dim"))
            yield Static(Text("\n").join(
                Text.assemble((study.problem, "bold"), f": {study.verdict.line}")
                for study in self.studies), id="suite-problems")
            for i, suite in enumerate(self.suites):
                yield from self._suite(i, suite)
            for line in unsuited(self.studies, self.suites):
                yield Static(Text(line, style="yellow"), classes="suite-head")
        yield KeyFooter(keys.WIDE_ONLY)
        yield TooSmall()

    def _suite(self, i: int, suite: Suite) -> ComposeResult:
        m = suite.matrix
        kind = f"{suite.kind} " if suite.kind else ""
        yield Static(f"Suite of {len(m.problems)} {kind}problems: {', '.join(m.problems)}",
                     classes="suite-head")
        yield Static(Text(f"suite verdict: {suite.verdict}"), id=f"suite-verdict-{i}")
        left = [f"left out (no test figures on every problem): {short(loss)}"
                + (f" — has figures on {', '.join(has)}" if has else " — no figures")
                for loss, has in suite.left_out.items()]
        if left:
            yield Static(Text("\n".join(left), style="yellow"))
        yield Static(Text(f"ranks on each problem's {ranked_on(suite)} (1 = best; ties share "
                          "the average; ★ tied for best by the pairwise tests):", style="dim"))
        yield Static(rank_table(suite), id=f"suite-ranks-{i}")
        yield Static(Text(friedman_words(suite)), id=f"suite-friedman-{i}")
        yield Static(Text(f"critical-difference diagram (average rank; {CD_WORDS}, "
                          f"α = {suite.alpha:g}):", style="dim"))
        yield Static(id=f"suite-cd-{i}", classes="suite-cd")
        yield Static(Text(f"every pair ({POSTHOC}; +/−/=: the problems a is better, worse, "
                          "equal on; P(a > b): rliable's probability of improvement on "
                          "normalised scores):", style="dim"))
        yield Static(pair_table(suite), id=f"suite-pairs-{i}")
        yield Static(Text(f"IQM: normalised {NORMALISATION}; CI {BOOTSTRAP}, {suite.reps} "
                          f"resamples, seed {suite.seed}. Protocol: {protocol_words(suite)}",
                          style="dim"))

    def on_mount(self) -> None:
        self._draw_diagrams()

    def on_resize(self) -> None:
        self._draw_diagrams()

    def _draw_diagrams(self) -> None:
        """The diagrams as wide as the screen leaves (no wider than the report's)."""
        room = self.size.width - SIDE
        for i, suite in enumerate(self.suites):
            self.query_one(f"#suite-cd-{i}", Static).update(
                Text("\n".join(cd_lines(suite, room)), no_wrap=True, overflow="crop"))
