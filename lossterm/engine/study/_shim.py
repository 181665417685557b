"""TEMPORARY: population training with checkpoints until ``sweep`` trains populations
(the lead's "sweep: population" / "population: checkpoint" commits). Removed at merge."""

from __future__ import annotations

import numpy as np

from lossterm.engine.population import Member, Population
from lossterm.engine.training import new_result


def train_jobs(jobs, phase, on_epoch=None, on_done=None):
    groups: dict[tuple, list[int]] = {}
    for i, job in enumerate(jobs):
        key = job.population
        groups.setdefault(key, []).append(i)
    results = [None] * len(jobs)
    for indices in groups.values():
        first = jobs[indices[0]]
        hyper = {"momentum": first.momentum} if first.optimizer == "sgd" else {}
        pop = Population(first.problem, first.loss, batch_size=first.batch_size,
                         hidden_units=first.layers, optimizer=first.optimizer, **hyper)
        members = [Member(jobs[i].seed, jobs[i].learning_rate) for i in indices]
        keeper = _BestKeeper(pop, len(members), "val_" + phase.epoch_metric, phase.epoch_higher,
                             phase.checkpoint == "best",
                             None if on_epoch is None else
                             (lambda k, r: on_epoch(indices[k], r)))
        outcomes = pop.run(members, epochs=first.epochs, on_epoch=keeper)
        for k, (i, o) in enumerate(zip(indices, outcomes)):
            r = new_result(jobs[i])
            r.records, r.status, r.message = o.records, o.status, o.message
            r.seconds = sum(x.seconds for x in o.records)
            r.learning_rate, r.optimizer = jobs[i].learning_rate, first.optimizer
            if phase.checkpoint == "best":
                r.weights, r.best_epoch = keeper.weights[k], keeper.epoch[k]
            else:
                r.weights, r.best_epoch = o.weights, None
            results[i] = r
            if on_done is not None:
                on_done(i, r)
    return results


class _BestKeeper:
    def __init__(self, pop, n, key, higher, active, forward):
        self.pop, self.key, self.higher, self.active, self.forward = pop, key, higher, active, forward
        self.best = [None] * n
        self.weights = [None] * n
        self.epoch = [None] * n
        self.current, self.rows, self.seen, self.cache = 0, list(range(n)), [], None

    def __call__(self, i, record):
        if self.forward is not None:
            self.forward(i, record)
        if not self.active:
            return
        if record.epoch != self.current:
            if self.current:
                self.rows = self.seen
            self.current, self.seen, self.cache = record.epoch, [], None
        self.seen.append(i)
        v = record.logs[self.key]
        b = self.best[i]
        if b is None or (v > b if self.higher else v < b):
            if self.cache is None:
                self.cache = self.pop.engine.weights()
            self.weights[i] = [np.array(w) for w in self.cache[self.rows.index(i)]]
            self.best[i], self.epoch[i] = v, record.epoch
