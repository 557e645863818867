"""What the embedder sees of a prompt: as stored, or the question alone.

* :func:`strip_shared_prefix` -- each group's longest shared prefix removed (e.g. the 5-shot
  worked examples every ARC prompt of the real file starts with). Without it, MiniLM
  (truncating at 256 tokens) sees only the shared examples and gives every ARC prompt the same
  embedding: the few-shot trap of the paper's own data.
* :func:`prompt_view` -- ``"stored"`` (faithful to the paper) or ``"question"``.
* :func:`shared_prefix_chars`, :func:`median_similarity` -- how large each dataset's shared
  prefix is, and how alike its prompts look to an embedder (1.0: all identical), to decide
  whether the question view is needed and to show the trap.

>>> strip_shared_prefix(["Q: 1+1? A: 2. Q: 2+2?", "Q: 1+1? A: 2. Q: 3+5?"], ["m", "m"]).tolist()
['2+2?', '3+5?']
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

__all__ = ["VIEWS", "strip_shared_prefix", "prompt_view", "shared_prefix_chars", "median_similarity", "views_needed"]

VIEWS = ("stored", "question")


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
    """The prompts of a :class:`~routerlib.data.RoutingData` as seen by the embedder, shape (n,).

    ``"stored"``: as in the data (faithful to the paper). ``"question"``: each dataset's
    shared few-shot prefix removed (:func:`strip_shared_prefix` grouped by ``data.dataset``).
    """
    if view == "stored":
        return np.asarray(data.prompt, dtype=object)
    if view == "question":
        return strip_shared_prefix(data.prompt, data.dataset)
    raise ValueError(f"prompt_view must be one of {VIEWS}; got {view!r}")


def shared_prefix_chars(data, sample: int = 50) -> dict[str, int]:
    """Per dataset, the median number of characters the question view strips (first ``sample`` prompts)."""
    out = {}
    for d in data.datasets:
        p = data.prompt[data.dataset == d]
        q = strip_shared_prefix(p)
        out[d] = int(np.median([len(a) - len(b) for a, b in zip(p[:sample], q[:sample])]))
    return out


def views_needed(data, min_chars: int = 100) -> list[str]:
    """``["stored"]``, plus ``"question"`` when some dataset shares a prefix of ``min_chars`` or more."""
    pre = shared_prefix_chars(data)
    return ["stored"] + (["question"] if pre and max(pre.values()) >= min_chars else [])


def median_similarity(X: np.ndarray, groups: np.ndarray, sample: int = 200) -> dict[str, float]:
    """Per group, the median cosine similarity between the first ``sample`` unit vectors (1.0: all identical)."""
    X = np.asarray(X)
    return {str(g): float(np.median(X[groups == g][:sample] @ X[groups == g][:sample].T))
            for g in dict.fromkeys(np.asarray(groups).tolist())}
