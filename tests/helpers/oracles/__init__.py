"""Reference implementations the tests (and ``benchmarks/bench_population.py``) measure the
population engine against; none of this ships in the package.

``Session`` is the first release's one-run-at-a-time path: Keras's own model,
loss and optimizer objects, one epoch per call (``graph.py``). A population of
one must give its numbers.
"""

from tests.helpers.oracles.session import Session

__all__ = ["Session"]
