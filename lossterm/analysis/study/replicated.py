"""The default protocol's phases: selection inside every replicate.

Every replicate of every loss trains the whole grid from its own seeds (one population
call for all), a replicate whose best rate is at an edge extends its grid once, each
chooses its rate and checkpoint on validation, and its chosen models are read on test
once. Why the choice sits inside the replicate: :mod:`.replicate`, which holds the
:class:`Replicate` record and its choice; this module runs the phases that fill it.
Apart from :mod:`.shared` (the earlier protocol) because the two share no step beyond
the :class:`.context.StudyContext` they both use.
"""

from __future__ import annotations

from collections import Counter

from lossterm.analysis.study.context import StudyContext, Trained, figures_on_test
from lossterm.analysis.study.protocol import extension
from lossterm.analysis.study.replicate import (
    Replicate,
    chosen_counts,
    mean_metrics,
    modal_index,
    pooled_points,
    replicate_seeds,
)
from lossterm.analysis.study.results import EXTENDED, TUNING, LossStudy
from lossterm.analysis.study.tuning import run_score
from lossterm.training.records import Job


def replicated(c: StudyContext, jobs: list[Job]) -> list[LossStudy]:
    """Every replicate of every loss searches the grid from its own seeds and chooses on
    validation; its chosen models are its final models, read on test once."""
    p = c.protocol
    checkpoint = p.checkpoint
    studies = [(job, [Replicate(seed, replicate_seeds(seed, p.tune_seeds))
                      for seed in p.final_seeds(job.seed)]) for job in jobs]
    trained = c.train(TUNING, [j for job, reps in studies for rep in reps
                               for j in c.jobs(job, c.grid, rep.seeds, checkpoint)], checkpoint)
    for job, reps in studies:
        for rep in reps:
            rep.runs = trained.of(c.jobs(job, c.grid, rep.seeds, checkpoint))
            rep.select(c.scoring[job.loss.name], c.centre, c.higher)
    _extend_replicates(c, studies, checkpoint)
    return [_loss_of_replicates(c, job, reps) for job, reps in studies]


def _extend_replicates(c: StudyContext, studies, checkpoint: str) -> None:
    """A replicate whose best rate is at an edge of the grid tries ``extend_points`` more
    rates beyond it, once, and chooses again among all its rates."""
    wanted = []
    for job, reps in studies:
        for rep in reps:
            side = rep.at_edge
            if side and c.protocol.extend_points > 0:
                rep.extended = side
                more = extension(c.grid, side, c.protocol.extend_points)
                wanted.append((job, rep, c.jobs(job, more, rep.seeds, checkpoint)))
    planned = [j for _, _, mine in wanted for j in mine]
    extra = c.train(EXTENDED, planned, checkpoint) if planned else Trained(EXTENDED, [])
    for job, rep, mine in wanted:
        rep.runs += extra.of(mine)
        rep.select(c.scoring[job.loss.name], c.centre, c.higher)


def _loss_of_replicates(c: StudyContext, job: Job, reps: list[Replicate]) -> LossStudy:
    """A loss's study from its replicates: each chosen model read on test once."""
    name = job.loss.name
    points = pooled_points(reps)
    s = LossStudy(name, points, modal_index(points, chosen_counts(reps), c.centre),
                  replicates=reps, not_applicable=c.not_applicable(job))
    s.extended = _sides(reps)
    for rep in reps:
        s.tuning += rep.runs
        s.tuning_scores += [run_score(r, c.scoring[name])[0] for r in rep.runs]
        chosen = [r for r in rep.chosen_runs if r.weights is not None]
        weights = {r.seed: r.weights for r in rep.chosen_runs if r.weights is not None}
        if rep.chosen is None or len(chosen) < len(rep.seeds):
            continue
        s.final += chosen
        for run in chosen:
            s.run_tests[run.seed] = figures_on_test(c.problem, job, weights[run.seed])
        rep.test_metrics = mean_metrics([s.run_tests[r.seed] for r in chosen])
        if rep.validation is not None and rep.checkpoint is not None:  # a chosen rate has both
            s.validation[rep.seed], s.checkpoints[rep.seed] = rep.validation, rep.checkpoint
        s.test_metrics[rep.seed] = rep.test_metrics
        value = rep.test_metrics.get(c.metric)
        if value is not None:  # e.g. ROC AUC of a test split with one class
            s.test[rep.seed] = value
    s.warning = _replicate_warning(s)
    return s


def _sides(reps: list[Replicate]) -> str | None:
    """'upper', 'lower' or 'lower and upper' when some replicate extended its grid."""
    sides = sorted({r.extended for r in reps if r.extended})
    return " and ".join(sides) or None


def _replicate_warning(s: LossStudy) -> str | None:
    """Replicates with no rate that trained to the end, or whose best rate stayed at an
    edge after extending: said once per loss, with how many."""
    n = len(s.replicates)
    lost = sum(r.chosen is None for r in s.replicates)
    at_edge = Counter(r.at_edge for r in s.replicates if r.at_edge)
    parts = []
    if lost:
        parts.append(f"in {lost} of {n} replicates no learning rate of the grid trained to "
                     "the end; they have no test figure")
    for side, count in sorted(at_edge.items()):
        parts.append(f"in {count} of {n} replicates the best learning rate is at the {side} "
                     "edge of the grid even after extending it once; the best rate may lie "
                     "beyond it (widen --lr-grid)")
    return f"{s.loss}: " + "; ".join(parts) if parts else None
