"""The suite verdict in every report form: its JSON object (``"suite"``), its text and
Markdown sections, and the critical-difference diagram drawn in plain characters.

Why text tables here and not Rich's: the same lines go into the text report, the Markdown
report (inside a code block, where a diagram must keep its columns) and any terminal, so
they are built once as strings of fixed width.
"""

from __future__ import annotations

import math

from lossterm.analysis.suite import POSTHOC, Suite
from lossterm.analysis.suite_scores import LEVEL
from lossterm.analysis.suites import protocol_words, ranked_on
from lossterm.analysis.verdict import p_value

NORMALISATION = ("per problem, min–max over every replicate test figure of the ranked "
                 "losses, 1 = the best figure on that problem, 0 = the worst (flipped where "
                 "lower is better); a diverged run scores 0")
BOOTSTRAP = ("stratified: each resample redraws each problem's replicates with "
             "replacement, the problems kept (rliable, Agarwal et al. 2021); percentile "
             "interval")
CD_WORDS = ("bars join losses that no Holm-adjusted Wilcoxon signed-rank test tells apart "
            "(cliques of the pairwise tests, not Nemenyi's critical difference)")


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def suite_json(suite: Suite) -> dict:
    """The suite as data: every figure a number or null."""
    m = suite.matrix
    means = m.means()
    fr = suite.friedman
    return {
        "kind": suite.kind, "problems": list(m.problems),
        "metrics": dict(zip(m.problems, m.metrics)),
        "higher_is_better": dict(zip(m.problems, m.higher)),
        "losses": list(m.losses), "left_out": {k: list(v) for k, v in suite.left_out.items()},
        "ranked_on": ranked_on(suite),
        "ranks": {"average": {k: v for k, v in suite.average_ranks.items()},
                  "by_problem": {p: {loss: float(suite.ranks[i, j])
                                     for j, loss in enumerate(m.losses)}
                                 for i, p in enumerate(m.problems)},
                  "mean_test": {p: {loss: _num(float(means[i, j]))
                                    for j, loss in enumerate(m.losses)}
                                for i, p in enumerate(m.problems)},
                  "ties": "average ranks (Demšar 2006)"},
        "friedman": {"chi2": _num(fr.chi2), "df": fr.df, "p": _num(fr.p),
                     "n_problems": fr.n, "n_losses": fr.k,
                     "tie_correction": "as scipy.stats.friedmanchisquare",
                     "iman_davenport": {"f": _num(fr.f), "df": list(fr.f_df), "p": _num(fr.f_p)}},
        "pairs": [{"a": p.a, "b": p.b, "a_better_on": p.wins, "b_better_on": p.losses,
                   "equal_on": p.ties, "statistic": _num(p.statistic), "p": _num(p.p),
                   "p_holm": _num(p.p_holm), "told_apart": bool(p.p_holm < suite.alpha)}
                  for p in suite.pairs],
        "posthoc": POSTHOC, "differences_of": suite.scale,
        "cliques": [list(c) for c in suite.cliques],
        "tied_for_best": list(suite.tied_for_best),
        "iqm": {"normalisation": NORMALISATION, "bootstrap": BOOTSTRAP,
                "reps": suite.reps, "seed": suite.seed, "level": LEVEL,
                "by_loss": {loss: {"iqm": _num(iv.value), "ci": [_num(iv.low), _num(iv.high)]}
                            for loss, iv in ((k, suite.iqm[k]) for k in suite.ranking)}},
        "p_improve": [{"a": a, "b": b, "p": _num(p), "ci": _improvement_ci(suite, a, b)}
                      for (a, b), p in suite.p_improve.items()],
        "p_improve_bootstrap": {"reps": suite.pair_reps, "seed": suite.seed, "level": LEVEL,
                                "method": "stratified, each loss's replicates redrawn "
                                          "independently within each problem; percentile"},
        "alpha": suite.alpha, "protocol": protocol_words(suite), "verdict": suite.verdict,
    }


def _improvement_ci(suite: Suite, a: str, b: str) -> list:
    """P(a > b)'s interval; for the pair the other way round, 1 − P(b > a)'s, which is
    the same bootstrap read from the other side (each resample's P(a > b) = 1 − P(b > a))."""
    if (a, b) in suite.p_improve_ci:
        iv = suite.p_improve_ci[(a, b)]
        return [_num(iv.low), _num(iv.high)]
    iv = suite.p_improve_ci[(b, a)]
    return [_num(1.0 - iv.high), _num(1.0 - iv.low)]


def suites_json(suites: list[Suite]) -> dict:
    """The report's top-level keys: ``"suite"`` (the suite over the most problems) and,
    where the problems formed more than one kind's suite, ``"other_suites"``."""
    if not suites:
        return {}
    first = max(suites, key=lambda s: len(s.matrix.problems))
    out: dict[str, object] = {"suite": suite_json(first)}
    others = [suite_json(s) for s in suites if s is not first]
    if others:
        out["other_suites"] = others
    return out


