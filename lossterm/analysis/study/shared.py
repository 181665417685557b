"""The earlier protocol's phases (``Protocol.selection = "shared"``): one selection per
loss, then final seeds at the chosen rate.

Each loss is tuned once (``tune_seeds`` per rate, seeds apart from the final ones), a best
rate at an edge extends the grid once, and the final seeds train at the chosen rate. Its
replicates (the final seeds) leave the selection out, so its tests compare rates as much
as losses (:mod:`.replicate` says why): kept so the benchmarks can measure both
protocols, not recommended. Apart from :mod:`.replicated` because the two share no step
beyond the :class:`.context.StudyContext` they both use.
"""

from __future__ import annotations

from lossterm.analysis.study.context import StudyContext, figures_on_test
from lossterm.analysis.study.protocol import extension
from lossterm.analysis.study.results import EXTENDED, FINAL, TUNING, LossStudy
from lossterm.analysis.study.tuning import GridPoint, choose, edge, run_score, score_points
from lossterm.training.records import Job


def shared(c: StudyContext, jobs: list[Job]) -> list[LossStudy]:
    """Tune each loss once (``tune_seeds`` per rate), then train the final seeds at the
    chosen rate."""
    p = c.protocol
    tune_seeds = {id(job): p.tuning_seeds(job.seed) for job in jobs}  # each loss's own base
    checkpoint = p.checkpoint if c.metric == c.on_epochs else "last"
    tuning = [(job, c.jobs(job, c.grid, tune_seeds[id(job)], checkpoint)) for job in jobs]
    trained = c.train(TUNING, [j for _, planned in tuning for j in planned], checkpoint)
    studies = []
    for job, planned in tuning:
        mine = trained.of(planned)
        scoring = c.scoring[job.loss.name]
        points = score_points(list(c.grid), mine, scoring)
        studies.append((job, LossStudy(
            job.loss.name, points, choose(points, c.centre, c.higher), tuning=list(mine),
            tuning_scores=[run_score(r, scoring)[0] for r in mine])))
    _extend(studies, c, tune_seeds, checkpoint)
    _final(studies, c)
    return [s for _, s in studies]


def _extend(studies, c: StudyContext, tune_seeds, checkpoint) -> None:
    """Extend, once, the grids of losses whose best rate was at an edge; warn if still."""
    wanted = []
    for job, s in studies:
        side = None if s.chosen is None else edge(s.points, s.chosen)
        if side and c.protocol.extend_points > 0:
            s.extended = side
            more = extension(c.grid, side, c.protocol.extend_points)
            wanted.append((s, more, c.jobs(job, more, tune_seeds[id(job)], checkpoint)))
    if wanted:
        extra = c.train(EXTENDED, [j for _, _, planned in wanted for j in planned], checkpoint)
        for s, more, planned in wanted:
            mine = extra.of(planned)
            s.tuning += mine
            s.tuning_scores += [run_score(r, c.scoring[s.loss])[0] for r in mine]
            s.points = _merge(s.points, score_points(list(more), mine, c.scoring[s.loss]))
            s.chosen = choose(s.points, c.centre, c.higher)
    for _, s in studies:
        s.warning = _edge_warning(s)


def _edge_warning(s: LossStudy) -> str | None:
    if s.chosen is None:
        return (f"{s.loss}: no learning rate of the grid trained to the end on every "
                "tuning seed; it has no final runs")
    side = edge(s.points, s.chosen)
    if not side:
        return None
    return (f"{s.loss}: the best learning rate ({s.points[s.chosen].learning_rate:g}) is at "
            f"the {side} edge of the grid" + (" even after extending it once" if s.extended
                                               else "")
            + "; the best rate may lie beyond it (widen --lr-grid)")


def _merge(points: list[GridPoint], more: list[GridPoint]) -> list[GridPoint]:
    return sorted(points + more, key=lambda p: p.learning_rate)


def _final(studies, c: StudyContext) -> None:
    """Final runs at each chosen rate, then the test split read once per kept model."""
    p = c.protocol
    chosen = [(job, s, c.jobs(job, [s.chosen_learning_rate], p.final_seeds(job.seed),
                              p.checkpoint))  # each loss's own seed base (the same in a study)
              for job, s in studies if s.chosen is not None]
    results = c.train(FINAL, [j for _, _, planned in chosen for j in planned], p.checkpoint)
    for job, s, planned in chosen:
        s.not_applicable = c.not_applicable(job)
        s.final = results.of(planned)
        for run in s.final:
            score, epoch = run_score(run, c.scoring[s.loss])
            if score is None or run.weights is None:
                continue
            s.validation[run.seed], s.checkpoints[run.seed] = score, epoch
            s.test_metrics[run.seed] = figures_on_test(c.problem, job, run.weights)
            s.run_tests[run.seed] = s.test_metrics[run.seed]
            value = s.test_metrics[run.seed][c.metric]
            if value is not None:  # e.g. ROC AUC of a test split with one class
                s.test[run.seed] = value
