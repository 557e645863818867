"""Cluster routing: Avengers-Pro (and plain Avengers, its ``alpha = 1`` end).

Source: Zhang et al., "Beyond GPT-5: Making LLMs Cheaper and Better via Performance-Efficiency
Optimized Routing" (Avengers-Pro, arXiv 2508.12631), on the clustering recipe of "The Avengers"
(arXiv 2505.19797); the follow-up benchmark (LLMRouterBench, arXiv 2601.07206) finds it on the
cost-quality Pareto front.

The recipe, as implemented here
-------------------------------
1. **Clusters**: k-means (scikit-learn ``KMeans``, seeded by ``random_state``) on the L2-normalised
   training prompt embeddings; ``n_clusters`` (k) is a hyperparameter, chosen on validation from
   :attr:`AvengersProRouter.param_grid` (8, 16, 32, 64) by the protocols.
2. **Profiles**: per cluster ``c`` and model ``j``, the mean quality ``p[c, j]`` and the mean cost
   ``q[c, j]`` of the training prompts in the cluster (a cluster left empty by k-means takes the
   means over all training prompts).
3. **Score**: ``S[c, j] = alpha * (p - p_min) / (p_max - p_min) + (1 - alpha) * (1 - q / q_max)``,
   the minimum and maximum over the models within the cluster (a zero range gives 0 for the
   normalised quality and 1 for the cost term, the same for every model).
4. **Routing**: a prompt's ``top_k`` nearest centroids (cosine distance ``d = 1 - cos``), weighted
   by ``softmax(-beta * d)`` over those (``beta = 9``); the prompt goes to the model of highest
   weighted score (the first among exact ties).

The knob is ``alpha`` in [0, 1] (0: the cheapest model of the nearest clusters; 1: plain Avengers,
the best quality there); :meth:`AvengersProRouter.knob_grid` is 21 values from 0 to 1, and
:meth:`AvengersProRouter.sweep_outcomes` is one vectorised argmax over every value (the weighted
score is linear in alpha: ``alpha * A + (1 - alpha) * B`` with ``A``, ``B`` the weighted quality and
cost terms, so :func:`routerlib.routers.predictive.choose` does it).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .base import Outcomes, Router, store_args
from .predictive import _normalise, choose

__all__ = ["AvengersProRouter", "cluster_scores", "cluster_weights"]


def cluster_scores(p: np.ndarray, q: np.ndarray, alpha) -> np.ndarray:
    """Avengers-Pro's performance-efficiency score per cluster and model.

    Parameters
    ----------
    p, q : ndarray of shape (K, m)
        Mean quality and mean cost per cluster and model.
    alpha : float
        Weight of performance (1: quality only; 0: cost only).

    Returns
    -------
    ndarray of shape (K, m): ``alpha * (p - p_min) / (p_max - p_min) + (1 - alpha) * (1 - q / q_max)``,
    min and max over each cluster's models (a zero range gives 0 for the quality term, a zero
    ``q_max`` 1 for the cost term).

    >>> cluster_scores(np.array([[0.2, 0.6, 1.0]]), np.array([[1.0, 2.0, 4.0]]), 0.5).round(3).tolist()
    [[0.375, 0.5, 0.5]]
    """
    pn, qn = _score_terms(np.asarray(p, float), np.asarray(q, float))
    return alpha * pn + (1.0 - alpha) * qn


def _score_terms(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The normalised quality and cost terms of :func:`cluster_scores`, each (K, m)."""
    lo, hi = p.min(axis=1, keepdims=True), p.max(axis=1, keepdims=True)
    rng_p = hi - lo
    pn = np.where(rng_p > 0, (p - lo) / np.where(rng_p > 0, rng_p, 1.0), 0.0)
    qmax = q.max(axis=1, keepdims=True)
    qn = np.where(qmax > 0, 1.0 - q / np.where(qmax > 0, qmax, 1.0), 1.0)
    return pn, qn


def cluster_weights(X: np.ndarray, centroids: np.ndarray, top_k: int, beta: float) -> np.ndarray:
    """Each prompt's weights on the clusters: softmax(-beta * cosine distance) over its ``top_k``
    nearest centroids, 0 elsewhere.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    centroids : ndarray of shape (K, d)
    top_k : int
        Capped at K.
    beta : float

    Returns
    -------
    ndarray of shape (n, K), rows summing to 1

    >>> w = cluster_weights(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]), 2, 9.0)
    >>> w.round(6).tolist()  # distances 0 and 1: weights 1 / (1 + e^-9) and e^-9 / (1 + e^-9)
    [[0.999877, 0.000123, 0.0]]
    """
    d = 1.0 - _normalise(X).astype(np.float64) @ _normalise(centroids).astype(np.float64).T  # (n, K)
    K = d.shape[1]
    k = int(min(max(int(top_k), 1), K))
    near = np.argsort(d, axis=1, kind="stable")[:, :k]  # nearest first, ties by cluster index
    dn = np.take_along_axis(d, near, axis=1)
    logits = -float(beta) * dn
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    W = np.zeros_like(d)
    np.put_along_axis(W, near, e / e.sum(axis=1, keepdims=True), axis=1)
    return W


