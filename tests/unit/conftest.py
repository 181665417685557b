"""What makes a test a unit test here, checked as it runs: it trains nothing, starts no
process and drives no app. Each of those fails the test with a message saying where it
belongs, so the fast lane (``pytest tests/unit``, under a minute) stays fast as tests are
added. Training started on a worker thread is caught too: the refusal is recorded, and the
test fails at teardown even if the thread swallowed the exception."""

import os
import subprocess
import sys
import threading

import pytest
from textual.app import App

from lossterm.training.population.jax import JaxEngine
from lossterm.training.population.tf import TensorFlowEngine
from lossterm.training.population.torch import TorchEngine

OURS = {"lossterm", "tmux", "ruff", "bash", "sh"}  # besides Python: the app, a terminal, a shell


def _ours(args) -> bool:
    """A process a test starts: Python (the command line, a script), lossterm, tmux, a shell.
    Libraries probing the machine on first import (platform's ``uname -p``, ctypes'
    ``ldconfig``) are not the test's doing and go through."""
    if isinstance(args, (str, bytes, os.PathLike)):
        args = os.fsdecode(args).split() if isinstance(args, (str, bytes)) else [args]
    program = os.fsdecode(args[0]) if args else ""
    name = os.path.basename(program)
    return program == sys.executable or name.startswith("python") or name in OURS


@pytest.fixture(autouse=True)
def unit_test_contract(monkeypatch):
    refused: list[str] = []

    def refuse(what: str, where: str):
        def refusal(*args, **kwargs):
            message = f"a unit test {what}: it belongs in {where}"
            if threading.current_thread() is not threading.main_thread():
                refused.append(message)  # a worker thread may swallow the failure: teardown says it
            pytest.fail(message, pytrace=False)

        return refusal

    start = subprocess.Popen.__init__
    refused_start = refuse("started a process", "tests/integration")

    def starting(self, args, *rest, **kwargs):
        if _ours(args):
            refused_start()
        start(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", starting)
    for engine in (TensorFlowEngine, JaxEngine, TorchEngine):  # every model lossterm trains
        monkeypatch.setattr(engine, "epoch", refuse("trained a model", "tests/integration"))
    monkeypatch.setattr(App, "run_test", refuse("drove the app", "tests/tui"))
    monkeypatch.setattr(App, "run", refuse("ran the app", "tests/tui"))
    yield
    if refused:
        pytest.fail(refused[0], pytrace=False)
