"""From a study's per-problem results to its suite verdicts: the score matrix of each
problem kind (:func:`matrix_of`), every statistic (:func:`lossterm.analysis.suite.compute_suite`)
and the one quotable line (:func:`suite_line`), which names its protocol — what was
ranked, the tests, the adjustment and α — as every lossterm verdict does.

Apart from :mod:`.suite` so that the statistics read score matrices only (the unit tests
feed them fixed ones) and know nothing of studies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lossterm.analysis.study import ProblemStudy
from lossterm.analysis.suite import (
    ALPHA,
    POSTHOC,
    ScoreMatrix,
    Suite,
    compute_suite,
)
from lossterm.analysis.suite_scores import BOOTSTRAP_REPS, BOOTSTRAP_SEED
from lossterm.analysis.verdict import p_words
from lossterm.core.words import counted


def matrix_of(studies: Sequence[ProblemStudy]) -> tuple[ScoreMatrix, dict[str, list[str]]]:
    """The score matrix of studies of one kind over the losses every one of them has test
    figures for (the shared subset), and the losses left out, each with the problems it
    has figures on."""
    has = [{s.loss for s in st.losses if s.test} for st in studies]
    shared = [s.loss for s in studies[0].losses if all(s.loss in h for h in has)]
    left: dict[str, list[str]] = {}
    for st, h in zip(studies, has):
        for s in st.losses:
            if s.loss not in shared:
                left.setdefault(s.loss, [])
                if s.loss in h:
                    left[s.loss].append(st.problem)
    figures = [[np.array([st.loss(loss).test[seed] for seed in sorted(st.loss(loss).test)],
                         dtype=float) for loss in shared] for st in studies]
    matrix = ScoreMatrix([st.problem for st in studies], shared, figures,
                         [st.higher for st in studies], [st.metric for st in studies])
    return matrix, left


def judge(matrix: ScoreMatrix, **settings) -> Suite:
    """:func:`lossterm.analysis.suite.compute_suite` and its verdict line."""
    suite = compute_suite(matrix, **settings)
    suite.verdict = suite_line(suite)
    return suite


def suites_of(studies: Sequence[ProblemStudy], *, alpha: float = ALPHA,
              reps: int = BOOTSTRAP_REPS, seed: int = BOOTSTRAP_SEED) -> list[Suite]:
    """One suite per problem kind with at least two problems and two shared losses, in the
    order the kinds first appear; none for a study of one problem."""
    kinds: dict[str, list[ProblemStudy]] = {}
    for st in studies:
        kinds.setdefault(st.kind, []).append(st)
    out = []
    for kind, group in kinds.items():
        if len(group) < 2:
            continue
        matrix, left = matrix_of(group)
        if len(matrix.losses) >= 2:
            out.append(judge(matrix, kind=kind, alpha=alpha, reps=reps, seed=seed,
                             left_out=left))
    return out


def ranked_on(suite: Suite) -> str:
    """What each problem's losses were ranked on, in words."""
    metrics = sorted(set(suite.matrix.metrics))
    if len(metrics) == 1:
        return f"mean test {metrics[0]}"
    return f"mean test figure in each problem's own metric ({', '.join(metrics)})"


def protocol_words(suite: Suite) -> str:
    """The protocol a suite line carries beside its claim."""
    n, k = len(suite.matrix.problems), len(suite.matrix.losses)
    kind = f"{suite.kind} " if suite.kind else ""
    left = (f" ({counted(len(suite.left_out), 'loss', 'losses')} without test figures on "
            "every problem left out)" if suite.left_out else "")
    every = "both" if n == 2 else f"all {n}"
    return (f"each loss ranked on its {ranked_on(suite)} per problem; {k} losses shared by "
            f"{every} {kind}problems{left}; Friedman test; pairwise {POSTHOC} "
            f"(differences of each problem's {suite.scale}); α = {suite.alpha:g}")


def wilcoxon_floor(problems: int) -> float:
    """The smallest two-sided exact Wilcoxon signed-rank p over ``problems`` pairs: 2 / 2^N."""
    return 2.0 ** (1 - problems)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def suite_line(suite: Suite) -> str:
    """One quotable line: who ranks first and on what average rank, whom the pairwise
    tests tie with it, the Friedman test, the pairs told apart (or why none can be), and
    the protocol in brackets."""
    m = suite.matrix
    n, k = len(m.problems), len(m.losses)
    kind = f"{suite.kind} " if suite.kind else ""
    best = suite.ranking[0]
    first = [loss for loss in suite.ranking
             if suite.average_ranks[loss] == suite.average_ranks[best]]
    lead = (f"over {n} {kind}problems ({', '.join(m.problems)}), {_names(first)} "
            f"rank{'s' if len(first) == 1 else ''} first (average rank "
            f"{suite.average_ranks[best]:.2f} of {k})")
    tied = suite.tied_for_best
    if len(tied) == k:
        lead += (f"; the pairwise tests tie {best} with "
                 + ("every other loss" if k > 2 else "the other"))
    elif len(tied) > 1:
        lead += f"; the pairwise tests tie {best} with {_names(tied[1:])} and no other"
    else:
        lead += f"; the pairwise tests put {best} ahead of every other loss"
    fr = suite.friedman
    if not math.isfinite(fr.chi2):  # every loss tied on every problem: no spread of ranks
        lead += "; every loss ties on every problem: nothing for the Friedman test to test"
    else:
        lead += (f"; Friedman χ²({fr.df}) = {fr.chi2:.2f}, {p_words(fr.p)}: "
                 + ("the losses rank differently" if fr.p < suite.alpha
                    else "no evidence the losses rank differently"))
    apart = [p for p in suite.pairs if p.p_holm < suite.alpha]
    if apart:
        lead += "; told apart: " + ", ".join(f"{p.a} over {p.b} ({p_words(p.p_holm)})"
                                             for p in apart)
    elif wilcoxon_floor(n) >= suite.alpha:
        lead += (f"; with {n} problems no Wilcoxon p can fall below {wilcoxon_floor(n):.3f}, "
                 "so no pair can be told apart: more problems are needed")
    else:
        lead += "; no pair told apart"
    return f"{lead} ({protocol_words(suite)})"
