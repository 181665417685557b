"""Keras backends: TensorFlow by default, others where installed, a clear error otherwise."""

import importlib.util
import json

import pytest

from lossterm.engine.backend import BACKENDS, installed_backends

MISSING = [name for name in BACKENDS if importlib.util.find_spec(BACKENDS[name]) is None]


def test_tensorflow_is_installed_and_the_default(lossterm_cli):
    assert "tensorflow" in installed_backends()
    done = lossterm_cli("--headless", "--loss", "mae", "--epochs", "1", env={"KERAS_BACKEND": ""})
    assert "tensorflow backend" in done.stdout


@pytest.mark.skipif(not MISSING, reason="every backend is installed here")
def test_a_missing_backend_is_one_line_and_exit_2(lossterm_cli):
    name = MISSING[0]
    for args, env in (((["--backend", name]), None), ([], {"KERAS_BACKEND": name})):
        done = lossterm_cli("--headless", *args, env=env)
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"lossterm: error: the {name} backend is not installed here (pip install {name}); "
            f"installed: {', '.join(installed_backends())}")


def test_an_unknown_backend_in_the_environment(lossterm_cli):
    done = lossterm_cli("--headless", env={"KERAS_BACKEND": "numpyish"})
    assert done.returncode == 2 and "unknown backend 'numpyish'" in done.stderr


@pytest.mark.skipif("jax" not in installed_backends(), reason="JAX is not installed here")
def test_jax_agrees_with_tensorflow_within_seed_noise(lossterm_cli):
    means = {}
    for backend in ("tensorflow", "jax"):
        done = lossterm_cli("--headless", "--backend", backend, "--problem", "blobs", "--loss",
                            "cce", "--epochs", "20", "--seeds", "5", "--format", "json")
        assert done.returncode == 0, done.stderr
        (summary,) = json.loads(done.stdout)["summaries"]
        means[backend] = summary["test"]
    spread = 3 * max(means["tensorflow"]["std"], means["jax"]["std"]) + 0.01
    assert abs(means["tensorflow"]["mean"] - means["jax"]["mean"]) <= spread
