"""What the TUI loads at start, off the UI thread: the data, the run history, then Keras.

The data comes first (fast) so the scatter and the picker's checks appear
while TensorFlow is still importing; each step reaches the screen as a message.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Callable

from textual.message import Message

from lossterm.app.messages import BackendFailed, BackendReady, DataReady, HistoryLoaded
from lossterm.core.errors import LosstermError
from lossterm.data.problems import PROBLEM_NAMES, get_problem
from lossterm.runtime.backend import backend_name, describe_backend, running_backend

HISTORY_ROWS = 30  # earlier runs listed from the store at start
BACKEND_TITLES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def loading_line() -> str:
    """The header while Keras loads, naming the backend it loads with (``--backend`` or
    $KERAS_BACKEND, as :func:`~lossterm.runtime.backend.choose_backend` set it): a
    ``--backend jax`` start that says "TensorFlow" reads as the option being ignored."""
    name = running_backend()
    return f"loading Keras with {BACKEND_TITLES.get(name, name)}…"


def load_backend() -> str:

    line = describe_backend()
    # What S needs, imported now rather than on the UI's watch when a study starts
    # (an import holds the GIL: measured 0.26 s of frozen UI without this).
    engine = {"tensorflow": "tf"}.get(backend_name(), backend_name())
    importlib.import_module(f"lossterm.training.population.{engine}")

    import sklearn.metrics  # noqa: F401  (the metric matrix scores the final models)

    # TensorFlow and Keras leave a million objects behind; a full collection walks them
    # all, holding the GIL for 250-330 ms (measured during a study: the UI froze). They
    # live as long as the process, so move them out of the collector's sight.
    gc.freeze()
    gc.set_threshold(700, 10, 100)  # full collections 10x rarer (Python's third is 10)
    return line


def load_until_cancelled(post: Callable[[Message], object], loader: Callable[[], str], store,
                         cancelled: Callable[[], bool]) -> None:
    """Load on a daemon thread; wait for it, or stop waiting when the app quits.

    The App's thread worker calls this. The imports themselves run in a daemon
    thread: a Textual thread worker still importing TensorFlow when the app
    quits would hold the exit for seconds (asyncio.run waits for its executor's
    threads), while a daemon thread is simply dropped.
    """
    loading = threading.Thread(target=load_everything, name="lossterm-load", daemon=True,
                               args=(post, loader, store))
    loading.start()
    while loading.is_alive() and not cancelled():
        loading.join(0.1)


def load_everything(post: Callable[[Message], object], loader: Callable[[], str],
                    store) -> None:
    """Runs on a daemon thread: reports through ``post`` (``post_message``) only."""
    for name in PROBLEM_NAMES:
        get_problem(name)
    post(DataReady())
    if store is not None:
        entries = store.entries(HISTORY_ROWS)
        post(HistoryLoaded([r for _, _, r in entries], [s for _, s, _ in entries]))
    try:
        post(BackendReady(loader()))
    except LosstermError as exc:
        post(BackendFailed(str(exc)))
