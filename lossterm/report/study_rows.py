"""The figures and rows every form of a study report shows: values as people read them,
the sparkline, the ranking, the metric matrix, the isolation view, the pairs.

Apart from the renderers (:mod:`.study` for text and Markdown, :mod:`.study_data` for
JSON and TensorBoard) because all of them read the same figures, and a figure that
differs between two forms of one report is a bug.
"""

from __future__ import annotations

import math

from lossterm.analysis.stats import summarize
from lossterm.analysis.study import LossStudy, ProblemStudy
from lossterm.core.metric import get_metric, metric_names_for, metric_title
from lossterm.report.rows import remarks
from lossterm.report.verdict import mean_flag
from lossterm.report.verdict import pair_rows as verdict_pair_rows

SPARKS = "▁▂▃▄▅▆▇█"
NO_SCORE = "×"  # a grid point where some tuning run diverged

# --- figures -------------------------------------------------------------------------------


def value(study: ProblemStudy, v: float | None) -> str:
    """A metric value as people read it: 3 decimals for shares, 4 significant digits else."""
    if v is None or not math.isfinite(v):
        return "—"
    return get_metric(study.metric).text(v)


def rate(lr: float | None) -> str:
    return "—" if lr is None else f"{lr:.3g}"


def sparkline(scores: list[float | None], higher: bool) -> str:
    """One character per grid point, taller = better; ``×`` where a run diverged. Errors
    (lower is better, positive) are drawn on a log scale: they span decades over a grid."""
    finite = [s for s in scores if s is not None]
    if not finite:
        return NO_SCORE * len(scores)
    scale = math.log if not higher and min(finite) > 0 else float  # errors span decades
    low, high = scale(min(finite)), scale(max(finite))
    out = []
    for s in scores:
        if s is None:
            out.append(NO_SCORE)
            continue
        s = scale(s)
        share = 0.5 if high == low else (s - low) / (high - low)
        out.append(SPARKS[round((share if higher else 1 - share) * (len(SPARKS) - 1))])
    return "".join(out)


def test_summary(study: ProblemStudy, loss: LossStudy):
    return summarize(list(loss.test.values()), study.metric)


def validation_mean(loss: LossStudy) -> float | None:
    return (sum(loss.validation.values()) / len(loss.validation)) if loss.validation else None


def chosen_words(s: LossStudy) -> str:
    """The chosen rate, or with replicates the rate most chose and how many chose it."""
    counts = s.chosen_rates
    if not counts:
        return "—"
    if not s.replicates:
        return rate(s.chosen_learning_rate)
    lr, n = next(iter(counts.items()))
    return rate(lr) if n == len(s.replicates) else f"{rate(lr)} ({n}/{len(s.replicates)})"

# --- rows ----------------------------------------------------------------------------------


LOSS_COLUMNS = ("rank", "loss", "chosen lr", "validation", "test mean ± sd", "test 95% CI",
                "seeds", "tied for best")


def loss_rows(study: ProblemStudy) -> list[tuple[str, ...]]:
    order = study.verdict.ranking + [s.loss for s in study.losses
                                     if s.loss not in study.verdict.ranking]
    rows: list[tuple[str, ...]] = []
    for loss in order:
        s = study.loss(loss)
        t = test_summary(study, s)
        rank = str(study.verdict.ranking.index(loss) + 1) if loss in study.verdict.ranking else ""
        pm = "—" if t.n == 0 else value(study, t.mean) + (
            "" if math.isnan(t.std) else f" ± {value(study, t.std)}") + mean_flag(s.test.values())
        ci = "—" if math.isnan(t.ci_low) else f"{value(study, t.ci_low)}–{value(study, t.ci_high)}"
        planned = study.protocol.seeds
        used = f"{len(s.test)}/{planned}" if len(s.test) != planned else str(len(s.test))
        rows.append((rank, loss, chosen_words(s), value(study, validation_mean(s)),
                     pm, ci, used, "yes" if loss in study.verdict.tied_for_best else ""))
    return rows


def pair_rows(study: ProblemStudy) -> list[tuple[str, ...]]:
    return verdict_pair_rows(study.verdict, study.metric)


def matrix_columns(study: ProblemStudy) -> tuple[str, ...]:
    """The kind's metrics, then any per-target ones the scores hold (``mse[a]``, ...)."""

    names = metric_names_for(study.kind)
    extra = dict.fromkeys(k for s in study.losses for m in s.test_metrics.values() for k in m
                          if k not in names)
    return names + tuple(extra)


def matrix_means(s: LossStudy, name: str) -> float | None:
    values = [v for m in s.test_metrics.values() if (v := m.get(name)) is not None]
    return float(sum(values) / len(values)) if values else None


def matrix_rows(study: ProblemStudy) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """The metric matrix: each loss's final models on every metric of the kind (test,
    mean over seeds), and each reason a figure is missing, said once."""

    names = matrix_columns(study)
    rows: list[tuple[str, ...]] = []
    reasons: dict[str, list[str]] = {}  # why a figure is missing -> the losses it is missing for
    for s in study.losses:
        cells = [s.loss]
        for name in names:
            v = matrix_means(s, name)
            if v is None and name in s.not_applicable:
                reasons.setdefault(s.not_applicable[name], []).append(s.loss)
                cells.append("n/a")
            else:
                cells.append("—" if v is None else f"{v:.4g}")
        rows.append(tuple(cells))
    notes = [f"n/a: {why.removeprefix('n/a — ')} ({', '.join(dict.fromkeys(losses))})"
             for why, losses in reasons.items()]
    return ("loss", *(metric_title(n) for n in names)), rows, notes


def run_remarks(study: ProblemStudy) -> tuple[list[str], list[str]]:
    """The final runs' warnings and notes (what the checks say of a loss on this data, and
    why a run diverged), each once, as the plain report gives them."""

    return remarks([r for s in study.losses for r in s.final])


def isolation_rows(study: ProblemStudy) -> list[tuple[str, str, str]]:
    """Per loss: a sparkline and the validation score at every rate, the chosen one marked."""
    rows = []
    for s in study.losses:
        cells = []
        for i, (lr, score) in enumerate(s.validation_curve):
            text = f"{rate(lr)}: {value(study, score) if score is not None else NO_SCORE}"
            cells.append(f"[{text}]" if i == s.chosen else text)
        rows.append((s.loss, sparkline([v for _, v in s.validation_curve], study.higher),
                     "  ".join(cells)))
    return rows
