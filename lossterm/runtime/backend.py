"""Importing Keras quietly, once, off the start-up path.

TensorFlow 2.21 prints C++ INFO lines and absl warnings straight to file
descriptor 2 while it loads, whatever ``TF_CPP_MIN_LOG_LEVEL`` says; in a TUI
they would land on the screen. The import is done with fd 2 pointed at a
temporary file, and what it printed is kept for the error message if the
import fails.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import sys
import tempfile
import threading

from lossterm.core.errors import LosstermError, UsageError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

_lock = threading.Lock()
BACKENDS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}  # name -> module


def installed_backends() -> list[str]:
    return [name for name, module in BACKENDS.items() if importlib.util.find_spec(module)]


def choose_backend(name: str | None) -> str:
    """Pick the Keras backend before Keras loads: ``name``, else $KERAS_BACKEND.

    Raises UsageError naming what is installed when the choice is not.
    """

    name = (name or os.environ.get("KERAS_BACKEND") or "tensorflow").lower()
    if name not in BACKENDS:
        raise UsageError(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")
    if "keras" in sys.modules and sys.modules["keras"].backend.backend() != name:
        raise UsageError(f"Keras is already loaded with another backend than {name}")
    if name not in installed_backends():
        have = ", ".join(installed_backends()) or "none"
        raise UsageError(f"the {name} backend is not installed here (pip install {name}); "
                         f"installed: {have}")
    os.environ["KERAS_BACKEND"] = name
    return name


@contextlib.contextmanager
def _stderr_to_file():
    """Point fd 2 at a temporary file for the duration; yield the file."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield sink
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def configure_threads() -> bool:
    """One thread per TensorFlow kernel, unless ``TF_NUM_INTRAOP_THREADS`` says otherwise.

    Only possible before TensorFlow runs its first op (the setting is fixed
    then); returns whether it was set. Numbers do not change: each kernel's
    arithmetic is the same on one thread (the tests compare histories exactly).
    """

    import tensorflow as tf

    if "TF_NUM_INTRAOP_THREADS" in os.environ:
        return False
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow has run an op already
        return False
    return True


def load_keras():
    """Import and return ``keras`` (TensorFlow backend unless told otherwise)."""
    if "keras" in sys.modules and hasattr(sys.modules["keras"], "Sequential"):
        return sys.modules["keras"]
    with _lock:
        with _stderr_to_file() as sink:
            try:
                import keras
                if keras.backend.backend() == "tensorflow":
                    import tensorflow as tf

                    tf.get_logger().setLevel("ERROR")
                    configure_threads()  # before any op runs, or it cannot be set
                    tf.config.list_physical_devices()  # device probing logs too (cuInit)
            except Exception as exc:  # any failure to load is one line for the user
                sink.seek(0)
                tail = sink.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
                raise LosstermError(
                    f"could not load Keras ({type(exc).__name__}: {exc}) {tail[0]}".strip()
                ) from exc
        import keras

        _spare_the_collector()
        return keras


def _spare_the_collector() -> None:
    """Keep Python's full garbage collections off the million objects Keras and its
    backend leave behind: they live as long as the process, and a full collection
    walked all of them, holding the GIL 250-330 ms each time (measured), which stalls
    the population workers' Python between their compiled epochs. ``gc.freeze`` moves
    what exists now out of the collector's sight; later objects are collected as usual."""

    gc.freeze()


def backend_name() -> str:
    return load_keras().backend.backend()


def running_backend() -> str:
    """The backend this process trains with, without loading Keras: the loaded Keras's,
    else the one it will load ($KERAS_BACKEND, which :func:`choose_backend` sets)."""
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        return keras.backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow").lower()


def describe_backend() -> str:
    """One line: Keras version, backend, and the device training runs on."""
    keras = load_keras()
    name = keras.backend.backend()
    return f"Keras {keras.__version__}, {name} backend, training on {_device(name)}"


def training_device() -> str:
    """The device this process trains on (``CPU`` or ``GPU (NAME)``), Keras loaded."""
    return _device(backend_name())


def _device(backend: str) -> str:
    """The device Keras places the model on: a GPU's name where there is one."""
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            return f"GPU ({details.get('device_name', gpus[0].name)})"
    elif backend == "jax":
        import jax

        device = jax.devices()[0]
        if device.platform != "cpu":
            return f"GPU ({device.device_kind})"
    elif backend == "torch":
        import torch

        if torch.cuda.is_available():
            return f"GPU ({torch.cuda.get_device_name(0)})"
    return "CPU"
