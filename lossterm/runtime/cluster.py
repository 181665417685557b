"""Where a study's groups train when one machine is not enough: a Dask cluster.

Why Dask (``distributed``) and not threads of our own or Ray: a study is a bag of
independent populations, which is exactly a Dask task graph of one layer; Dask installs
in a 70 MB venv and a ``LocalCluster`` starts in 2–3 s here, where Ray is a 628 MB venv
and ``ray.init`` takes 7–9 s (issue 22's measurements). Its ``SSHCluster`` is "groups as
tasks over SSH hosts", and its scheduler already re-runs a task whose worker died.

Three forms of address, as ``--cluster`` takes them:

- ``local`` (or ``local:N``): a ``LocalCluster`` of N single-threaded worker processes
  on this machine (N: ``--jobs``, else the cores up to 8);
- ``tcp://HOST:PORT``: join a scheduler someone started (``dask scheduler`` and
  ``dask worker tcp://HOST:PORT`` on each box, with lossterm installed there);
- ``ssh:HOST1,HOST2,...``: an ``SSHCluster``; the first host runs the scheduler, every
  host a worker (Dask's own convention).

Connections are opened once per process and address and kept (a notebook calling
:func:`lossterm.study` twice reuses its ``LocalCluster``); :func:`close_all` ends them
(the command line does at exit). Nothing here imports Dask until an address is used.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import socket
import threading
import uuid
import warnings
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import forkserver
from typing import Any

from lossterm.core.errors import UsageError
from lossterm.runtime.backend import choose_backend, load_keras, running_backend, training_device

LOCAL, TCP, SSH = "local", "tcp", "ssh"
CONNECT_TIMEOUT = "10s"  # an unreachable scheduler is said after this long, not hung on
_lock = threading.Lock()
_open: dict[str, Connection] = {}


@dataclass(frozen=True)
class Address:
    """A parsed ``--cluster`` value: its form, and the hosts or scheduler or worker count."""

    form: str
    text: str
    hosts: tuple[str, ...] = ()
    workers: int | None = None

    def __str__(self) -> str:
        return self.text


def parse_address(text: str) -> Address:
    """``local``, ``local:N``, ``tcp://HOST:PORT`` or ``ssh:HOST1,HOST2``; anything else is
    a :class:`UsageError` naming the three forms."""
    value = text.strip()
    if value == LOCAL or value.startswith(LOCAL + ":"):
        count = value.partition(":")[2]
        if count and (not count.isdigit() or int(count) < 1):
            raise UsageError(f"{{field}} local:N needs a whole number of workers, not {count!r}",
                             field="cluster")
        return Address(LOCAL, value, workers=int(count) if count else None)
    if value.startswith("tcp://") or value.startswith("tls://"):
        host = value.split("://", 1)[1]
        if not host or ":" not in host:
            raise UsageError(f"{{field}} {value!r} needs a port: tcp://HOST:PORT", field="cluster")
        return Address(TCP, value)
    if value.startswith("ssh:"):
        hosts = tuple(h.strip() for h in value[4:].split(",") if h.strip())
        if not hosts:
            raise UsageError("{field} ssh: needs hosts: ssh:HOST1,HOST2,...", field="cluster")
        return Address(SSH, value, hosts=hosts)
    raise UsageError(f"{{field}} {value!r} is not an address: use local, tcp://HOST:PORT or "
                     "ssh:HOST1,HOST2,...", field="cluster")


class Connection:
    """A Dask client, and the cluster this process started for it (None when it joined a
    running scheduler)."""

    def __init__(self, address: Address, client: Any, cluster: Any = None):
        self.address, self.client, self.cluster = address, client, cluster
        self._shipped: dict[str, Any] = {}
        self._ship_lock = threading.Lock()
        self._warming: list[Any] = []

    def warm(self, backend: str) -> None:
        """Have every worker load Keras with ``backend`` now, while this process plans and
        loads data (TensorFlow takes seconds to import); :meth:`describe` reads what each
        worker found. Returns at once. (A worker lost before its turn has its question
        answered by another, so :meth:`describe` never waits on the dead.)"""
        workers = list(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        self._warming = [self.client.submit(worker_facts, backend, workers=[address],
                                            allow_other_workers=True, pure=False,
                                            key=f"lossterm-warm-{uuid.uuid4().hex}")
                         for address in workers]

    def describe(self) -> str:
        """One line for a report's header: the cluster, its workers, and what each has
        (host, device, Keras and backend), from :meth:`warm`'s answers."""
        facts = []
        for future in self._warming:
            try:
                facts.append(future.result(timeout=120))
            except Exception as exc:
                facts.append(f"a worker that could not load Keras ({type(exc).__name__})")
        counts: dict[str, int] = {}
        for fact in facts:
            counts[fact] = counts.get(fact, 0) + 1
        have = "; ".join(f"{n} x {fact}" if n > 1 else fact for fact, n in counts.items())
        return (f"Dask cluster {self.address.text}, {len(facts)} worker"
                f"{'s' if len(facts) != 1 else ''}: {have or 'none answered'}")

    def ship(self, data: Any) -> Any:
        """``data`` on the cluster, once per content: the future for it, kept while the
        connection lives.

        Made by a task that returns it, not scattered: a scattered value lives only on
        the workers holding it, and a worker killed mid-study took a problem with it
        ("lost scattered data, which can't be recovered": the kill test); a task's result
        the scheduler can make again elsewhere. Kept, because the same content sent again
        under its key while an earlier future for it is released makes the scheduler
        drop it ("lost dependencies")."""
        from dask.base import tokenize

        token = tokenize(data)
        with self._ship_lock:
            future = self._shipped.get(token)
            if future is None:
                future = self._shipped[token] = self.client.submit(
                    given, data, key=f"lossterm-data-{token}", pure=False)
            return future

    def close(self) -> None:
        """End the client and, if this process started it, the cluster: quietly."""
        with _quiet(), contextlib.suppress(Exception):
            self.client.close(timeout=5)
        if self.cluster is not None:
            with _quiet(), contextlib.suppress(Exception):
                self.cluster.close(timeout=10)


