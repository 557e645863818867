"""Where the heavy work runs: this machine, a Dask cluster started here, or an existing one.

One setting, ``SCHEDULER`` (the ``scheduler=`` argument of :func:`routerlib.protocol.run_protocol`
and :func:`routerlib.embed.cluster_embeddings`, ``make ... SCHEDULER=``, the ``ROUTERLIB_SCHEDULER``
environment variable), takes one of three forms:

* empty (or unset): this machine, with joblib as before;
* ``local:N``: a Dask ``LocalCluster`` of N worker processes (one thread each) on 127.0.0.1,
  started for the run and stopped after it;
* ``tcp://host:port``: an existing Dask scheduler (``dask scheduler`` / ``dask worker``).

Anything else is refused before any work, naming the value and the accepted forms; so are
``local:0``, a negative or a non-integer N. A scheduler that cannot be reached fails within
:data:`CONNECT_TIMEOUT` seconds with a message naming its address. Dask is the optional
``cluster`` extra: without it, a non-empty setting raises :class:`routerlib.extras.MissingExtra`
naming ``pip install "routerlib[cluster]"``.

>>> parse_scheduler(""), parse_scheduler(" local:2 "), parse_scheduler("tcp://10.0.0.5:8786")
(None, ('local', 2), ('tcp', 'tcp://10.0.0.5:8786'))
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Iterator

from .extras import require

__all__ = ["ACCEPTED", "CONNECT_TIMEOUT", "ENV_VAR", "WORKER_ENV", "WORKER_CONFIG", "parse_scheduler", "worker_env", "scheduler_setting",
           "check_scheduler", "connect"]

#: the accepted forms, for messages
ACCEPTED = "empty (this machine), 'local:N' (N >= 1 worker processes on 127.0.0.1) or 'tcp://host:port'"
#: seconds to wait for a scheduler before giving up
CONNECT_TIMEOUT = 5
#: the environment variable read when no scheduler is passed
ENV_VAR = "ROUTERLIB_SCHEDULER"
#: set in every worker of a LocalCluster started here: one BLAS/OpenMP thread per worker process,
#: so N workers on N cores do not oversubscribe them (the protocol's jobs also limit themselves)
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
#: Dask settings of a LocalCluster started here. Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` in
#: its workers (to hand freed memory back to the system); setting it at all turns off glibc's
#: adaptive mmap threshold, so every numpy temporary over 128 KiB is mapped and unmapped again.
#: With it the protocol's jobs ran 1.5 times slower on the workers than in joblib's processes;
#: without it, as fast. Workers started elsewhere (``dask worker``) need the same setting in
#: their Dask configuration (docs/cluster.md).
WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}

_TCP = re.compile(r"^tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$")


def scheduler_setting(scheduler: str | None = None) -> str:
    """``scheduler`` if given, else the ``ROUTERLIB_SCHEDULER`` environment variable, else ``""``."""
    if scheduler is None:
        scheduler = os.environ.get(ENV_VAR, "")
    return scheduler


def parse_scheduler(scheduler: str | None) -> tuple[str, int | str] | None:
    """The parsed setting: None (this machine), ``("local", N)`` or ``("tcp", address)``.

    Raises
    ------
    ValueError
        Naming the value and the accepted forms: an unknown form, ``local:`` with N that is not a
        positive integer, a ``tcp://`` address without a host or a port in 1..65535.
    """
    if scheduler is None:
        return None
    if not isinstance(scheduler, str):
        raise ValueError(f"scheduler must be a string, got {scheduler!r} ({type(scheduler).__name__}); "
                         f"accepted: {ACCEPTED}")
    s = scheduler.strip()
    if not s:
        return None
    if s.startswith("local:"):
        n = s[len("local:"):].strip()
        if not n.lstrip("+-").isdigit() or not n.isascii():
            raise ValueError(f"scheduler {scheduler!r}: the number of workers {n!r} is not an integer; "
                             f"accepted: {ACCEPTED}")
        if int(n) < 1:
            raise ValueError(f"scheduler {scheduler!r}: a local cluster needs at least 1 worker, got {int(n)}; "
                             f"accepted: {ACCEPTED}")
        return ("local", int(n))
    m = _TCP.match(s)
    if m:
        port = int(m.group(2))
        if not 1 <= port <= 65535:
            raise ValueError(f"scheduler {scheduler!r}: port {port} is not in 1..65535; accepted: {ACCEPTED}")
        return ("tcp", s)
    raise ValueError(f"unknown scheduler {scheduler!r}; accepted: {ACCEPTED}")


def check_scheduler(scheduler: str | None) -> str:
    """Check a setting before any work: parse it and, when it is not empty, check that Dask is
    installed. Returns the setting stripped (``""`` for this machine)."""
    parsed = parse_scheduler(scheduler)
    if parsed is not None:
        require("dask", "distributed", extra="cluster", what=f"scheduler {scheduler.strip()!r}",
                hint="An empty scheduler runs everything on this machine without Dask")
    return "" if parsed is None else scheduler.strip()


def worker_env() -> dict[str, str]:
    """The environment of a LocalCluster's workers: :data:`WORKER_ENV`, and ``PYTHONPATH`` led by
    the folder this routerlib is imported from, so the workers run the same code as this process."""
    here = str(Path(__file__).resolve().parent.parent)
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != here]
    return {**WORKER_ENV, "PYTHONPATH": os.pathsep.join([here, *rest])}


@contextlib.contextmanager
def connect(scheduler: str | None) -> Iterator[object | None]:
    """A ``dask.distributed.Client`` for the setting, or None for this machine.

    ``local:N`` starts a LocalCluster (N processes, one thread each, on 127.0.0.1, no dashboard,
    :data:`WORKER_ENV` in each worker, :data:`WORKER_CONFIG`) and stops it on exit; ``tcp://...`` connects to the
    scheduler there (within :data:`CONNECT_TIMEOUT` seconds) and only closes the client on exit.

    Raises
    ------
    ValueError
        A bad setting (:func:`parse_scheduler`).
    MissingExtra
        Dask is not installed.
    OSError
        The scheduler cannot be reached; the message names the address.
    """
    check_scheduler(scheduler)
    parsed = parse_scheduler(scheduler)
    if parsed is None:
        yield None
        return
    import dask
    from distributed import Client, LocalCluster

    kind, arg = parsed
    if kind == "local":
        with dask.config.set(WORKER_CONFIG), LocalCluster(n_workers=arg, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, env=worker_env()) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(arg, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise OSError(f"cannot reach the Dask scheduler at {arg} within {CONNECT_TIMEOUT} s "
                      f"({type(e).__name__}: {e}); start one with `dask scheduler` and workers with "
                      f"`dask worker {arg}`, or leave SCHEDULER empty to run on this machine") from e
    try:
        yield client
    finally:
        client.close()
