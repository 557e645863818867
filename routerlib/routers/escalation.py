"""Escalation along the Zero hull: send the prompts predicted hardest to the next, dearer model.

Source: ours, on the difficulty-aware routing the follow-up benchmark (LLMRouterBench,
arXiv 2601.07206) calls for, and RouteLLM's two-model "strong/weak" routing (arXiv 2406.18665)
applied to each adjacent pair of the Zero router's hull.

The policy
----------
``fit`` takes the Zero hull of the training split (the NDCH of each model's total cost and mean
quality): its vertices in cost order ``m_0 < m_1 < ... < m_{K-1}``, with mean costs per prompt
``c_0 < c_1 < ... < c_{K-1}``. For each adjacent pair ``(m_k, m_{k+1})`` a difficulty score is
fitted on the training rows: the predicted probability that the cheaper model ``m_k`` is wrong (a
logistic regression on the prompt features, with the soft target ``1 - quality``; a constant score
when ``m_k`` is always right or always wrong there).

The knob is one scalar, ``budget``: a target mean cost per prompt in USD. The pair is the hull
segment containing it, ``c_k <= budget <= c_{k+1}``, and the share sent to the dearer model is
``t = (budget - c_k) / (c_{k+1} - c_k)``: the ``round(t * n)`` prompts with the highest difficulty
among the ``n`` prompts routed go to ``m_{k+1}``, the others to ``m_k`` (ties in the score broken by
a seeded random order). A budget at or below ``c_0`` sends everything to ``m_0``, at or above
``c_{K-1}`` to ``m_{K-1}``. So the budget's meaning (USD per prompt) does not depend on which
models the hull has, and the sweep walks from vertex to vertex of the Zero hull.

Note that the share is taken *within the prompts routed together* (a batch), as the policy is
stated: ``route`` on a different set of prompts ranks them among themselves.

With random difficulty scores the policy is, in expectation, the Zero router's interpolation
itself (a random share t of prompts to the dearer model), so every gain over the Zero router must
come from the scores: :class:`RandomEscalationRouter` (``scores="random"``, registry name
``escalation_random``) is that control, swept the same way.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..hull import ndch
from ..seeds import rng
from .base import SEED, Outcomes, Router, store_args

__all__ = ["EscalationRouter", "RandomEscalationRouter", "hull_models", "escalate"]

SCORES = ("model", "random")


def hull_models(cost_total: np.ndarray, quality_mean: np.ndarray) -> np.ndarray:
    """Indices of the models on the NDCH of their (total cost, mean quality) points, in cost order
    (the first model of each vertex point among duplicates).

    >>> hull_models(np.array([3.0, 1.0, 2.0, 5.0]), np.array([0.5, 0.3, 0.5, 0.7])).tolist()
    [1, 2, 3]
    """
    c = np.asarray(cost_total, float)
    q = np.asarray(quality_mean, float)
    h = ndch(c, q)
    return np.array([int(np.flatnonzero((c == hc) & (q == hq))[0]) for hc, hq in zip(h.cost, h.quality)])


def escalate(rank: np.ndarray, pair: np.ndarray, share: np.ndarray, lower: np.ndarray, upper: np.ndarray):
    """The escalation policy for many knob values at once.

    Parameters
    ----------
    rank : int array of shape (P, n)
        Per pair, each prompt's rank by difficulty among the prompts (0: hardest).
    pair : int array of shape (k,)
        The pair of each knob value.
    share : float array of shape (k,)
        The share t in [0, 1] sent to the dearer model.
    lower, upper : int arrays of shape (P,)
        Each pair's cheaper and dearer model.

    Returns
    -------
    int array of shape (k, n): the model per knob value and prompt

    >>> escalate(np.array([[2, 0, 1, 3]]), np.array([0, 0]), np.array([0.5, 0.25]), np.array([0]), np.array([1])).tolist()
    [[0, 1, 1, 0], [0, 1, 0, 0]]
    """
    n = rank.shape[1]
    up = rank[pair] < np.rint(np.asarray(share, float) * n)[:, None]
    return np.where(up, upper[pair][:, None], lower[pair][:, None])


class EscalationRouter(Router):
    """Escalate the hardest share of prompts along the training split's Zero hull.

    See the module docstring for the policy and its knob.

    Parameters
    ----------
    budget : float in [0, inf]
        The knob: target mean cost per prompt (USD), which picks the hull pair and the share.
    scores : {"model", "random"}
        Difficulty from the fitted classifiers, or random (seeded) scores: the control.
    C : float in (0, inf]
        Inverse L2 regularisation of the logistic regressions (as scikit-learn's
        ``LogisticRegression`` takes it).
    random_state : int in [0, 2**32) or None
        Seeds the random scores and the tie-breaking order (None: fresh draws).

    Attributes (after fit)
    ----------------------
    models_ : (m,) model names
    hull_ : (K,) model indices on the training Zero hull, in cost order
    hull_cost_ : (K,) their mean cost per prompt on the training split (USD)
    classifiers_ : list of K - 1 fitted LogisticRegression or float (a constant score), or None
        for ``scores="random"``
    """

    knob = "budget"
    _parameter_constraints = {
        "budget": [Interval(Real, 0, None, closed="both")],
        "scores": [StrOptions(set(SCORES))],
        "C": [Interval(Real, 0, None, closed="right")],
        "random_state": SEED,
    }

    def __init__(self, budget: float = 0.0, scores: str = "model", C: float = 1.0, random_state: int = 0):
        store_args(self, locals())

    def fit(self, data, X=None):
        """Fit the hull and, for ``scores="model"``, one difficulty classifier per adjacent pair.

        Parameters
        ----------
        data : RoutingData with n rows
        X : ndarray of shape (n, d)
            Prompt features (ignored for ``scores="random"``).

        Returns
        -------
        self
        """
        self._validate_params()
        # about the data, not a parameter (those are checked just above): stays here
        if data.n == 0:
            raise ValueError("EscalationRouter.fit: no training rows")
        self.models_ = np.asarray(data.models)
        self.hull_ = hull_models(data.cost.sum(axis=0), data.quality.mean(axis=0))
        self.hull_cost_ = data.cost.mean(axis=0)[self.hull_]
        self.classifiers_ = None
        if self.scores == "model":
            X = self._check_X(data, X)
            self.classifiers_ = [self._difficulty(X, data.quality[:, j]) for j in self.hull_[:-1]]
        return self

    def _difficulty(self, X: np.ndarray, quality: np.ndarray):
        """P(wrong) of one model: logistic regression with the soft target 1 - quality (each row
        twice, weighted 1 - q as "wrong" and q as "right"); a constant for a constant target."""
        from sklearn.linear_model import LogisticRegression

        q = np.clip(np.asarray(quality, float), 0.0, 1.0)
        if np.ptp(q) == 0:
            return float(1.0 - q[0])
        n = X.shape[0]
        XX = np.vstack([X, X])
        y = np.r_[np.ones(n), np.zeros(n)]
        w = np.r_[1.0 - q, q]
        keep = w > 0
        with warnings.catch_warnings():
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", ConvergenceWarning)
            return LogisticRegression(C=self.C, max_iter=1000).fit(XX[keep], y[keep], sample_weight=w[keep])

    def difficulty(self, data, X=None) -> np.ndarray:
        """Each prompt's difficulty per hull pair, shape (K - 1, n): P(the cheaper model is wrong),
        or uniform random scores (``scores="random"``)."""
        self._check_fitted()
        self._check_models(data)
        P = len(self.hull_) - 1
        if self.scores == "random":
            return rng(self.random_state, "escalation/random").random((P, data.n))
        X = self._check_X(data, X)
        out = np.empty((P, data.n))
        for k, clf in enumerate(self.classifiers_):
            out[k] = clf if isinstance(clf, float) else clf.predict_proba(X)[:, 1]
        return out

    def _ranks(self, data, X) -> np.ndarray:
        """(K - 1, n): rank of each prompt by difficulty, hardest first, ties in a seeded random order."""
        D = self.difficulty(data, X)
        tie = rng(self.random_state, "escalation/ties").permutation(data.n)
        rank = np.empty(D.shape, dtype=np.int64)
        for k in range(D.shape[0]):
            order = np.lexsort((tie, -D[k]))
            rank[k, order] = np.arange(data.n)
        return rank

    def _pairs(self, budgets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pair index and share t for each budget (see the module docstring)."""
        c = self.hull_cost_
        b = np.clip(np.asarray(budgets, float), c[0], c[-1])
        pair = np.clip(np.searchsorted(c, b, side="right") - 1, 0, len(c) - 2)
        share = np.clip((b - c[pair]) / (c[pair + 1] - c[pair]), 0.0, 1.0)
        return pair, share

    def _choices(self, data, X, budgets) -> np.ndarray:
        self._check_fitted()
        self._check_models(data)
        budgets = np.atleast_1d(np.asarray(budgets, float))
        if len(self.hull_) == 1:
            return np.full((budgets.size, data.n), self.hull_[0], dtype=np.int64)
        pair, share = self._pairs(budgets)
        return escalate(self._ranks(data, X), pair, share, self.hull_[:-1], self.hull_[1:])

    def route(self, data, X=None) -> np.ndarray:
        """Model index per prompt, shape (n,), at the current ``budget``."""
        return self._choices(data, X, [self.budget])[0]

    def knob_grid(self, n: int | None = None, dataset: str | None = None) -> np.ndarray:
        """Budgets from the cheapest to the dearest hull model: each hull segment split into equal
        shares, ``n`` values in all (default 41; at least one per hull vertex)."""
        self._check_fitted()
        c = self.hull_cost_
        if len(c) == 1:
            return c.copy()
        n = 41 if n is None else int(n)
        per = max(1, int(np.ceil((n - 1) / (len(c) - 1))))
        t = np.linspace(0.0, 1.0, per + 1)[:-1]
        grid = np.concatenate([c[k] + t * (c[k + 1] - c[k]) for k in range(len(c) - 1)] + [c[-1:]])
        return np.unique(grid)

    def sweep_outcomes(self, data, X=None, values=None) -> Outcomes:
        """Every prompt's outcome at many budgets at once (the ranks are computed once)."""
        vals = self.knob_grid() if values is None else np.asarray(values, dtype=float).ravel()
        choice = self._choices(data, X, vals)
        rows = np.arange(data.n)[None, :]
        return Outcomes(choice, data.cost[rows, choice], data.quality[rows, choice])


class RandomEscalationRouter(EscalationRouter):
    """The escalation policy with random difficulty scores (seeded): the control of
    :class:`EscalationRouter` (registry name ``escalation_random``). ``X`` is ignored."""

    def __init__(self, budget: float = 0.0, scores: str = "random", C: float = 1.0, random_state: int = 0):
        store_args(self, locals())
