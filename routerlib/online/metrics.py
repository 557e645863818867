"""Metrics of a replayed stream, with their formulas. Arrays are step-major: (T, S, L) for T steps,
S orders (seeds), L values of ``lambda``; r_t = lambda * q_t - c_t is the reward at step t.

* :func:`reward` -- ``r_t = lambda * q_t - c_t``
* :func:`cumulative_mean` -- ``mean_t = (1 / t) * sum_{u <= t} a_u`` (t counted from 1)
* :func:`cumulative_regret` -- ``R_t = sum_{u <= t} (r_ref_u - r_u)`` against a reference's rewards
* :func:`best_fixed_model` -- the model of largest ``sum_t (lambda q_tj - c_tj)`` over the stream, per (order, lambda)
* :func:`oracle_reward` -- ``max_j (lambda q_tj - c_tj)`` per step: the best any router could get
* :func:`window_points` -- a system's (mean cost per prompt, mean quality) over the steps ``[start, T)``
* :func:`model_points` -- the single models' points over the same steps (the Zero router's)
* :func:`stream_aiq` -- the AIQ of the NDCH of a sweep's points over ``lambda`` (:func:`routerlib.hull.aiq`)
* :func:`order_interval`, :func:`paired_interval` -- 95% intervals over orders (:mod:`routerlib.metrics.stats`)
* :func:`window_share` -- the share of routes to one model over a sliding window of steps

Intervals: the orders of one stream share their prompts, and the window of the metrics (the last 30%
of each order, :data:`routerlib.online.stream.TRAIN_SHARE`) is a random 30% of them, like the test
split of a 70/30 split; so the intervals are the corrected ones of the protocol
(:func:`routerlib.metrics.stats.mean_ci`, Nadeau and Bengio), with the naive ones beside them.
Two systems replayed on the same orders are compared by their difference per order (paired).
"""

from __future__ import annotations

import numpy as np

from ..hull import aiq, ndch
from ..metrics.stats import Interval, mean_ci, verdict

__all__ = ["reward", "cumulative_mean", "cumulative_regret", "best_fixed_model", "oracle_reward", "window_points",
           "model_points", "stream_aiq", "order_interval", "paired_interval", "window_share", "WINDOW_SHARE"]

#: the share of each order the intervals treat as "test" (the metrics' window, after the offline references' training part)
WINDOW_SHARE = 0.3


def reward(quality, cost, lambdas) -> np.ndarray:
    """``lambda * quality - cost``: quality and cost (T, S, L), lambdas (L,).

    >>> reward(np.array([[[1.0, 0.0]]]), np.array([[[0.5, 0.25]]]), [2.0, 4.0]).tolist()
    [[[1.5, -0.25]]]
    """
    return np.asarray(lambdas, dtype=float) * np.asarray(quality, dtype=float) - np.asarray(cost, dtype=float)


def cumulative_mean(a) -> np.ndarray:
    """Running mean along the steps (axis 0): ``out[t] = (a[0] + ... + a[t]) / (t + 1)``.

    >>> cumulative_mean([1.0, 0.0, 0.5, 0.5]).tolist()
    [1.0, 0.5, 0.5, 0.5]
    """
    a = np.asarray(a, dtype=float)
    steps = np.arange(1, a.shape[0] + 1, dtype=float).reshape((-1,) + (1,) * (a.ndim - 1))
    return np.cumsum(a, axis=0) / steps


def cumulative_regret(rewards, reference_rewards) -> np.ndarray:
    """``R[t] = sum_{u <= t} (reference[u] - rewards[u])`` along the steps (axis 0).

    >>> cumulative_regret([0.0, 1.0, 0.5], [1.0, 1.0, 1.0]).tolist()
    [1.0, 1.0, 1.5]
    """
    return np.cumsum(np.asarray(reference_rewards, dtype=float) - np.asarray(rewards, dtype=float), axis=0)


def best_fixed_model(quality, cost, lambdas, available=None) -> np.ndarray:
    """Per (order, lambda), the one model a router told the whole stream in advance would call at
    every step: ``argmax_j sum_t (lambda * q_tj - c_tj)``, among the models available at every step.

    Parameters
    ----------
    quality, cost : (T, S, m)
    lambdas : (L,)
    available : (T, m) bool, optional

    Returns
    -------
    (S, L) int (lowest index among ties)

    >>> q = np.array([[[1.0, 0.0]], [[1.0, 1.0]]]); c = np.array([[[1.0, 0.0]], [[1.0, 0.0]]])
    >>> best_fixed_model(q, c, [0.5, 2.0]).tolist()  # totals: model 0 2*lam - 2, model 1 lam
    [[1, 0]]
    """
    Qs = np.asarray(quality, dtype=float).sum(axis=0)  # (S, m)
    Cs = np.asarray(cost, dtype=float).sum(axis=0)
    lam = np.asarray(lambdas, dtype=float)
    total = lam[None, :, None] * Qs[:, None, :] - Cs[:, None, :]  # (S, L, m)
    if available is not None:
        always = np.asarray(available, dtype=bool).all(axis=0)
        if not always.any():
            raise ValueError("no model is available at every step: there is no fixed model to compare with")
        total = np.where(always, total, -np.inf)
    return total.argmax(axis=2)


