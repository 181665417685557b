"""The Textual TUI. Imported only when ``lossterm`` runs interactively."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import replace

from lossterm import service
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import (
    BUILTIN_PROBLEMS,
    canonical_problem_name,
    tutorial_problem_name,
)
from lossterm.losses import get_loss
from lossterm.options import Options


@contextlib.contextmanager
def terminal_on_private_fd():
    """Give Textual the terminal on a private fd; send fd 2 to a log file.

    Textual draws on ``sys.__stderr__``. TensorFlow's C++ code writes its logs
    straight to file descriptor 2 whenever it likes, which would scribble over
    the screen. So fd 2 goes to a temporary log while the app runs, and the
    terminal reaches Textual through a duplicate descriptor.
    """
    saved_stderr, saved_dunder = sys.stderr, sys.__stderr__
    terminal_fd = os.dup(2)
    terminal = os.fdopen(terminal_fd, "w", buffering=1, encoding="utf-8")
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open while stderr points at it)
    os.dup2(log.fileno(), 2)
    # typeshed marks sys.__stderr__ Final; Textual draws on it, so it is swapped on purpose
    sys.stderr = sys.__stderr__ = terminal  # type: ignore[misc]
    try:
        yield
    finally:
        terminal.flush()
        os.dup2(terminal_fd, 2)
        sys.stderr, sys.__stderr__ = saved_stderr, saved_dunder  # type: ignore[misc]
        terminal.close()
        log.close()


def _on_cluster(connection):
    """The header's loader with a cluster: this process's Keras (plain runs train here,
    live), then where studies and sweeps train.

    The cluster is reached before the screen is taken (an unreachable one: exit 2), and a
    ``local`` one started then: started from the loader's thread behind the first frame
    (0.9 s instead of 6.6 s measured), its workers' nannies failed to start under the
    running app ("Nanny failed to start"), so the first frame waits for it."""
    from lossterm.app.loading import load_backend

    def load() -> str:
        return f"{load_backend()}; studies on {connection.describe()}"

    return load


def launch(args) -> int:
    from lossterm.app.app import make_app

    # Bad options exit 2 before the screen is taken; no built-in data is made for it.
    options = Options.from_args(args)
    problem = (canonical_problem_name(BUILTIN_PROBLEMS[0] if options.every_problem
                                      else options.problems[0]) if options.problems else None)
    losses = [get_loss(name) for name in args.loss if name.lower() != "all"]
    loss = losses[0] if losses else None
    if loss is not None and problem is None:
        problem = tutorial_problem_name(loss.kind)  # `lossterm --loss hinge` opens on circles
    own = []
    if options.data:  # own data: loaded (or refused) before the screen is taken

        own = service.load_problems(replace(options, problems=(), perturbation=Perturbation()))
        problem = own[0].name
    loader = None
    if options.cluster is not None:  # reached (or refused, exit 2) before the screen is taken
        loader = _on_cluster(service.open_cluster(options, load_here=False))
    app = make_app(problem=problem, loss=loss.name if loss else None, seeds=options.seeds,
                   store=service.open_store(options), own_problems=own, options=options,
                   catch_signals=True, loader=loader)
    with terminal_on_private_fd():
        app.run()
    return app.return_code or 0
