"""Prompt embeddings: what a predictive router sees of a prompt.

* :mod:`.views` -- the prompt as stored, or the question alone (shared few-shot prefix removed)
* :mod:`.cache` -- the on-disk cache of vectors (atomic shards, safe with concurrent runs)
* :mod:`.sentence` -- sentence-transformers models (MiniLM-L6 offline by default), :func:`embed`
* :mod:`.tfidf` -- TF-IDF + SVD, fitted on training prompts only

Every embedder is a scikit-learn transformer (``fit(prompts)``, ``transform(prompts) -> (n, d)``),
built by name with :func:`make_embedder`.
"""

from __future__ import annotations

from .cache import EmbeddingCache, prompt_hashes
from .sentence import DEFAULT_MODEL, EmbeddingModelUnavailable, SentenceEmbedder, embed, embedding_cache_dir
from .tfidf import TfidfEmbedder
from .views import VIEWS, median_similarity, prompt_view, shared_prefix_chars, strip_shared_prefix, views_needed

__all__ = [
    "DEFAULT_MODEL",
    "EmbeddingModelUnavailable",
    "EmbeddingCache",
    "embed",
    "embedding_cache_dir",
    "prompt_hashes",
    "strip_shared_prefix",
    "prompt_view",
    "VIEWS",
    "median_similarity",
    "shared_prefix_chars",
    "views_needed",
    "SentenceEmbedder",
    "TfidfEmbedder",
    "make_embedder",
]


def make_embedder(name: str = DEFAULT_MODEL, **kw):
    """``"tfidf"`` -> :class:`TfidfEmbedder`, anything else -> :class:`SentenceEmbedder` of that model."""
    if name == "tfidf":
        return TfidfEmbedder(**kw)
    return SentenceEmbedder(name, **kw)