def connect(text: str, *, workers: int | None = None, backend: str | None = None,
            load_here: bool = True) -> Connection:
    """The connection for ``text`` (:func:`parse_address`), opened on first use and kept.

    ``workers``: a ``local`` cluster's size when the address does not give one. An
    unreachable scheduler, hosts that refuse SSH, or Dask not installed: one
    :class:`UsageError` line (exit 2). A new connection starts warming its workers with
    ``backend`` (default: the one this process trains with). ``load_here``: this process
    loads Keras while the cluster starts (the TUI, which loads it behind its first frame,
    says no)."""
    address = parse_address(text)
    with _lock:
        kept = _open.get(address.text)
        if kept is not None:
            return kept
        if load_here:
            connection = _open_while_loading(address, workers)
        else:
            connection = _open_connection(address, workers)
        connection.warm(backend or running_backend())
        _open[address.text] = connection
        return connection


def given(data: Any) -> Any:
    """On a worker: ``data`` itself (:meth:`Connection.ship`'s task)."""
    return data


def worker_facts(backend: str) -> str:
    """On a worker: Keras loaded with ``backend``; what it trains on, in a few words."""
    choose_backend(backend)
    keras = load_keras()
    try:
        ours = version("lossterm")
    except PackageNotFoundError:  # a worker running lossterm from a source tree
        ours = "from source"
    return (f"{socket.gethostname()} ({training_device()}; Keras {keras.__version__}, "
            f"{backend}, lossterm {ours})")


def _open_while_loading(address: Address, workers: int | None) -> Connection:
    """The cluster started on a thread while this one loads Keras, which a study needs
    here too (it scores its final models): measured, a local:2 suite spent 5.9 s in the
    cluster's start while this process idled, then 5 s importing TensorFlow after its
    groups landed. The import is done here, not on the other thread, because it points
    fd 2 at a file while it runs: a line another thread wrote then (an unreachable
    scheduler's error) was lost. A Keras that fails to load is said when a run needs it."""
    opened: list[Connection] = []
    failed: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(_open_connection(address, workers))
        except BaseException as exc:  # raised on the caller's thread
            failed.append(exc)

    starting = threading.Thread(target=start, name="lossterm-cluster-start", daemon=True)
    starting.start()
    with contextlib.suppress(Exception):
        load_keras()
    while starting.is_alive():
        starting.join(0.1)  # short joins keep Ctrl+C deliverable
    if failed:
        raise failed[0]
    return opened[0]


def close_all() -> None:
    """End every connection this process opened (the command line calls it at exit)."""
    with _lock:
        connections = list(_open.values())
        _open.clear()
    for connection in connections:
        connection.close()


def _open_connection(address: Address, workers: int | None) -> Connection:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--cluster needs Dask: pip install 'lossterm[cluster]'") from None
    _silence_dask()
    try:
        if address.form == LOCAL:
            from distributed import LocalCluster

            count = address.workers or workers or max(1, min(os.cpu_count() or 1, 8))
            _fork_workers_with_keras()
            with _quiet():
                cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR,
                                       env={"TF_CPP_MIN_LOG_LEVEL": "3"})
                return Connection(address, Client(cluster, set_as_default=False), cluster)
        if address.form == SSH:
            from distributed import SSHCluster

            hosts = [address.hosts[0], *address.hosts]  # the first runs the scheduler too
            with _quiet():
                ssh = SSHCluster(hosts, connect_options={"known_hosts": None},
                                 worker_options={"nthreads": 1},
                                 scheduler_options={"dashboard_address": ":0"})
                return Connection(address, Client(ssh, set_as_default=False), ssh)
        with _quiet():
            client = Client(address.text, timeout=CONNECT_TIMEOUT, set_as_default=False)
        return Connection(address, client)
    except UsageError:
        raise
    except Exception as exc:  # OSError, TimeoutError, asyncssh's: all "cannot reach it"
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"cannot reach the cluster at {address.text}: {why}") from None


def _fork_workers_with_keras() -> None:
    """Start a local cluster's workers from a forkserver that has imported Keras: a worker
    then begins with Keras loaded (measured: a 2-worker cluster's first group lands
    seconds sooner on 2 cores, where three processes each importing TensorFlow at once
    was most of the cluster's start-up cost). Linux and macOS have forkservers; elsewhere
    Dask's default (spawn) stays."""
    import dask
    from distributed.utils import get_mp_context

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    context = get_mp_context()  # sets Dask's own preload list once
    preload = list(getattr(forkserver._forkserver, "_preload_modules", None) or [])
    if "lossterm.runtime.keras_preload" not in preload:
        context.set_forkserver_preload([*preload, "lossterm.runtime.keras_preload"])


def _silence_dask() -> None:
    """Dask's loggers speak at INFO/WARNING on stderr (a worker restarted, a connection
    closed at exit); lossterm says what matters itself, in its own words."""
    for name in ("distributed", "asyncssh", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@contextlib.contextmanager
def _quiet():
    """Dask's warnings (``UserWarning`` about ports in use, closing timeouts) go unheard:
    the person sees lossterm's lines only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
