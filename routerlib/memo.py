"""Results kept on disk between runs: ``joblib.Memory`` under ``paths.cache_dir()/<name>``.

:func:`disk_cache` wraps a function so that a call with arguments it has seen reads the stored
result instead of computing it again. The caller keys what the cache cannot hash cheaply (a
dataset's rows, features) by passing their fingerprint (:mod:`routerlib.fingerprint`) as an
argument and naming the big arguments in ``ignore``; routerlib's source hash belongs in the key
too, so a changed formula recomputes. A folder that cannot be made runs uncached, one that cannot
be written is read but not written, each with one warning naming it.
"""

from __future__ import annotations

import os
import uuid
import warnings
from pathlib import Path
from typing import Callable, Sequence

import joblib
import numpy as np
from joblib import Memory

from . import paths
from .fingerprint import content_hash, source_hash

__all__ = ["disk_cache", "inputs_key", "writable", "ReadOnlyCache"]


def inputs_key(data, X=None, *more) -> str | None:
    """The cache key's part for a dataset, its features and ``more`` values, routerlib's source
    included; None when they cannot be keyed: features from an embedder outside routerlib (an
    object whose code the key would not see), which the caller then runs uncached."""
    if not (X is None or isinstance(X, np.ndarray) or type(X).__module__.startswith("routerlib.")):
        return None
    return content_hash(data.fingerprint(), X if X is None or isinstance(X, np.ndarray) else joblib.hash(X),
                        *more, source_hash())


def writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (tried, not guessed from permissions: root ignores them)."""
    probe = folder / f".probe-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


class ReadOnlyCache:
    """A cached function on a folder that cannot be written: reuse a result found there, compute
    the others without storing them."""

    def __init__(self, cached, func):
        self.cached, self.func = cached, func

    def __call__(self, *args):
        try:
            if self.cached.check_call_in_cache(*args):
                return self.cached(*args)
        except OSError:  # the cache wanted to write (e.g. its code record): compute instead
            pass
        return self.func(*args)


def disk_cache(func: Callable, name: str, ignore: Sequence[str] = (), what: str = "the run",
               stacklevel: int = 3) -> Callable:
    """``func`` cached in ``paths.cache_dir()/name`` (arguments in ``ignore`` left out of the key);
    read-only there when the folder cannot be written, or ``func`` itself when it cannot be made.
    ``what`` names the caller in the warnings (e.g. "the protocol")."""
    try:
        folder = paths.cache_dir() / name
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        warnings.warn(f"cache folder {e.filename or os.environ.get('ROUTERLIB_CACHE', '')!s} cannot be made "
                      f"({type(e).__name__}: {e.strerror or e}); {what} runs without caching", stacklevel=stacklevel)
        return func
    if writable(folder):
        return Memory(folder, verbose=0).cache(func, ignore=list(ignore))
    warnings.warn(f"cache folder {folder} cannot be written; {what} reuses the results it finds there and "
                  "computes the rest without caching them", stacklevel=stacklevel)
    try:
        return ReadOnlyCache(Memory(folder, verbose=0).cache(func, ignore=list(ignore)), func)
    except OSError:
        return func
