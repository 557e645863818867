"""The follow-up benchmark's metrics (LLMRouterBench, arXiv 2601.07206; RouteLLM's APGR/CPT).

The follow-up's released code computes none of these, so each definition is written down here.
``acc`` is a mean quality over a set of prompts (accuracy on binary datasets); references are
the **Random router** (the expected accuracy of a uniformly random pick: the mean over models of
each model's accuracy), the **Best Single** model (the model of best mean quality on the
training split, cheapest among ties) and the **Oracle** (best quality per prompt).

Performance setting (one number per router and dataset)
-------------------------------------------------------
* ``AvgAcc`` -- macro: the mean over datasets of the per-dataset accuracy (the follow-up's
  headline number); pooled: the mean over all test prompts (large datasets weigh more).
  :func:`avg_acc`.
* ``Gain@R = Acc / Acc_R - 1``, ``Gain@B = Acc / Acc_BS - 1`` (:func:`gain`),
  ``Gap@O = 1 - Acc / Acc_O`` (:func:`gap`). Two readings over datasets
  (:func:`ratio_readings`): the **ratio of averages** (the metric of the macro AvgAccs: the
  follow-up's tables) and the **mean of ratios** (the mean over datasets of the per-dataset
  metric).

Cost setting (over a router's configurations c, e.g. its willingness-to-pay values)
---------------------------------------------------------------------------------
* ``PerfGain = max_c Acc(c) / Acc_BS - 1`` (:func:`perf_gain`).
* ``CostSave = 1 - min{cost(c) : Acc(c) >= Acc_BS} / cost_BS`` (:func:`cost_save`): N/A (NaN,
  with the reason) when no configuration reaches the Best Single; negative when reaching it
  costs more than the Best Single.
* ``ParetoDist`` (:func:`pareto_distance`): the mean over a router's configurations of the
  Euclidean distance to the nearest point of the Pareto frontier of all systems' points (every
  model and every deployable router's configurations, plus the router's own; routers that read
  the true quality, such as the Oracle, are left out of the frontier), in a normalised plane:
  x = log10(cost) scaled to [0, 1] over all those points, y = accuracy (already in [0, 1]). 0 for
  a router whose every configuration is on the frontier.

Model recall
------------
* :func:`recall_masks`: the **hard** prompts, on which at least 1 and at most 3 models are
  correct, and the prompts **no** model solves (counted apart: no router can answer them).
  "Correct" is a quality of at least 0.5 (the 0/1 scores of the binary datasets; for graded
  MT-Bench, a score of 5/10 or more).

Two-model settings (RouteLLM)
-----------------------------
* ``PGR(x) = (q(x) - q_weak) / (q_strong - q_weak)`` at a share ``x`` of calls to the strong model;
  ``APGR`` its mean over ``x`` in [0, 1] (:func:`apgr`); ``CPT(p)`` the smallest share of strong
  calls that reaches ``PGR >= p`` (:func:`cpt`), for ``p`` = 50% and 80%. Both on the curve
  through the router's configurations (linear between them: a mixture), with the all-weak and
  all-strong routers at its ends, and no hull.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["avg_acc", "gain", "gap", "ratio_readings", "perf_gain", "cost_save", "pareto_front",
           "pareto_distance", "recall_masks", "pgr_curve", "apgr", "cpt"]


def avg_acc(acc: Sequence[float], n: Sequence[int] | None = None) -> float:
    """Macro AvgAcc: the mean of per-dataset accuracies ``acc``; pooled when the datasets' prompt
    counts ``n`` are given (the mean over all prompts).

    >>> avg_acc([0.5, 0.9]), avg_acc([0.5, 0.9], n=[100, 300])
    (0.7, 0.8)
    """
    a = np.asarray(acc, dtype=float)
    if n is None:
        return float(a.mean())
    w = np.asarray(n, dtype=float)
    return float((a * w).sum() / w.sum())


def gain(acc, ref):
    """``Gain@R`` / ``Gain@B``: ``acc / ref - 1`` (elementwise).

    >>> gain(0.8, 0.64)
    0.25
    """
    return np.asarray(acc, dtype=float) / np.asarray(ref, dtype=float) - 1.0 if np.ndim(acc) else float(acc) / float(ref) - 1.0


def gap(acc, oracle):
    """``Gap@O``: ``1 - acc / oracle`` (elementwise); 0 for the Oracle itself.

    >>> gap(0.75, 1.0), gap(0.9, 0.9)
    (0.25, 0.0)
    """
    return 1.0 - np.asarray(acc, dtype=float) / np.asarray(oracle, dtype=float) if np.ndim(acc) else 1.0 - float(acc) / float(oracle)


def ratio_readings(acc: Sequence[float], ref: Sequence[float], kind: str = "gain") -> tuple[float, float]:
    """(ratio of averages, mean of ratios) of a gain or gap over datasets.

    ``acc`` and ``ref`` are per-dataset accuracies of the router and the reference.

    >>> ratio_readings([0.5, 0.9], [0.4, 0.9])  # macro 0.7 / 0.65 - 1, mean(0.25, 0)
    (0.07692307692307687, 0.125)
    """
    a, r = np.asarray(acc, dtype=float), np.asarray(ref, dtype=float)
    f = gain if kind == "gain" else gap
    return float(f(a.mean(), r.mean())), float(np.mean(f(a, r)))


def perf_gain(acc_configs: Sequence[float], acc_bs: float) -> float:
    """``PerfGain = max_c Acc(c) / Acc_BS - 1``.

    >>> round(perf_gain([0.6, 0.85, 0.8], 0.8), 6)
    0.0625
    """
    return float(np.max(np.asarray(acc_configs, dtype=float)) / acc_bs - 1.0)


def cost_save(cost_configs: Sequence[float], acc_configs: Sequence[float], acc_bs: float, cost_bs: float,
              tol: float = 1e-12) -> tuple[float, str]:
    """``CostSave = 1 - min{cost(c) : Acc(c) >= Acc_BS} / cost_BS``, with the reason when N/A.

    Returns (value, reason): reason is ``""`` or why the value is NaN.

    >>> cost_save([1.0, 2.0, 5.0], [0.6, 0.81, 0.9], acc_bs=0.8, cost_bs=4.0)
    (0.5, '')
    >>> cost_save([1.0], [0.6], acc_bs=0.8, cost_bs=4.0)
    (nan, 'no configuration reaches the Best Single (best 0.600 < 0.800)')
    """
    c, a = np.asarray(cost_configs, dtype=float), np.asarray(acc_configs, dtype=float)
    ok = a >= acc_bs - tol
    if not ok.any():
        return float("nan"), f"no configuration reaches the Best Single (best {a.max():.3f} < {acc_bs:.3f})"
    if cost_bs <= 0:
        return float("nan"), "the Best Single costs nothing"
    return float(1.0 - c[ok].min() / cost_bs), ""


def pareto_front(cost: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """Boolean mask of the Pareto-optimal points (no other point is at most as dear and at least
    as good, and strictly better in one); duplicates of a frontier point are all on it.

    >>> pareto_front(np.array([1.0, 2.0, 2.0, 3.0]), np.array([0.5, 0.7, 0.6, 0.7])).tolist()
    [True, True, False, False]
    """
    c, q = np.asarray(cost, dtype=float), np.asarray(quality, dtype=float)
    le_c = c[None, :] <= c[:, None]
    ge_q = q[None, :] >= q[:, None]
    strict = (c[None, :] < c[:, None]) | (q[None, :] > q[:, None])
    dominated = (le_c & ge_q & strict).any(axis=1)
    return ~dominated


def pareto_distance(router_cost, router_quality, all_cost, all_quality) -> float:
    """``ParetoDist`` of one router: the mean over its configurations of the distance to the
    nearest Pareto-optimal point of all systems' points, in the normalised plane (x = log10 cost
    scaled to [0, 1] over all points of positive cost, y = accuracy).

    ``all_cost``/``all_quality`` must include the router's own points.

    >>> pareto_distance([1.0, 10.0], [0.5, 0.5], [1.0, 10.0, 100.0], [0.5, 0.5, 0.9])  # (0 + 0.5) / 2
    0.25
    """
    rc, rq = np.asarray(router_cost, dtype=float), np.asarray(router_quality, dtype=float)
    ac, aq = np.asarray(all_cost, dtype=float), np.asarray(all_quality, dtype=float)
    pos = ac > 0
    lo, hi = np.log10(ac[pos].min()), np.log10(ac[pos].max())
    span = hi - lo if hi > lo else 1.0

    def x(c):
        return (np.log10(np.maximum(c, ac[pos].min())) - lo) / span

    front = pareto_front(ac, aq)
    fx, fq = x(ac[front]), aq[front]
    d = np.sqrt((x(rc)[:, None] - fx[None, :]) ** 2 + (rq[:, None] - fq[None, :]) ** 2).min(axis=1)
    return float(d.mean())


def recall_masks(quality: np.ndarray, max_correct: int = 3, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """(hard, none): prompts that 1..``max_correct`` models answer correctly, and that none does.

    ``quality`` (n, m); correct means quality >= ``threshold``.

    >>> q = np.array([[1, 1, 1, 1], [1, 0, 0, 0], [0, 0, 0, 0]], float)
    >>> [m.tolist() for m in recall_masks(q)]
    [[False, True, False], [False, False, True]]
    """
    k = (np.asarray(quality, dtype=float) >= threshold).sum(axis=1)
    return (k >= 1) & (k <= max_correct), k == 0


def pgr_curve(share_strong, quality, q_weak: float, q_strong: float) -> tuple[np.ndarray, np.ndarray]:
    """The PGR curve: (shares sorted in [0, 1] with the two ends added, PGR at each).

    Configurations of equal share are merged into their mean quality; the all-weak router
    (share 0) and the all-strong router (share 1) are the ends unless a configuration sits there.
    """
    s = np.clip(np.asarray(share_strong, dtype=float), 0.0, 1.0)
    q = np.asarray(quality, dtype=float)
    if q_strong == q_weak:
        raise ValueError("PGR is undefined when the strong and the weak model have the same quality")
    extra_s = [x for x, present in ((0.0, (s == 0).any()), (1.0, (s == 1).any())) if not present]
    extra_q = [q_weak if x == 0.0 else q_strong for x in extra_s]
    s, q = np.r_[s, extra_s], np.r_[q, extra_q]
    us, inv = np.unique(s, return_inverse=True)
    uq = np.bincount(inv, weights=q) / np.bincount(inv)
    return us, (uq - q_weak) / (q_strong - q_weak)


def apgr(share_strong, quality, q_weak: float, q_strong: float) -> float:
    """``APGR``: the exact mean of PGR over the share of strong calls in [0, 1] (trapezoids).

    >>> apgr([0.5], [0.9], q_weak=0.6, q_strong=1.0)  # PGR 0, 0.75, 1 at shares 0, 0.5, 1
    0.625
    """
    x, p = pgr_curve(share_strong, quality, q_weak, q_strong)
    return float(np.trapezoid(p, x))


def cpt(share_strong, quality, q_weak: float, q_strong: float, level: float) -> float:
    """``CPT(level)``: the smallest share of strong calls at which the PGR curve reaches ``level``.

    >>> round(cpt([0.5], [0.9], q_weak=0.6, q_strong=1.0, level=0.5), 12)  # PGR 0.75 at 0.5: crossed at 1/3
    0.333333333333
    """
    x, p = pgr_curve(share_strong, quality, q_weak, q_strong)
    hit = np.flatnonzero(p >= level)
    if not hit.size:
        return float("nan")
    i = int(hit[0])
    if i == 0:
        return float(x[0])
    # linear between the last point below and the first at or above the level
    return float(x[i - 1] + (level - p[i - 1]) * (x[i] - x[i - 1]) / (p[i] - p[i - 1]))
