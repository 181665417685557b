"""Keras backends: TensorFlow by default, others where installed, a clear error otherwise."""

import json
import os

import pytest

from lossterm.runtime.backend import BACKENDS, installed_backends


def test_tensorflow_is_installed_and_the_default(lossterm_cli):
    assert "tensorflow" in installed_backends()
    done = lossterm_cli("--headless", "--loss", "mae", "--epochs", "1", env={"KERAS_BACKEND": ""})
    assert "tensorflow backend" in done.stdout


def hiding(name: str, tmp_path) -> dict:
    """An environment in which ``name`` is not importable, as if it were not installed:
    a ``sitecustomize`` puts ``None`` in ``sys.modules`` for it, the documented way to
    block an import (``import`` raises ImportError, ``find_spec`` returns None)."""
    (tmp_path / "sitecustomize.py").write_text(f"import sys\nsys.modules[{name!r}] = None\n")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path),
                                                        os.environ.get("PYTHONPATH")]))}


@pytest.mark.parametrize("name", [n for n in BACKENDS if n != "tensorflow"])
def test_a_missing_backend_is_one_line_and_exit_2(lossterm_cli, tmp_path, name):
    hidden = hiding(name, tmp_path)
    installed = [n for n in installed_backends() if n != name]
    for args, env in (((["--backend", name]), hidden), ([], {**hidden, "KERAS_BACKEND": name})):
        done = lossterm_cli("--headless", *args, env=env)
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"lossterm: error: the {name} backend is not installed here (pip install {name}); "
            f"installed: {', '.join(installed)}")


def test_an_unknown_backend_in_the_environment(lossterm_cli):
    done = lossterm_cli("--headless", env={"KERAS_BACKEND": "numpyish"})
    assert done.returncode == 2 and "unknown backend 'numpyish'" in done.stderr


@pytest.mark.parametrize("other", ["jax", "torch"])
def test_each_backend_agrees_with_tensorflow_within_seed_noise(lossterm_cli, other):
    assert other in installed_backends()  # the test extra installs both: never skipped
    means = {}
    for backend in ("tensorflow", other):
        done = lossterm_cli("--headless", "--backend", backend, "--problem", "blobs", "--loss",
                            "cce", "--epochs", "20", "--seeds", "5", "--format", "json")
        assert done.returncode == 0, done.stderr
        (summary,) = json.loads(done.stdout)["summaries"]
        means[backend] = summary["test"]
    spread = 3 * max(means["tensorflow"]["std"], means[other]["std"]) + 0.01
    assert abs(means["tensorflow"]["mean"] - means[other]["mean"]) <= spread