def oracle_reward(quality, cost, lambdas, available=None) -> np.ndarray:
    """``max_j (lambda * q_tj - c_tj)`` over the available models, per step: (T, S, L).

    >>> oracle_reward(np.array([[[1.0, 0.0]]]), np.array([[[1.0, 0.0]]]), [0.5, 2.0]).tolist()
    [[[0.0, 1.0]]]
    """
    lam = np.asarray(lambdas, dtype=float)
    r = lam[None, None, :, None] * np.asarray(quality, dtype=float)[:, :, None, :] - np.asarray(cost, dtype=float)[:, :, None, :]
    if available is not None:
        r = np.where(np.asarray(available, dtype=bool)[:, None, None, :], r, -np.inf)
    return r.max(axis=3)


def window_points(quality, cost, start: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean cost per prompt, mean quality) over the steps ``[start, T)``: each (S, L) from (T, S, L).

    >>> c, q = window_points(np.array([[[0.0]], [[1.0]], [[0.5]]]), np.array([[[9.0]], [[2.0]], [[4.0]]]), 1)
    >>> c.tolist(), q.tolist()
    ([[3.0]], [[0.75]])
    """
    q = np.asarray(quality, dtype=float)
    if not 0 <= int(start) < q.shape[0]:
        raise ValueError(f"start {start} leaves no steps in a stream of {q.shape[0]}")
    return np.asarray(cost, dtype=float)[start:].mean(axis=0), q[start:].mean(axis=0)


def model_points(stream_quality, stream_cost, start: int) -> tuple[np.ndarray, np.ndarray]:
    """Each single model's (mean cost per prompt, mean quality) over the steps ``[start, T)`` of each
    order: (S, m) each from the stream's (T, S, m) outcomes. Their NDCH is the Zero router."""
    return window_points(stream_quality, stream_cost, start)


def stream_aiq(cost, quality, c_min: float, c_max: float) -> float:
    """AIQ of a system's points ``(cost, quality)`` (one per lambda, or per model for the Zero router):
    ``1 / (c_max - c_min) * integral_{c_min}^{c_max} NDCH(c) dc`` (:func:`routerlib.hull.aiq`).

    >>> stream_aiq([1.0, 2.0, 3.0], [0.5, 0.8, 0.85], 1.0, 3.0)
    0.7375
    """
    return float(aiq(ndch(cost, quality), c_min, c_max))


def order_interval(values, level: float = 0.95) -> Interval:
    """Mean and 95% intervals over orders (:func:`routerlib.metrics.stats.mean_ci`, test share
    :data:`WINDOW_SHARE`)."""
    return mean_ci(values, level, WINDOW_SHARE)


def paired_interval(values, reference, level: float = 0.95) -> tuple[Interval, str]:
    """The interval of ``values - reference`` per order (both (S,), the same orders) and its verdict
    (``above`` / ``below`` / ``within noise``, :func:`routerlib.metrics.stats.verdict`).

    >>> r, v = paired_interval([0.5, 0.6, 0.7, 0.6, 0.5], [0.4, 0.4, 0.5, 0.5, 0.3])
    >>> round(r.mean, 6), v
    (0.16, 'above')
    """
    a, b = np.asarray(values, dtype=float), np.asarray(reference, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values differ in shape: {a.shape} != {b.shape} (one per order each)")
    r = order_interval(a - b, level)
    return r, verdict(r.ci_low, r.ci_high)


def window_share(choice, model: int, window: int) -> np.ndarray:
    """Share of routes to ``model`` over the last ``window`` steps, averaged over lambda values:
    ``share[t, s] = mean over u in (t - window, t] and over lambda of [choice[u, s, l] == model]``;
    before ``window`` steps have passed, over the steps so far. ``choice`` (T, S, L) -> (T, S).

    >>> window_share(np.array([[[0]], [[1]], [[1]], [[0]]]), 1, 2).tolist()
    [[0.0], [0.5], [1.0], [0.5]]
    """
    ch = np.asarray(choice)
    if int(window) < 1:
        raise ValueError(f"window must be >= 1 step; got {window}")
    hit = (ch == model).mean(axis=2)  # (T, S)
    cs = np.cumsum(hit, axis=0)
    out = cs.copy()
    w = int(window)
    out[w:] = cs[w:] - cs[:-w]
    denom = np.minimum(np.arange(1, ch.shape[0] + 1), w)[:, None]
    return out / denom
