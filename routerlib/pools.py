"""Model-pool curation (the follow-up's open question 2): which models should a router choose among?

For every seed's 70/30 split and every pool size k = 1..m, two kinds of pool:

* **greedy** -- forward selection on the *training* split: start from the model of best mean
  training quality, then add, one at a time, the model that raises the Oracle's macro accuracy
  over datasets on the training split the most (ties: the cheaper model);
* **random** -- ``n_random`` pools of k models drawn uniformly (seeded).

Each pool is scored on the test split by three numbers per dataset: the **Oracle's accuracy**
(its upper bound), the **Zero router's AIQ** (the NDCH of its models) and a **router's AIQ**,
the paper's KNN router (k = 40, cosine) restricted to the pool, swept over its willingness to
pay. All AIQs of a (seed, dataset) share one domain: the cost range of the full pool's models, so
pools of different sizes are comparable. The KNN router's neighbours do not depend on the pool, so
they are found once per (seed, dataset) and every pool only selects columns: the whole study is a
few seconds per seed.

:func:`pool_study` returns a tidy table; :func:`pool_summary` its means over seeds with 95% CIs
(:func:`routerlib.metrics.stats.summarize`). The study is cached in ``paths.cache_dir()/pools``,
keyed by the data's and the features' fingerprints, its arguments and routerlib's source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .hull import compare_aiq
from .memo import disk_cache, inputs_key
from .metrics.stats import summarize
from .protocol import parse_seeds
from .routers.predictive import choose, cosine_neighbors, wtp_grid
from .seeds import rng

__all__ = ["greedy_pool", "pool_study", "pool_summary"]


def greedy_pool(train, k: int | None = None) -> list[int]:
    """Forward selection of ``k`` models (default all) on ``train``, by the Oracle's macro accuracy.

    Returns model indices in the order they were added.

    >>> from routerlib.data import RoutingData
    >>> q = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    >>> greedy_pool(RoutingData.from_arrays(q, [[1, 2, 3]] * 4), 2)  # model 0 best alone; then 1 (cheaper than 2)
    [0, 1]
    """
    m = train.m
    k = m if k is None else int(k)
    groups = [train.dataset == d for d in train.datasets]
    cost = train.cost.mean(axis=0)

    def oracle_acc(pool):
        best = train.quality[:, pool].max(axis=1)
        return float(np.mean([best[g].mean() for g in groups]))

    means = np.mean([train.quality[g].mean(axis=0) for g in groups], axis=0)
    chosen = [int(np.lexsort((cost, -means))[0])]
    while len(chosen) < k:
        rest = [j for j in range(m) if j not in chosen]
        gains = np.array([oracle_acc(chosen + [j]) for j in rest])
        cand = np.array(rest)[gains >= gains.max() - 1e-12]
        chosen.append(int(cand[np.argmin(cost[cand])]))
    return chosen


def _pools(train, seed: int, n_random: int):
    m = train.m
    greedy = greedy_pool(train)
    draws = rng(seed, "pools")
    for k in range(1, m + 1):
        yield "greedy", 0, greedy[:k]
        for r in range(n_random if k < m else 1):
            yield "random", r, sorted(draws.choice(m, size=k, replace=False).tolist())


def pool_study(data, X, seeds=(0, 1, 2, 3, 4), n_random: int = 5, n_neighbors: int = 40, n_wtp: int = 40,
               cache: bool = True) -> pd.DataFrame:
    """The pool-curation study on every seed's split (see the module docstring).

    Parameters
    ----------
    data : RoutingData with n rows
    X : ndarray of shape (n, d), or an unfitted embedder (e.g. TF-IDF)
        Prompt embeddings (for the KNN router); an embedder is fitted on each split's training
        prompts of each dataset (:func:`routerlib.evaluate.features`), as the protocol does.
    n_random : int
        Random pools per size (one at the full size).
    cache : bool
        Reuse the study from ``paths.cache_dir()/pools``. Features given as an array, or a
        routerlib embedder, are keyed by their content; an embedder from elsewhere runs uncached
        (its code is not part of the key).

    Returns
    -------
    DataFrame with columns seed, dataset, kind (greedy / random), draw, size, pool (model names
    joined by ``+``), oracle_acc, zero_aiq, knn_aiq
    """
    seeds = tuple(parse_seeds(seeds))
    args = (data, X, seeds, int(n_random), int(n_neighbors), int(n_wtp))
    key = inputs_key(data, X) if cache else None
    if key is None:
        return _pool_study(*args)
    return disk_cache(_pool_study, "pools", ("data", "X"), what="the pool study")(*args, key)


def _pool_study(data, X, seeds, n_random, n_neighbors, n_wtp, inputs: str = "") -> pd.DataFrame:
    """:func:`pool_study` computed; ``inputs`` is the cache key's part for ``data`` and ``X``."""
    from .evaluate import features

    del inputs  # part of the cache key only
    rows = []
    for seed in seeds:
        test_mask = data.split_mask(seed)
        train = data.select(~test_mask)
        pools = list(_pools(train, seed, n_random))
        for d in data.datasets:
            tr = np.flatnonzero((data.dataset == d) & ~test_mask)
            te = np.flatnonzero((data.dataset == d) & test_mask)
            q_tr, q_te, c_te = data.quality[tr], data.quality[te], data.cost[te]
            X_tr, X_te = features(X, data, tr, te)
            nb = cosine_neighbors(X_tr, X_te, n_neighbors)
            q_hat = q_tr[nb].mean(axis=1)  # (n_test, m): every model's KNN prediction
            c_hat = data.cost[tr].mean(axis=0)
            all_c = c_te.sum(axis=0)
            lo, hi = float(all_c.min()), float(all_c.max())
            for kind, draw, pool in pools:
                p = np.asarray(pool)
                w = wtp_grid(c_hat[p], q_tr[:, p].mean(axis=0), n_wtp)
                ch = choose(q_hat[:, p], np.broadcast_to(c_hat[p], (te.size, p.size)), w)
                rr = np.arange(te.size)[None, :]
                sweep_c = c_te[:, p][rr, ch].sum(axis=1)
                sweep_q = q_te[:, p][rr, ch].mean(axis=1)
                res = compare_aiq({"zero": (all_c[p], q_te[:, p].mean(axis=0)), "knn": (sweep_c, sweep_q)}, lo, hi)
                rows.append((seed, d, kind, draw, p.size, "+".join(str(data.models[j]) for j in p),
                             float(q_te[:, p].max(axis=1).mean()), res["zero"]["aiq"], res["knn"]["aiq"]))
    return pd.DataFrame(rows, columns=["seed", "dataset", "kind", "draw", "size", "pool", "oracle_acc", "zero_aiq",
                                       "knn_aiq"])


def pool_summary(study: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per kind and size: the macro average over datasets of each metric (random pools averaged
    over their draws first), then its mean over seeds with 95% CIs."""
    per_seed = (study.groupby(["seed", "kind", "size", "dataset"], sort=False)[["oracle_acc", "zero_aiq", "knn_aiq"]]
                .mean().groupby(["seed", "kind", "size"], sort=False).mean().reset_index())
    long = per_seed.melt(id_vars=["seed", "kind", "size"], var_name="metric", value_name="value")
    return summarize(long, ("kind", "size", "metric"), level=level)
