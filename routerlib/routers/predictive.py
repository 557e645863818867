"""Predictive routers of the paper's section 5.1: KNN, MLP and (as in the public code) SVM.

Each predicts every model's quality for a prompt, ``P_hat (n, m)``, and a cost
``C_hat (n, m)``, then routes to ``argmax_j  willingness_to_pay * P_hat[:, j] - C_hat[:, j]``.

How cost is predicted (``cost_model``):

* ``"mean"`` (default, the paper's per-model price): each model's mean cost per prompt on
  the training split, the same for every prompt. (The paper says it "approximates the
  total cost using the cost per token metric"; the public code uses each model's price per
  token. A mean cost per prompt is the same idea on the cost scale of the data.)
* ``"knn"``: a per-prompt estimate, the mean cost of each model over the prompt's
  ``cost_neighbors`` nearest training prompts (cosine). Long prompts cost more, and their
  neighbours are long too.

The knob is ``willingness_to_pay`` (lambda); :func:`wtp_grid` spans it from "always the
cheapest model" to "always the best" on the training split's own scales. Predictions are cached
in the fitted router per input (a fingerprint of ``X`` and of the parameters other than
``willingness_to_pay``), so a sweep, by ``set_params(willingness_to_pay=...)`` or by
:meth:`PredictiveRouter.sweep_outcomes` (all prompts for all values in one vectorised argmax),
never recomputes them.

Example
-------
>>> import numpy as np
>>> from routerlib.data import RoutingData
>>> rng = np.random.default_rng(0)
>>> q = np.clip([0.2, 0.5, 0.9] + 0.05 * rng.standard_normal((60, 3)), 0, 1)
>>> train = RoutingData.from_arrays(q, np.tile([1e-4, 1e-3, 1e-2], (60, 1)))
>>> X = rng.standard_normal((60, 8))
>>> r = KNNRouter(n_neighbors=5).fit(train, X)
>>> r.set_params(willingness_to_pay=1e6).route(train, X)[:4].tolist()  # best model
[2, 2, 2, 2]
>>> r.set_params(willingness_to_pay=0.0).route(train, X)[:4].tolist()   # cheapest model
[0, 0, 0, 0]
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..fingerprint import content_hash
from .base import Items, Outcomes, Router, store_args

__all__ = ["PredictiveRouter", "KNNRouter", "MLPRouter", "SVMRouter", "cosine_neighbors", "shared_neighbors", "choose",
           "squared_svr", "wtp_grid"]


def _normalise(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    norm = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norm > 0, norm, 1.0)


#: cosine similarities closer than this are tied (:func:`cosine_neighbors`)
SIMILARITY_QUANTUM = 2.0**-16


def cosine_neighbors(X_train: np.ndarray, X_query: np.ndarray, k: int, chunk: int = 2048,
                     block_entries: int = 1 << 22) -> np.ndarray:
    """Indices of the ``k`` most cosine-similar training rows of each query row.

    Brute force on unit vectors (one matrix product per block of query rows, then a partial sort
    per row), so no (n, n_train) matrix is ever held: a block has at most ``chunk`` rows and at
    most ``block_entries`` similarities (about ``block_entries * 20`` bytes with their sort keys
    and the partial sort's indices), however many training rows there are.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, d)
    X_query : ndarray of shape (n, d)
    k : int
        Capped at ``n_train``.
    chunk : int
        At most this many query rows per block.
    block_entries : int
        At most this many similarities per block (at least one query row per block).

    Returns
    -------
    ndarray of shape (n, min(k, n_train)), int
        Neighbour indices, the most similar first (on the grid below; equal ones by training
        index), so the first ``j`` columns are the ``j`` nearest for any ``j <= k``.

    Raises
    ------
    ValueError
        Naming the first row of ``X_train`` or ``X_query`` that is not finite, or a ``k`` below 1.

    Notes
    -----
    Similarities are compared on a grid of :data:`SIMILARITY_QUANTUM` (2**-16, about 1.5e-5), and
    among equal ones the lower training index wins. A float32 product's last bits differ between
    CPUs (with and without AVX-512, say), and prompts that share a long prefix embed alike up to
    those bits; on the grid such near-ties are exact ties, broken by index, so the neighbours do not
    depend on the machine (except for a pair that straddles a grid line).
    """
    if int(k) < 1:
        raise ValueError(f"cosine_neighbors: k must be at least 1; got {k!r}")
    for name, M in (("X_train", X_train), ("X_query", X_query)):
        bad = ~np.isfinite(M).all(axis=1)
        if bad.any():
            raise ValueError(f"cosine_neighbors: {name} row {int(np.flatnonzero(bad)[0])} is not finite "
                             f"({int(bad.sum())} such rows); a NaN or infinite embedding has no neighbours")
    A = _normalise(X_train)
    B = _normalise(X_query)
    k = int(min(k, A.shape[0]))
    rows = max(1, min(int(chunk), int(block_entries) // max(1, A.shape[0])))
    out = np.empty((B.shape[0], k), dtype=np.int64)
    index = np.arange(A.shape[0], dtype=np.int64)
    for s in range(0, B.shape[0], rows):
        S = B[s:s + rows] @ A.T
        S *= -1.0 / SIMILARITY_QUANTUM  # in place: the most similar first, in grid steps
        np.rint(S, out=S)  # |S| <= 2**16: float32 holds these integers exactly
        part = _smallest(S, k) if k < A.shape[0] else np.broadcast_to(index, S.shape)
        key = np.take_along_axis(S, part, axis=1).astype(np.int64)
        key *= A.shape[0]
        key += part  # unique keys: equal grid steps ordered by training index
        out[s:s + rows] = np.take_along_axis(part, key.argsort(axis=1), axis=1)  # the k nearest, nearest first
    return out


def _smallest(S: np.ndarray, k: int) -> np.ndarray:
    """Per row of ``S``, the columns of its ``k`` smallest values, equal values taken by lowest
    column (in no order): the ``k`` smallest of the keys ``(value, column)``.

    ``argpartition`` on the values alone takes all below the k-th smallest value ``v`` and some of
    those equal to it; only a row with more columns at ``v`` than it took has its share of them
    replaced by the lowest columns. That costs one comparison per value instead of building an
    int64 key per value."""
    part = np.argpartition(S, k - 1, axis=1)[:, :k]
    got = np.take_along_axis(S, part, axis=1)
    v = got.max(axis=1, keepdims=True)
    at_v = got == v
    taken = at_v.sum(axis=1)
    for r in np.flatnonzero((S == v).sum(axis=1) > taken):
        part[r, at_v[r]] = np.flatnonzero(S[r] == v[r])[:taken[r]]
    return part


#: a KNN router searches at least this many neighbours and keeps them (:class:`KNNRouter`)
KNN_SEARCH = 64
#: (training rows' hash, query rows' hash) -> their nearest neighbours, the last few searches
_NEIGHBOURS: dict[tuple[str, str], np.ndarray] = {}
_NEIGHBOURS_LOCK = threading.Lock()


def shared_neighbors(X_train: np.ndarray, X_query: np.ndarray, k: int, train_key: str | None = None) -> np.ndarray:
    """:func:`cosine_neighbors` of ``k`` (first ``k`` columns), from one search of at least
    :data:`KNN_SEARCH` neighbours kept for the same rows: a grid of k (5, 10, 40) on one split is one
    matrix product and one partial sort, not three. Equal to ``cosine_neighbors(X_train, X_query, k)``
    (the neighbours come nearest first). ``train_key``: the hash of ``X_train`` if known."""
    key = (train_key or content_hash(X_train), content_hash(X_query))
    with _NEIGHBOURS_LOCK:  # a Dask worker runs jobs in threads
        nb = _NEIGHBOURS.get(key)
    if nb is None or nb.shape[1] < min(int(k), X_train.shape[0]):
        nb = cosine_neighbors(X_train, X_query, max(int(k), KNN_SEARCH))
        with _NEIGHBOURS_LOCK:
            _NEIGHBOURS[key] = nb
            while len(_NEIGHBOURS) > 4:  # memory stays bounded: the searches of one split at a time
                _NEIGHBOURS.pop(next(iter(_NEIGHBOURS)))
    return nb[:, :int(k)]


def choose(quality_hat: np.ndarray, cost_hat: np.ndarray, willingness_to_pay, chunk_bytes: int = 64 << 20) -> np.ndarray:
    """Vectorised routing decisions for one or many willingness-to-pay values.

    Parameters
    ----------
    quality_hat, cost_hat : ndarray of shape (n, m)
    willingness_to_pay : float or array of shape (w,)

    Returns
    -------
    ndarray of shape (n,) for a scalar, (w, n) for an array: ``argmax_j wtp * P - C``
    (the first model among exact ties).
    """
    Q = np.asarray(quality_hat, dtype=np.float64)
    C = np.asarray(cost_hat, dtype=np.float64)
    w = np.asarray(willingness_to_pay, dtype=np.float64)
    if w.ndim == 0:
        return np.argmax(w * Q - C, axis=1)
    n, m = Q.shape
    out = np.empty((w.size, n), dtype=np.int64)
    step = max(1, int(chunk_bytes // max(1, n * m * 8)))
    for s in range(0, w.size, step):
        ww = w[s:s + step, None, None]
        out[s:s + step] = np.argmax(ww * Q[None] - C[None], axis=2)
    return out


def wtp_grid(mean_cost, mean_quality, n: int = 40, widen: float = 10.0, min_quality_gap: float = 1e-3) -> np.ndarray:
    """Log-spaced willingness-to-pay values spanning every trade-off between the models.

    From (smallest positive gap between two models' mean cost per prompt) / (largest possible
    quality gap, 1) to (largest mean-cost gap) / (smallest positive mean-quality gap, floored at
    ``min_quality_gap``), widened by ``widen`` at both ends: at the low end every router picks the
    cheapest model, at the high end the best predicted one.

    Parameters
    ----------
    mean_cost, mean_quality : array_like of shape (m,)
        Each model's mean cost per prompt (USD) and mean quality on the training split.
    n : int
        Number of values (>= 2).

    Returns
    -------
    ndarray of shape (n,), increasing

    >>> wtp_grid([1e-4, 1e-2], [0.2, 0.9], n=3).round(8).tolist()
    [0.00099, 0.01183276, 0.14142857]
    """
    c = np.unique(np.asarray(mean_cost, dtype=float))
    q = np.unique(np.asarray(mean_quality, dtype=float))
    cg = np.diff(c)
    cg = cg[cg > 0]
    qg = np.diff(q)
    qg = qg[qg > 0]
    c_lo = cg.min() if cg.size else max(float(c.max()), 1e-12)
    c_hi = float(c.max() - c.min()) if c.size > 1 else max(float(c.max()), 1e-12)
    q_lo = max(float(qg.min()) if qg.size else min_quality_gap, min_quality_gap)
    lo = c_lo / 1.0 / widen
    hi = max(c_hi / q_lo * widen, lo * 10)
    return np.geomspace(lo, hi, int(n))


@contextlib.contextmanager
def _no_convergence_warnings():
    """Iterative fits stopped by their iteration cap are expected here (the cap is the paper's setting)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class PredictiveRouter(Router):
    """Shared machinery: cost model, prediction cache, WTP argmax (subclasses predict quality).

    Subclasses implement ``_fit_quality(X, quality)`` and ``_predict_quality(X) -> (n, m)``, and
    extend :attr:`_parameter_constraints` with their own parameters.

    The constraints shared by every predictive router: ``willingness_to_pay`` a finite float >= 0
    (at ``inf``, ``inf * 0`` would make the argmax NaN), ``cost_model`` "mean" or "knn",
    ``cost_neighbors`` an int >= 1.
    """

    knob = "willingness_to_pay"
    _parameter_constraints = {
        "willingness_to_pay": [Interval(Real, 0, None, closed="left")],
        "cost_model": [StrOptions({"mean", "knn"})],
        "cost_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    # ---- subclass hooks ---------------------------------------------------------------
    def _fit_quality(self, X: np.ndarray, quality: np.ndarray) -> None:  # pragma: no cover
        raise NotImplementedError

    def _predict_quality(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    # ---- fit / predict ----------------------------------------------------------------
    def fit(self, data, X=None):
        """Fit on the training split.

        Parameters
        ----------
        data : RoutingData with n rows
        X : ndarray of shape (n, d)
            Prompt embeddings, row-aligned with ``data``.

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._check_X(data, X)
        # about the data, not a parameter (those are checked just above): stays here
        if data.n == 0:
            raise ValueError(f"{type(self).__name__}.fit: no training rows")
        self.models_ = np.asarray(data.models)
        self.mean_cost_ = data.cost.mean(axis=0)  # (m,) USD per prompt
        self.mean_quality_ = data.quality.mean(axis=0)  # (m,)
        self.X_train_ = _normalise(X)
        self.cost_train_ = np.asarray(data.cost, dtype=np.float64)
        self.quality_train_ = np.asarray(data.quality, dtype=np.float64)
        self._fit_quality(self.X_train_, self.quality_train_)
        self._pred_cache_ = {}
        return self

    def _cache_key(self, X: np.ndarray) -> str:
        p = {k: v for k, v in self.get_params().items() if k != "willingness_to_pay"}
        h = hashlib.blake2b(np.ascontiguousarray(X).tobytes(), digest_size=16)
        h.update(repr((X.shape, X.dtype.str, sorted(p.items()))).encode())
        return h.hexdigest()

    def predict(self, data, X=None) -> tuple[np.ndarray, np.ndarray]:
        """Predicted quality and cost of every model for every prompt (cached per input).

        Parameters
        ----------
        data : RoutingData with n rows (its quality and cost are not used)
        X : ndarray of shape (n, d)

        Returns
        -------
        quality_hat : ndarray of shape (n, m)
        cost_hat : ndarray of shape (n, m), USD per prompt
        """
        self._check_fitted()
        self._check_models(data)
        X = self._check_X(data, X)
        key = self._cache_key(X)
        hit = self._pred_cache_.get(key)
        if hit is not None:
            return hit
        Q, C = self._predict(_normalise(X))
        if len(self._pred_cache_) >= 4:  # keep memory bounded: a few inputs at a time
            self._pred_cache_.pop(next(iter(self._pred_cache_)))
        self._pred_cache_[key] = (Q, C)
        return Q, C

    def _predict(self, Xn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Q = np.asarray(self._predict_quality(Xn), dtype=np.float64).reshape(Xn.shape[0], -1)
        if self.cost_model == "knn":
            nb = cosine_neighbors(self.X_train_, Xn, self.cost_neighbors)
            C = self.cost_train_[nb].mean(axis=1)
        else:
            C = np.broadcast_to(self.mean_cost_, Q.shape)
        return Q, C

    def route(self, data, X=None) -> np.ndarray:
        """Model index per prompt, shape (n,): argmax of ``wtp * P_hat - C_hat``."""
        Q, C = self.predict(data, X)
        return choose(Q, C, float(self.willingness_to_pay))

    def knob_grid(self, n: int | None = None, dataset: str | None = None) -> np.ndarray:
        """:func:`wtp_grid` of the training split's mean costs and qualities (``n`` default 40)."""
        self._check_fitted()
        return wtp_grid(self.mean_cost_, self.mean_quality_, 40 if n is None else n)

    def sweep_outcomes(self, data, X=None, values=None) -> Outcomes:
        """Every prompt's outcome at many willingness-to-pay values, in one vectorised argmax."""
        Q, C = self.predict(data, X)
        w = self.knob_grid() if values is None else np.asarray(values, dtype=float).ravel()
        choice = choose(Q, C, w)
        rows = np.arange(data.n)[None, :]
        return Outcomes(choice, data.cost[rows, choice], data.quality[rows, choice])


class KNNRouter(PredictiveRouter):
    """k-nearest-neighbour router (paper section 5.1; cosine similarity, k in 5/10/40).

    ``P_hat_j(x)`` is model j's mean quality over the k training prompts most similar to
    ``x``. Cost: see the module docstring (``cost_model="knn"`` reuses the same neighbours).

    Parameters
    ----------
    n_neighbors : int >= 1
        k (capped at the number of training prompts).
    willingness_to_pay : float >= 0, finite
        lambda of ``lambda * P_hat - C_hat``; change it with ``set_params`` (no refit).
    cost_model : {"mean", "knn"}
    cost_neighbors : int >= 1
        Neighbours of the per-prompt cost estimate (``cost_model="knn"``); ignored here,
        where the router's own ``n_neighbors`` are used.
    """

    _parameter_constraints = {**PredictiveRouter._parameter_constraints,
                              "n_neighbors": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, n_neighbors: int = 40, willingness_to_pay: float = 1.0, cost_model: str = "mean",
                 cost_neighbors: int = 10):
        store_args(self, locals())

    def _fit_quality(self, X, quality):
        self.train_key_ = content_hash(X)  # the neighbours are searched at prediction time

    def _predict(self, Xn):
        # one neighbour search serves both quality and (cost_model="knn") cost, and every k of a grid
        nb = shared_neighbors(self.X_train_, Xn, int(self.n_neighbors), self.train_key_)
        Q = self.quality_train_[nb].mean(axis=1)
        if self.cost_model == "knn":
            C = self.cost_train_[nb].mean(axis=1)
        else:
            C = np.broadcast_to(self.mean_cost_, Q.shape)
        return Q, C


class MLPRouter(PredictiveRouter):
    """Multi-layer perceptron router (paper section 5.1; ReLU, hidden (100,) or (100, 100), lr 0.001).

    One scikit-learn ``MLPRegressor`` with one output per model, fitted on the training
    embeddings (Adam, learning rate 0.001, early stopping on 10% of the training rows,
    fixed ``random_state``), in float32 as the embeddings come: the targets too, so the backward
    pass is not in float64 (1.4 times faster). Predictions are clipped to [0, 1]. Cost: see the
    module docstring.

    Parameters
    ----------
    hidden_layer_sizes : non-empty tuple (or list) of int >= 1
    learning_rate_init : float > 0, finite
    max_iter : int >= 1
    early_stopping : bool
        Stop when the score on a held-out 10% of the training rows has not improved for
        ``n_iter_no_change`` epochs.
    n_iter_no_change : int >= 1
    batch_size : int >= 1 or "auto"
    random_state : int in [0, 2**32 - 1], numpy RandomState or None
        As scikit-learn's ``MLPRegressor`` takes it.
    willingness_to_pay : float >= 0, finite
    cost_model : {"mean", "knn"}
    cost_neighbors : int >= 1
    """

    _parameter_constraints = {
        **PredictiveRouter._parameter_constraints,
        "hidden_layer_sizes": [Items(Interval(Integral, 1, None, closed="left"))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "random_state": ["random_state"],
    }

    def __init__(self, hidden_layer_sizes: tuple = (100, 100), learning_rate_init: float = 0.001, max_iter: int = 200,
                 early_stopping: bool = True, n_iter_no_change: int = 5, batch_size: int | str = "auto",
                 random_state: int = 0, willingness_to_pay: float = 1.0, cost_model: str = "mean",
                 cost_neighbors: int = 10):
        store_args(self, locals())

    def _fit_quality(self, X, quality):
        from sklearn.neural_network import MLPRegressor

        early = bool(self.early_stopping) and X.shape[0] >= 20
        self.mlp_ = MLPRegressor(hidden_layer_sizes=tuple(self.hidden_layer_sizes), activation="relu",
                                 solver="adam", learning_rate_init=self.learning_rate_init,
                                 max_iter=self.max_iter, early_stopping=early,
                                 n_iter_no_change=self.n_iter_no_change, batch_size=self.batch_size,
                                 random_state=self.random_state)
        with _no_convergence_warnings():  # targets in the embeddings' float32: the backward pass too
            self.mlp_.fit(X, np.asarray(quality, dtype=X.dtype))

    def _predict_quality(self, X):
        return np.clip(self.mlp_.predict(X).reshape(X.shape[0], -1), 0.0, 1.0)


def squared_svr(X: np.ndarray, Y: np.ndarray, C, intercept_scaling: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The exact minimiser of liblinear's L2-loss support-vector regression with ``epsilon = 0``, for
    every column of ``Y`` at once (and, optionally, every value of a grid of ``C``).

    ``sklearn.svm.LinearSVR(loss="squared_epsilon_insensitive", epsilon=0, dual=False,
    fit_intercept=True)`` hands liblinear (solver ``L2R_L2LOSS_SVR``, the primal) each row
    extended by a constant feature, ``x~ = [x, s]`` with ``s = intercept_scaling``, and minimises,
    per target column ``y``,

        0.5 * |w~|^2 + C * sum_i max(0, |y_i - w~ . x~_i| - epsilon)^2,

    where ``w~ = [w, w_s]`` and the intercept is ``s * w_s``: the intercept's weight is penalised
    like the others. With ``epsilon = 0`` the loss is the plain squared error, so this is ridge
    regression on ``X~`` with penalty ``1 / (2C)``. Setting the gradient
    ``w~ - 2C X~'(y - X~ w~)`` to zero gives

        (X~'X~ + I / (2C)) w~ = X~'y,

    one symmetric positive-definite ``(d+1) x (d+1)`` system whose right-hand sides are all of
    ``Y``'s columns (solved by Cholesky). liblinear reaches the same point iteratively, up to its
    stopping tolerance (``tol = 1e-4`` on the gradient): predictions agree to about 1e-3.

    For an array of ``C``, one eigendecomposition ``X~'X~ = V diag(l) V'`` serves every value:
    ``w~(C) = V diag(1 / (l + 1 / (2C))) V'X~'y``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    Y : ndarray of shape (n, m) (or (n,))
    C : float > 0, or array of shape (k,) of them
    intercept_scaling : float > 0
        ``s``, liblinear's constant feature (scikit-learn's default 1).

    Returns
    -------
    coef : ndarray of shape (d, m), or (k, d, m) for an array ``C``
    intercept : ndarray of shape (m,), or (k, m)
        Predictions are ``X @ coef + intercept``.

    Example: two points on a line, ``C`` huge (almost no penalty): the line itself.

    >>> coef, b = squared_svr(np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]]), 1e9)
    >>> coef.round(6).tolist(), b.round(6).tolist()
    ([[2.0]], [1.0])
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    Y2 = Y.reshape(Y.shape[0], -1)
    Cs = np.asarray(C, dtype=np.float64)
    if not (np.all(np.isfinite(Cs)) and np.all(Cs > 0)) or Cs.ndim > 1 or Cs.size == 0:
        raise ValueError(f"C must be a positive finite number (or a 1-d array of them); got {C!r}")
    s = float(intercept_scaling)
    if not (np.isfinite(s) and s > 0):
        raise ValueError(f"intercept_scaling must be a positive finite number; got {intercept_scaling!r}")
    n, d = X.shape
    # X~'X~ and X~'Y by blocks, without copying X into an (n, d+1) matrix
    G = np.empty((d + 1, d + 1))
    G[:d, :d] = X.T @ X
    G[:d, d] = G[d, :d] = s * X.sum(axis=0)
    G[d, d] = s * s * n
    B = np.vstack([X.T @ Y2, s * Y2.sum(axis=0, keepdims=True)])  # (d+1, m)
    if Cs.ndim == 0:
        from scipy.linalg import solve

        A = G.copy()
        A[np.diag_indices_from(A)] += 0.5 / float(Cs)
        W = solve(A, B, assume_a="pos")  # (d+1, m)
        coef, b = W[:d], s * W[d]
    else:
        lam, V = np.linalg.eigh(G)
        VB = V.T @ B  # (d+1, m)
        W = np.einsum("ij,kj,jm->kim", V, 1.0 / (lam[None, :] + 0.5 / Cs[:, None]), VB)  # (k, d+1, m)
        coef, b = W[:, :d], s * W[:, d]
    if Y.ndim == 1:
        coef, b = coef[..., 0], b[..., 0]
    return coef, b


class SVMRouter(PredictiveRouter):
    """Linear support-vector regression router (the paper's public code, ``svm_router.py``).

    One linear support-vector regression per model, fitted on the training embeddings,
    predicting that model's quality. The public code uses ``LinearSVR(random_state=1234)`` with
    its default epsilon-insensitive (L1) loss, solved in the dual: on thousands of prompts it
    rarely converges within its iteration cap and takes seconds per model. The default here is
    the squared epsilon-insensitive loss with ``epsilon = 0`` (predictions close to each model's
    conditional mean quality), which is ridge regression with a penalised intercept and has a
    closed form (:func:`squared_svr`): every model in one linear solve, the exact minimiser of
    what ``LinearSVR(loss="squared_epsilon_insensitive", epsilon=0, dual=False)`` approaches
    iteratively (its predictions agree to about 1e-3, liblinear's tolerance).
    ``loss="epsilon_insensitive"`` gives the public code's choice (``LinearSVR``, dual).
    Cost: see the module docstring.

    A model whose training quality is constant predicts that constant (nothing to learn).

    Parameters
    ----------
    C : float > 0, finite
        Inverse regularisation strength.
    epsilon : float >= 0, finite
    loss : {"squared_epsilon_insensitive", "epsilon_insensitive"}
    max_iter : int >= 1
        liblinear's iteration cap (``solver="liblinear"`` only).
    random_state : int in [0, 2**32 - 1], numpy RandomState or None
        liblinear's seed (``solver="liblinear"`` only).
    willingness_to_pay : float >= 0, finite
    cost_model : {"mean", "knn"}
    cost_neighbors : int >= 1
    solver : {"auto", "exact", "liblinear"}
        ``"exact"``: the closed form (only for the squared loss with ``epsilon = 0``; other
        settings are refused). ``"liblinear"``: one ``sklearn.svm.LinearSVR`` per model.
        ``"auto"``: exact where it applies, liblinear otherwise.
    """

    _parameter_constraints = {
        **PredictiveRouter._parameter_constraints,
        "C": [Interval(Real, 0, None, closed="neither")],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions({"squared_epsilon_insensitive", "epsilon_insensitive"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "solver": [StrOptions({"auto", "exact", "liblinear"})],
    }

    def __init__(self, C: float = 1.0, epsilon: float = 0.0, loss: str = "squared_epsilon_insensitive",
                 max_iter: int = 1000, random_state: int = 1234, willingness_to_pay: float = 1.0,
                 cost_model: str = "mean", cost_neighbors: int = 10, solver: str = "auto"):
        store_args(self, locals())

    def _fit_quality(self, X, quality):
        closed = self.loss == "squared_epsilon_insensitive" and float(self.epsilon) == 0.0
        # a relation between three parameters, which per-parameter constraints cannot state: stays here
        if self.solver == "exact" and not closed:
            raise ValueError("solver='exact' needs loss='squared_epsilon_insensitive' and epsilon=0 (the closed form); "
                             f"got loss={self.loss!r}, epsilon={self.epsilon!r}")
        const = np.ptp(quality, axis=0) == 0  # constant target: nothing to learn
        self.const_ = np.where(const, quality[0], np.nan)
        self.svrs_ = None
        if self.solver != "liblinear" and closed:
            self.coef_, self.intercept_ = squared_svr(X, quality, self.C)
            return
        from sklearn.svm import LinearSVR

        dual = self.loss == "epsilon_insensitive"  # the L1 loss has no primal solver in liblinear
        self.svrs_ = []
        with _no_convergence_warnings():
            for j in range(quality.shape[1]):  # one regressor per model (m is small)
                if const[j]:
                    self.svrs_.append(None)
                    continue
                svr = LinearSVR(C=self.C, epsilon=self.epsilon, loss=self.loss, dual=dual,
                                max_iter=self.max_iter, random_state=self.random_state)
                self.svrs_.append(svr.fit(X, quality[:, j]))

    def _predict_quality(self, X):
        if self.svrs_ is None:
            P = np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_
        else:
            P = np.column_stack([np.zeros(X.shape[0]) if s is None else s.predict(X) for s in self.svrs_])
        return np.where(np.isnan(self.const_), P, self.const_)