def cd_diagram(suite: Suite, width: int = 50) -> list[str]:
    """The critical-difference diagram in characters: the average-rank axis (1 = best, at
    the left), one row per loss with its mark, and one bar per clique."""
    k = len(suite.ranking)
    width = max(width, 2 * k)

    def col(rank: float) -> int:
        return round((rank - 1) / (k - 1) * (width - 1)) if k > 1 else 0

    labels = [" "] * (width + 3)
    axis = ["─"] * width
    for tick in range(1, k + 1):
        c = col(tick)
        axis[c] = "┼"
        for i, ch in enumerate(str(tick)):
            if c + i < len(labels):
                labels[c + i] = ch
    axis[0], axis[-1] = "├", "┤"
    lines = ["".join(labels).rstrip(), "".join(axis)]
    for loss, rank in suite.average_ranks.items():
        row = [" "] * width
        row[col(rank)] = "●"
        lines.append("".join(row) + f"  {rank:5.2f}  {loss}")
    for clique in suite.cliques:
        start, end = col(suite.average_ranks[clique[0]]), col(suite.average_ranks[clique[-1]])
        row = [" "] * width
        for c in range(start, end + 1):
            row[c] = "━"
        lines.append("".join(row) + " " * 9 + f"{clique[0]} … {clique[-1]} ({len(clique)})")
    return lines


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(columns)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(columns), line(tuple("─" * w for w in widths)), *(line(r) for r in rows)]


def _rank_rows(suite: Suite) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    m = suite.matrix
    columns = ("loss", "average rank", *m.problems, f"IQM (normalised; {LEVEL:.0%} CI)")
    index = {loss: j for j, loss in enumerate(m.losses)}
    rows = []
    for loss, rank in suite.average_ranks.items():
        iv = suite.iqm[loss]
        rows.append((loss, f"{rank:.2f}", *(f"{suite.ranks[i, index[loss]]:g}"
                                            for i in range(len(m.problems))),
                     f"{iv.value:.3f} ({iv.low:.3f} to {iv.high:.3f})"))
    return columns, rows


PAIR_HEAD = ("a", "b", "a better / worse / equal", "p", "p (Holm)",
             f"P(a > b) ({LEVEL:.0%} CI)")


def _pair_rows(suite: Suite) -> list[tuple[str, ...]]:
    def improvement(a: str, b: str) -> str:
        iv = suite.p_improve_ci[(a, b)]
        return f"{iv.value:.2f} ({iv.low:.2f} to {iv.high:.2f})"

    return [(p.a, p.b, f"{p.wins} / {p.losses} / {p.ties}", p_value(p.p), p_value(p.p_holm),
             improvement(p.a, p.b)) for p in suite.pairs]


def friedman_words(suite: Suite) -> str:
    """The Friedman test and Iman–Davenport's F, or why there is nothing to test."""
    fr = suite.friedman
    if not math.isfinite(fr.chi2):
        return "Friedman test: every loss ties on every problem, nothing to test"
    return (f"Friedman χ²({fr.df}) = {fr.chi2:.3f}, p = {p_value(fr.p)}; Iman–Davenport "
            f"F({fr.f_df[0]}, {fr.f_df[1]}) = {fr.f:.3f}, p = {p_value(fr.f_p)}")


def suite_lines(suite: Suite) -> list[str]:
    """The suite section as lines of text (the text report; Markdown wraps them)."""
    m = suite.matrix
    kind = f"{suite.kind} " if suite.kind else ""
    out = [f"suite of {len(m.problems)} {kind}problems: {', '.join(m.problems)}",
           f"  protocol: {protocol_words(suite)}"]
    for loss, has in suite.left_out.items():
        out.append(f"  left out (no test figures on every problem): {loss}"
                   + (f" — has figures on {', '.join(has)}" if has else " — no figures"))
    columns, rows = _rank_rows(suite)
    out += [f"ranks on each problem's {ranked_on(suite)} (1 = best; ties share the average):",
            *("  " + r for r in _table(columns, rows))]
    out.append(f"  IQM: normalised {NORMALISATION}; CI {BOOTSTRAP}, {suite.reps} resamples, "
               f"seed {suite.seed}")
    out.append(friedman_words(suite))
    out.append(f"critical-difference diagram (average rank; {CD_WORDS}, α = {suite.alpha:g}):")
    out += ["  " + line for line in cd_diagram(suite)]
    out.append(f"every pair ({POSTHOC}; differences of each problem's {suite.scale}; "
               "P(a > b): rliable's probability of improvement on normalised scores, its "
               f"interval a stratified bootstrap, each loss's replicates redrawn independently, "
               f"{suite.pair_reps} resamples, seed {suite.seed}):")
    out += ["  " + r for r in _table(PAIR_HEAD, _pair_rows(suite))]
    out.append(f"suite verdict: {suite.verdict}")
    return out


def suite_markdown(suite: Suite) -> list[str]:
    """The suite section in Markdown: the tables as tables, the diagram in a code block."""
    m = suite.matrix
    kind = f"{suite.kind} " if suite.kind else ""

    def md(cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    columns, rows = _rank_rows(suite)
    out = [f"## Suite of {len(m.problems)} {kind}problems", "",
           f"**Suite verdict:** {suite.verdict}", "", f"- protocol: {protocol_words(suite)}"]
    out += [f"- left out (no test figures on every problem): {loss}"
            + (f" — has figures on {', '.join(has)}" if has else "")
            for loss, has in suite.left_out.items()]
    out += [f"- IQM: normalised {NORMALISATION}; CI {BOOTSTRAP}, {suite.reps} resamples, "
            f"seed {suite.seed}",
            f"- {friedman_words(suite)}", "",
            md(columns), "|" + "|".join("---" for _ in columns) + "|", *(md(r) for r in rows),
            "", f"**Critical-difference diagram** (average rank; {CD_WORDS}, "
            f"α = {suite.alpha:g})", "", "```", *cd_diagram(suite), "```", "",
            f"**Every pair** ({POSTHOC}; P(a > b): probability of improvement)", "",
            md(PAIR_HEAD), "|" + "|".join("---" for _ in PAIR_HEAD) + "|",
            *(md(r) for r in _pair_rows(suite)), ""]
    return out
