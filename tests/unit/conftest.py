"""What makes a test a unit test here, checked as it runs: it trains nothing, starts no
process and drives no app. Each of those fails the test with a message saying where it
belongs, so the fast lane (``pytest tests/unit``, under a minute) stays fast as tests are
added. Training started on a worker thread is caught too: the refusal is recorded, and the
test fails at teardown even if the thread swallowed the exception."""

import subprocess

import pytest
from textual.app import App

from lossterm.training.fit import Session
from lossterm.training.population.jax import JaxEngine
from lossterm.training.population.tf import TensorFlowEngine
from lossterm.training.population.torch import TorchEngine


@pytest.fixture(autouse=True)
def unit_test_contract(monkeypatch):
    refused: list[str] = []

    def refuse(what: str, where: str):
        def refusal(*args, **kwargs):
            refused.append(f"a unit test {what}: it belongs in {where}")
            pytest.fail(refused[-1], pytrace=False)

        return refusal

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("started a process", "tests/integration"))
    monkeypatch.setattr(Session, "_loop", refuse("trained a model", "tests/integration"))
    for engine in (TensorFlowEngine, JaxEngine, TorchEngine):
        monkeypatch.setattr(engine, "epoch", refuse("trained a population", "tests/integration"))
    monkeypatch.setattr(App, "run_test", refuse("drove the app", "tests/tui"))
    monkeypatch.setattr(App, "run", refuse("ran the app", "tests/tui"))
    yield
    if refused:
        pytest.fail(refused[0], pytrace=False)