class AvengersProRouter(Router):
    """Avengers-Pro: k-means clusters of prompts, per-cluster performance-efficiency scores.

    See the module docstring for the recipe.

    Parameters
    ----------
    n_clusters : int >= 1
        k of k-means (capped at the number of training prompts); chosen on validation from
        :attr:`param_grid`.
    alpha : float in [0, 1]
        The knob: weight of quality against cost in the score.
    top_k : int >= 1
        Nearest clusters whose scores are blended per prompt (capped at the number of clusters).
    beta : float >= 0, finite
        Sharpness of the softmax over cosine distances.
    n_init : int >= 1
        k-means restarts (the best inertia is kept). 1, scikit-learn's own default for k-means++:
        on the simulated default (MiniLM-L6, 5 seeds) 3 restarts took 2.3 times as long and moved
        the AIQ over datasets by 0.003 (held-out 0.001), within noise.
    random_state : int in [0, 2**32 - 1], numpy RandomState or None
        Seeds k-means (as scikit-learn's ``KMeans`` takes it); the same seed and data give the same
        routes.

    Attributes (after fit)
    ----------------------
    models_ : (m,) model names
    centroids_ : (K, d) k-means centres (on unit vectors)
    quality_ : (K, m) mean quality per cluster and model
    cost_ : (K, m) mean cost per cluster and model (USD per prompt)
    """

    knob = "alpha"
    param_grid = ({"n_clusters": 8}, {"n_clusters": 16}, {"n_clusters": 32}, {"n_clusters": 64})
    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, n_clusters: int = 16, alpha: float = 1.0, top_k: int = 3, beta: float = 9.0,
                 n_init: int = 1, random_state: int = 0):
        store_args(self, locals())

    def fit(self, data, X=None):
        """Cluster the training prompts and profile every model per cluster.

        Parameters
        ----------
        data : RoutingData with n rows
        X : ndarray of shape (n, d)
            Prompt embeddings.

        Returns
        -------
        self
        """
        from sklearn.cluster import KMeans
        from sklearn.exceptions import ConvergenceWarning

        self._validate_params()
        X = self._check_X(data, X)
        # about the data, not a parameter (those are checked just above): stays here
        if data.n == 0:
            raise ValueError("AvengersProRouter.fit: no training rows")
        Xn = _normalise(X).astype(np.float64)
        k = int(min(int(self.n_clusters), data.n))
        with warnings.catch_warnings():  # duplicate prompts: fewer distinct clusters than k
            warnings.simplefilter("ignore", ConvergenceWarning)
            km = KMeans(n_clusters=k, n_init=int(self.n_init), random_state=self.random_state).fit(Xn)
        labels = km.labels_
        onehot = np.zeros((data.n, k))
        onehot[np.arange(data.n), labels] = 1.0
        counts = onehot.sum(axis=0)[:, None]
        safe = np.where(counts > 0, counts, 1.0)
        q_all, c_all = data.quality.mean(axis=0), data.cost.mean(axis=0)
        self.models_ = np.asarray(data.models)
        self.centroids_ = km.cluster_centers_
        self.quality_ = np.where(counts > 0, onehot.T @ data.quality / safe, q_all[None, :])
        self.cost_ = np.where(counts > 0, onehot.T @ data.cost / safe, c_all[None, :])
        return self

    def terms(self, data, X=None) -> tuple[np.ndarray, np.ndarray]:
        """Each prompt's cluster-weighted quality and cost terms, ``A`` and ``B``, each (n, m): its
        score at ``alpha`` is ``alpha * A + (1 - alpha) * B``."""
        self._check_fitted()
        self._check_models(data)
        X = self._check_X(data, X)
        W = cluster_weights(X, self.centroids_, self.top_k, self.beta)
        pn, qn = _score_terms(self.quality_, self.cost_)
        return W @ pn, W @ qn

    def route(self, data, X=None) -> np.ndarray:
        """Model index per prompt, shape (n,): the argmax of the weighted score at ``alpha``."""
        A, B = self.terms(data, X)
        return choose(A - B, -B, float(self.alpha))

    def knob_grid(self, n: int | None = None, dataset: str | None = None) -> np.ndarray:
        """``n`` (default 21) values of alpha from 0 to 1."""
        self._check_fitted()
        return np.linspace(0.0, 1.0, 21 if n is None else max(int(n), 2))

    def sweep_outcomes(self, data, X=None, values=None) -> Outcomes:
        """Every prompt's outcome at many alphas, in one vectorised argmax."""
        A, B = self.terms(data, X)
        a = self.knob_grid() if values is None else np.asarray(values, dtype=float).ravel()
        choice = choose(A - B, -B, a)
        rows = np.arange(data.n)[None, :]
        return Outcomes(choice, data.cost[rows, choice], data.quality[rows, choice])
