"""The on-disk embedding cache: one folder per embedder, shards of (prompt hash, vector).

A folder ``paths.cache_dir() / "embeddings" / <tag>`` holds shard files ``<hash>.npz``, each
with ``keys`` (k,) 16-byte BLAKE2b digests of the prompts (:func:`prompt_hashes`) and ``emb``
(k, d) float32. Reading loads every shard of a folder once per process (tens of thousands of
rows in well under a second) and looks prompts up with a vectorised ``searchsorted``.

Safe with several runs at once and after a crash:

* a shard is written to a temporary ``.tmp-*`` file in the same folder and renamed into place
  (atomic), so a reader sees a whole shard or none; temporary files are never read as shards,
  and one left by a killed run is deleted once it is older than :data:`STALE_SECONDS`;
* merging many shards into one (:meth:`EmbeddingCache.compact`) holds an exclusive ``fcntl``
  lock on ``.lock`` in the folder, and reading holds a shared one, so no reader loses a shard
  that a merge deletes;
* a shard that cannot be read, holds NaN or infinite values, or has another dimension than the
  folder's other shards is moved to ``set-aside/`` with a warning that names it (its prompts are
  then embedded again).

:func:`cached_embeddings` is what every cached embedder calls: it reads what the folder holds,
has the embedder encode only the prompts that are missing (each distinct prompt once), writes
them in shards of about :data:`SHARD_ROWS` as they come, and shows a tqdm bar meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from .. import paths

__all__ = ["EmbeddingCache", "prompt_hashes", "cache_folder", "cached_embeddings", "STALE_SECONDS", "MAX_SHARDS",
           "SHARD_ROWS"]

MAX_SHARDS = 64  # more shards than this are merged into one on the next write
SHARD_ROWS = 1024  # rows written per shard while encoding
STALE_SECONDS = 600.0  # a temporary file older than this belongs to a run that died
_memo: dict[str, tuple[tuple, np.ndarray, np.ndarray]] = {}  # folder -> (listing, keys, emb)


def prompt_hashes(prompts: Iterable[str]) -> np.ndarray:
    """16-byte BLAKE2b digest of each prompt (UTF-8), shape (n,), dtype ``S16``."""
    return np.array([hashlib.blake2b(str(s).encode("utf-8"), digest_size=16).digest() for s in prompts],
                    dtype="S16")


def cache_folder(tag: str) -> Path:
    """``paths.cache_dir() / "embeddings" / <tag>`` (created), ``tag`` made file-name safe."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", tag.replace("/", "__"))
    d = paths.cache_dir() / "embeddings" / safe
    d.mkdir(parents=True, exist_ok=True)
    return d


