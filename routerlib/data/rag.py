"""The SIMULATED RAG set of Figure 6, and how to tell a RAG query's kind.

* :func:`simulate_rag` -- a simulated stand-in for the paper's private RAG set.
* :func:`is_time_sensitive` -- the simulated set's own label (read from the sample id).
* :func:`online_models` -- which models have live retrieval (Perplexity ``*-online``, You.com).
* :func:`time_sensitive` -- per query, time-sensitive or not: the simulated label when there is
  one, else a keyword rule (a year from 2020 on, "current", "latest", "this week", ...).

simulate_rag(seed, scale)
-------------------------
A simulated stand-in for the paper's private RAG set (Figure 6): about 800 search queries
(at least 200) on sports, history, media and art, politics; about 35% are time-sensitive
(recent years, "latest", "this week", "current"), encoded in the sample_id
(``rag.timely.<i>`` / ``rag.timeless.<i>``, read back by :func:`is_time_sensitive`). Five
systems, binary quality from a shared per-query difficulty (correlation 0.35) with the
accuracies of :data:`RAG_ACCURACY`. Costs use assumed public list prices of early 2024
(:data:`RAG_PRICES`; assumptions, not quotes): GPT-4 Turbo $10 / $30 per 1M input / output
tokens, GPT-3.5-turbo-1106 $1 / $2, Perplexity sonar-small-online $0.2 per 1M tokens plus
$5 per 1000 requests, sonar-medium-online $0.6 per 1M tokens plus $5 per 1000 requests,
You.com $5 per 1000 requests; times the query's tokens (plus a system prompt) and a
simulated answer length.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..seeds import check_seed
from .core import RoutingData, check_scale
from .simulate import binary_quality
from .templates import RAG_TOPICS, rag_texts

__all__ = ["simulate_rag", "is_time_sensitive", "online_models", "time_sensitive", "RAG_MODELS",
           "RAG_ACCURACY", "RAG_PRICES"]

# The five systems: (timeless, time-sensitive) accuracy; assumed list prices (early 2024), not
# quotes: USD per 1M input tokens, per 1M output tokens, per request; answer length in tokens.
#   model                             acc timeless  acc timely  in     out    request  answer
RAG_SYSTEMS = [
    ("gpt-4-1106-preview",             0.85, 0.15, 10.0, 30.0, 0.0,   120),
    ("gpt-3.5-turbo-1106",             0.75, 0.10, 1.0,  2.0,  0.0,   90),
    ("perplexity/sonar-small-online",  0.60, 0.65, 0.2,  0.2,  0.005, 160),
    ("perplexity/sonar-medium-online", 0.70, 0.80, 0.6,  0.6,  0.005, 180),
    ("You.com",                        0.65, 0.70, 0.0,  0.0,  0.005, 150),
]
RAG_MODELS = [r[0] for r in RAG_SYSTEMS]
RAG_ACCURACY = {r[0]: r[1:3] for r in RAG_SYSTEMS}
RAG_PRICES = {r[0]: r[3:6] for r in RAG_SYSTEMS}
_RAG_ANSWER_TOKENS = {r[0]: r[6] for r in RAG_SYSTEMS}
RAG_TIME_SHARE = 0.35
RAG_CORRELATION = 0.35
_RAG_SYSTEM_TOKENS = 60

def simulate_rag(seed: int = 0, scale: float = 1.0) -> RoutingData:
    """The SIMULATED RAG benchmark for Figure 6 (see module doc).

    ``seed`` an integer in [0, 2**32), ``scale`` in (0, 1] (at least 200 queries are drawn);
    anything else is refused, naming the argument and its value.
    """
    seed, scale = check_seed(seed), check_scale(scale)
    rng = np.random.default_rng(seed)
    n = max(int(round(800 * scale)), 200)
    m = len(RAG_MODELS)
    timely = np.zeros(n, dtype=bool)
    timely[rng.permutation(n)[: int(round(RAG_TIME_SHARE * n))]] = True
    topic = rng.integers(0, len(RAG_TOPICS), n)
    s = rng.standard_normal(n)
    eps = rng.standard_normal((n, m))
    u = np.sqrt(RAG_CORRELATION) * s[:, None] + np.sqrt(1 - RAG_CORRELATION) * eps
    quality = np.zeros((n, m))
    for flag in (False, True):
        rows = np.flatnonzero(timely == flag)
        p = np.array([RAG_ACCURACY[mm][int(flag)] for mm in RAG_MODELS])
        quality[rows] = binary_quality(u[rows], p, np.ones(rows.size, dtype=bool))
    R = rng.integers(0, 2**31 - 1, size=(n, 16))
    prompt = np.array(rag_texts(topic, timely, R), dtype=object)
    in_tok = _RAG_SYSTEM_TOKENS + np.fromiter((len(t) for t in prompt), dtype=float, count=n) / 4.0
    out_tok = np.array([_RAG_ANSWER_TOKENS[mm] for mm in RAG_MODELS])[None, :] * rng.lognormal(0.0, 0.4, (n, m))
    price = np.array([RAG_PRICES[mm] for mm in RAG_MODELS])
    cost = (in_tok[:, None] * price[None, :, 0] + out_tok * price[None, :, 1]) / 1e6 + price[None, :, 2]
    sample_id = np.array([f"rag.{'timely' if t else 'timeless'}.{i}" for i, t in enumerate(timely)], dtype=object)
    return RoutingData(
        sample_id=sample_id,
        prompt=prompt,
        eval_name=np.full(n, "rag", dtype=object),
        dataset=np.full(n, "rag", dtype=object),
        models=np.array(RAG_MODELS, dtype=object),
        quality=quality,
        cost=cost,
        latency=None,
        responses=None,
        name="rag-sim",
        simulated=True,
        meta={"seed": seed, "scale": scale, "kind": "RAG"},
    )


def is_time_sensitive(data: RoutingData) -> np.ndarray:
    """Boolean per row: is the (simulated RAG) query time-sensitive? Read from the sample_id."""
    return np.array([".timely." in str(sid) for sid in data.sample_id], dtype=bool)


_TIME_WORDS = (r"\b(?:20[2-9]\d|current(?:ly)?|latest|today|tonight|this (?:week|weekend|month|year|season)|"
               r"right now|now|recent(?:ly)?|upcoming|yesterday)\b")


def online_models(models: Sequence[str]) -> list[int]:
    """Indices of the models with live retrieval (Perplexity ``sonar-*-online``, You.com).

    >>> online_models(["gpt-4-1106-preview", "perplexity/sonar-small-online", "You.com"])
    [1, 2]
    """
    return [j for j, m in enumerate(models) if "online" in str(m).lower() or "you.com" in str(m).lower()]


def time_sensitive(data: RoutingData) -> tuple[np.ndarray, str]:
    """Per row: is the query time-sensitive? And how that was decided.

    The simulated RAG set records it in its sample ids (:func:`is_time_sensitive`); any other
    data falls back to a keyword rule (a year from 2020 on, "current", "latest", "this week",
    "right now", ...).

    Returns
    -------
    flags : ndarray of shape (n,), bool
    how : ``"simulated label"`` or ``"keyword rule"``
    """
    if data.simulated:
        return is_time_sensitive(data), "simulated label"
    pat = pd.Series(data.prompt.astype(str)).str.contains(_TIME_WORDS, case=False, regex=True)
    return pat.to_numpy(bool), "keyword rule"
