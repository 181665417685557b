"""Watching a study (issue 21 item 6), without an app: the share done, the estimate of the
time left, each loss's median curve, the planned total, and the throttle."""

import math

from lossterm import service
from lossterm.analysis.study import Protocol
from lossterm.app.messages import StudyCurves, StudyProgress
from lossterm.app.watch import Progress, StudyWatch, left_text, median_curve
from lossterm.options import Options
from lossterm.training.fit import new_result
from lossterm.training.records import EpochRecord, RunConfig


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _jobs(losses=("bce", "hinge"), epochs=4):
    options = Options(problems=("circles",), losses=losses, base=RunConfig("", "", epochs=epochs))
    return service.plan(options).runs


def _record(epoch, value):
    logs = {"loss": value, "val_loss": value, "accuracy": value, "val_accuracy": value}
    return EpochRecord(epoch, value, value, value, value, 0.01, logs)


def test_the_share_done_moves_with_every_epoch_and_the_estimate_waits_for_a_run_to_end():
    clock = Clock()
    jobs = _jobs()
    progress = Progress(planned=4, clock=clock)
    progress.phase(jobs)  # two runs of four epochs: half of the planned four
    assert progress.fraction == 0 and progress.left() is None
    clock.now += 10
    for _ in range(2):
        progress.epoch(0)
    assert progress.fraction == 0.125 and progress.left() is None  # no run has ended yet
    progress.epoch(0), progress.epoch(0)
    progress.ended(0)
    assert progress.fraction == 0.25 and progress.done == 1
    # one run in 10 s: three left, about 30 s
    assert math.isclose(progress.left(), 30.0)


def test_the_time_left_follows_the_recent_pace():
    """The first losses trained ten runs in 10 s; the last train one in 10 s: the estimate
    is the last 15 s's pace, not the whole time's (which would say far less)."""
    clock = Clock()
    progress = Progress(planned=20, clock=clock)
    progress.phase(_jobs() * 10)  # 20 runs
    for index in range(10):
        progress.ended(index)
    clock.now += 10
    assert math.isclose(progress.left(), 10.0)
    for index in range(10, 13):
        clock.now += 10
        progress.ended(index)
        progress.left()
    # 7 runs left at 10 s a run (the sample just before the window on: 2 runs in 20 s);
    # the whole time's pace, 13 runs in 40 s, would say about 22 s
    assert math.isclose(progress.left(), 70.0)


def test_an_extended_grid_adds_its_runs_and_runs_from_the_store_count_done_not_towards_pace():
    clock = Clock()
    jobs = _jobs()
    progress = Progress(planned=4, clock=clock)
    progress.phase(jobs, kept=2)  # two of the phase's four read back from the store
    assert progress.done == 2 and progress.total == 4 and progress.fraction == 0.5
    clock.now += 8
    for index in range(2):
        progress.ended(index)
    assert progress.done == 4 and progress.left() == 0
    progress.phase(jobs[:1], extra=True)  # the tuning's grid extended by one run
    assert progress.total == 5 and math.isclose(progress.left(), 4.0)  # 8 s for 2 runs


def test_the_time_left_reads_as_a_person_says_it():
    assert [left_text(s) for s in (0.2, 42, 150, 3900)] == [
        "about 1 s left", "about 42 s left", "about 2 min left", "about 1 h 5 min left"]


def test_the_median_curve_is_over_the_runs_that_reached_each_epoch():
    assert median_curve([[1.0, 2.0, 9.0], [3.0, math.nan], [5.0]]) == [3.0, 2.0, 9.0]
    assert median_curve([]) == []


def test_the_planned_total_counts_every_replicate_rate_and_sweep_point():
    protocol = Protocol(grid=(0.01, 0.1, 1.0), seeds=3, tune_seeds=2)
    options = Options(problems=("circles",), losses=("bce", "hinge"), protocol=protocol)
    study = service.study_work(options)
    assert service.planned_count(study) == 2 * 3 * 3 * 2
    sweep = service.sweep_work(Options(problems=("circles",), losses=("bce", "hinge"),
                                       protocol=protocol, noise_rates=(0.0, 0.3)))
    assert service.planned_count(sweep) == 2 * (2 * 3 * 3 * 2)
    shared = service.study_work(Options(problems=("circles",), losses=("bce",),
                                        protocol=Protocol(grid=(0.1, 1.0), seeds=4,
                                                          selection="shared")))
    assert service.planned_count(shared) == 2 + 4  # one tuning seed a rate, then 4 final


def test_the_watch_posts_at_most_once_an_interval_and_nothing_after_it_closes():
    clock, posted = Clock(), []
    jobs = _jobs()
    watch = StudyWatch("circles", posted.append, planned=2, clock=clock, every=0.25)
    watch.phase_started("tuning", jobs)
    assert [type(m) for m in posted] == [StudyProgress, StudyCurves]  # a phase: at once
    for epoch in range(1, 5):
        watch.epoch_ended(0, _record(epoch, 0.5))
        watch.epoch_ended(1, _record(epoch, 0.7))
    assert len(posted) == 2  # eight epochs inside the interval: none posted, one pending
    watch.flush()  # what the timer does when the interval is over
    progress, curves = posted[2:]
    assert isinstance(progress, StudyProgress) and progress.fraction == 1.0
    assert [(line.loss, line.runs, line.series["val_accuracy"]) for line in curves.lines] == [
        (jobs[0].loss.short_name, 1, [0.5] * 4), (jobs[1].loss.short_name, 1, [0.7] * 4)]
    clock.now += 1
    watch.run_ended(0, new_result(jobs[0]))
    assert len(posted) == 5 and posted[4].overall_done == 1  # the interval over: at once
    watch.close()
    clock.now += 1
    watch.run_ended(1, new_result(jobs[1]))
    watch.flush()
    assert len(posted) == 5


def test_on_a_cluster_the_progress_line_counts_the_groups_back_from_the_workers():
    clock, posted = Clock(), []
    jobs = _jobs()
    watch = StudyWatch("circles", posted.append, planned=2, clock=clock, every=0.25)
    watch.phase_started("tuning", jobs)
    assert posted[0].phase == "tuning"  # no cluster heard of: the phase alone
    clock.now += 1
    watch.group_ended(1, 2, 1, 2, "gpu-box (GPU (NVIDIA H100))")
    assert posted[-1].phase == "tuning · 1/2 groups back from the cluster (gpu-box (GPU (NVIDIA H100)))"
    clock.now += 1
    watch.phase_started("final", jobs)  # a new phase starts its count afresh
    assert posted[-2].phase == "final"