class EmbeddingCache:
    """The shards of one folder.

    Parameters
    ----------
    folder : Path
        Created if needed.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    # ----- locking and listing ------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self, exclusive: bool):
        with open(self.folder / ".lock", "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _listing(self) -> tuple:
        out = []
        for p in self.folder.glob("*.npz"):
            if p.name.startswith("."):  # a temporary file of a write under way
                continue
            try:
                st = p.stat()
            except FileNotFoundError:  # merged away meanwhile
                continue
            out.append((p.name, st.st_size, st.st_mtime_ns))
        return tuple(sorted(out))

    def _clean_stale(self) -> None:
        now = time.time()
        for p in self.folder.glob(".tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                if now - p.stat().st_mtime > STALE_SECONDS:
                    p.unlink()

    def _set_aside(self, name: str, why: str) -> None:
        bad = self.folder / "set-aside"
        bad.mkdir(exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.folder / name, bad / name)
        warnings.warn(f"embedding cache: shard {self.folder / name} {why}; moved to {bad / name} "
                      f"(its prompts will be embedded again)", stacklevel=4)

    # ----- reading ------------------------------------------------------------------------
    def read(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys (k,) S16 sorted, emb (k, d) float32) of every cached prompt of the folder."""
        key = str(self.folder)
        listing = self._listing()
        hit = _memo.get(key)
        if hit is not None and hit[0] == listing:
            return hit[1], hit[2]
        self._clean_stale()
        with self._lock(exclusive=False):
            listing = self._listing()
            loaded = []
            for name, _, _ in listing:
                try:
                    with np.load(self.folder / name) as z:
                        k, e = z["keys"], z["emb"]
                except FileNotFoundError:
                    continue
                except Exception as exc:  # a foreign or damaged file: set it aside, never crash
                    self._set_aside(name, f"is unreadable ({type(exc).__name__}: {exc})")
                    continue
                if k.ndim != 1 or e.ndim != 2 or k.shape[0] != e.shape[0] or k.dtype != np.dtype("S16"):
                    self._set_aside(name, f"has keys {k.shape} {k.dtype} and vectors {e.shape}, which do not match")
                    continue
                if not np.isfinite(e).all():
                    self._set_aside(name, "holds NaN or infinite values")
                    continue
                loaded.append((name, k, e.astype(np.float32, copy=False)))
        dims = {}
        for _, k, e in loaded:
            dims[e.shape[1]] = dims.get(e.shape[1], 0) + k.size
        if len(dims) > 1:  # keep the dimension that most cached rows have
            keep = max(sorted(dims), key=lambda dd: dims[dd])
            for name, _, e in loaded:
                if e.shape[1] != keep:
                    self._set_aside(name, f"has dimension {e.shape[1]}, the folder's other shards {keep}")
            loaded = [x for x in loaded if x[2].shape[1] == keep]
        if loaded:
            k = np.concatenate([x[1] for x in loaded])
            e = np.concatenate([x[2] for x in loaded])
            k, first = np.unique(k, return_index=True)  # sorted, duplicates dropped
            e = e[first]
        else:
            k, e = np.zeros(0, dtype="S16"), np.zeros((0, 0), dtype=np.float32)
        _memo[key] = (self._listing(), k, e)
        return k, e

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Which of ``keys`` (u,) are cached, and their vectors.

        Returns
        -------
        found : ndarray of shape (u,), bool
        emb : ndarray of shape (u, d), float32 (zeros where not found), or None if the folder is empty
        """
        ck, ce = self.read()
        keys = np.asarray(keys, dtype="S16")
        if not ck.size:
            return np.zeros(keys.size, dtype=bool), None
        pos = np.clip(np.searchsorted(ck, keys), 0, ck.size - 1)
        found = ck[pos] == keys
        emb = np.zeros((keys.size, ce.shape[1]), dtype=np.float32)
        emb[found] = ce[pos[found]]
        return found, emb

    # ----- writing ------------------------------------------------------------------------
    def add(self, keys: np.ndarray, emb: np.ndarray) -> Path:
        """Write one shard atomically (temporary file in the same folder, then rename)."""
        keys = np.asarray(keys, dtype="S16")
        emb = np.asarray(emb, dtype=np.float32)
        if emb.shape[0] != keys.size or not np.isfinite(emb).all():
            raise ValueError(f"refusing to cache {emb.shape} vectors for {keys.size} prompts (or non-finite values)")
        name = hashlib.blake2b(keys.tobytes(), digest_size=12).hexdigest() + ".npz"
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=keys, emb=emb)
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.folder / name)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return self.folder / name

    def compact(self, max_shards: int | None = None) -> None:
        """Merge every shard into one when there are more than ``max_shards`` (default :data:`MAX_SHARDS`)."""
        limit = MAX_SHARDS if max_shards is None else max_shards
        if len(self._listing()) <= limit:
            return
        with self._lock(exclusive=True):
            listing = self._listing()
            if len(listing) <= limit:  # another run merged meanwhile
                return
            _memo.pop(str(self.folder), None)
            loaded = []
            for name, _, _ in listing:
                try:
                    with np.load(self.folder / name) as z:
                        loaded.append((z["keys"], z["emb"]))
                except Exception:  # leave anything odd to read(), which sets it aside
                    continue
            dims = {e.shape[1] for _, e in loaded if e.ndim == 2}
            if len(dims) != 1:
                return
            k = np.concatenate([x[0] for x in loaded])
            e = np.concatenate([x[1] for x in loaded]).astype(np.float32, copy=False)
            k, first = np.unique(k, return_index=True)
            merged = self.add(k, e[first])
            for name, _, _ in listing:
                if name != merged.name:
                    (self.folder / name).unlink(missing_ok=True)


def cached_embeddings(
    texts: Sequence[str],
    store: EmbeddingCache | None,
    encode: Callable[[list[str]], Iterator[tuple[np.ndarray, np.ndarray]]],
    *,
    desc: str = "embedding",
    progress: bool = True,
) -> np.ndarray:
    """The vectors of ``texts``: cached ones read from ``store``, the others made by ``encode`` and cached.

    Parameters
    ----------
    texts : sequence of str, shape (n,)
    store : EmbeddingCache or None
        None: nothing is read or written.
    encode : callable
        ``encode(todo)`` gets the distinct uncached texts (a list of u str) and yields
        ``(rows, emb)`` pairs in any order: ``rows`` (k,) int positions into ``todo`` and
        ``emb`` (k, d) their vectors; every position exactly once. It is not called when
        everything is cached (so a model is loaded only when needed).
    desc, progress : str, bool
        The tqdm bar over the uncached texts.

    Returns
    -------
    ndarray of shape (n, d), float32
        In the input order; duplicates are encoded once. (0, 0) when ``texts`` is empty.
    """
    keys = prompt_hashes(texts)
    uniq, first, inv = np.unique(keys, return_index=True, return_inverse=True)
    out_u: np.ndarray | None = None
    missing = np.arange(uniq.size)
    if store is not None:
        found, out_u = store.lookup(uniq)
        missing = np.flatnonzero(~found)
    if missing.size:
        from tqdm.auto import tqdm

        todo = [str(texts[first[i]]) for i in missing]
        pending: list[tuple[np.ndarray, np.ndarray]] = []

        def flush(at_least: int) -> None:
            if store is not None and pending and sum(p[0].size for p in pending) >= at_least:
                store.add(uniq[np.concatenate([p[0] for p in pending])], np.concatenate([p[1] for p in pending]))
                pending.clear()

        with tqdm(total=int(missing.size), desc=desc, unit="prompt", disable=not progress) as bar:
            for rows, e in encode(todo):
                e = np.asarray(e, dtype=np.float32)
                if out_u is None:
                    out_u = np.zeros((uniq.size, e.shape[1]), dtype=np.float32)
                idx = missing[np.asarray(rows, dtype=np.intp)]
                out_u[idx] = e
                pending.append((idx, e))
                flush(SHARD_ROWS)
                bar.update(idx.size)
        flush(1)
        if store is not None:
            store.compact()
    if out_u is None:  # n == 0
        return np.zeros((0, 0), dtype=np.float32)
    return out_u[inv.reshape(-1)].reshape(len(texts), -1)
