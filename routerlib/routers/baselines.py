"""Baseline routers: Oracle, Random, Best single model, and the Zero router (a hull).

* :class:`OracleRouter` -- per prompt, the model of best quality, cheapest among ties (it
  reads the quality it is scored on: an upper bound, not a deployable router).
* :class:`RandomRouter` -- a uniformly random model per prompt, seeded.
* :class:`BestSingleRouter` -- the model of best mean quality on the training split
  (cheapest mean cost among ties), for every prompt.
* :func:`zero_router_points` / :func:`zero_router_hull` -- the Zero router of the paper:
  the NDCH of the single models' (total cost, mean quality) points, i.e. every mixture of
  single models picked without looking at the prompt. It is a hull, not a per-prompt router.

None of these takes a willingness to pay.
"""

from __future__ import annotations

import numpy as np

from ..hull import Hull, ndch
from .base import SEED, Router

__all__ = ["OracleRouter", "RandomRouter", "BestSingleRouter", "zero_router_points", "zero_router_hull"]


class OracleRouter(Router):
    """Best quality per prompt, cheapest among ties (``RoutingData.oracle_choice``)."""

    reads_quality = True
    _parameter_constraints = {}  # no parameters

    def route(self, data, X=None) -> np.ndarray:
        """Model index per prompt, shape (n,)."""
        self._check_fitted()
        self._check_models(data)
        return data.oracle_choice()


class RandomRouter(Router):
    """A uniformly random model per prompt.

    Parameters
    ----------
    random_state : int in [0, 2**32) or None
        Seed; the same seed and the same data give the same routes (None: fresh draws).
    """

    _parameter_constraints = {"random_state": SEED}

    def __init__(self, random_state: int = 0):
        self.random_state = random_state

    def route(self, data, X=None) -> np.ndarray:
        """Model index per prompt, shape (n,)."""
        self._check_fitted()
        self._check_models(data)
        rng = np.random.default_rng(self.random_state)
        return rng.integers(0, len(self.models_), size=data.n)


class BestSingleRouter(Router):
    """Every prompt to the model of best mean training quality (cheapest among ties)."""

    _parameter_constraints = {}  # no parameters

    def fit(self, data, X=None):
        """Pick the model on the training split. Returns self."""
        self._validate_params()
        self.models_ = np.asarray(data.models)
        q = data.quality.mean(axis=0)
        c = data.cost.mean(axis=0)
        best = np.flatnonzero(q >= q.max())
        self.model_index_ = int(best[np.argmin(c[best])])
        return self

    def route(self, data, X=None) -> np.ndarray:
        """Model index per prompt, shape (n,)."""
        self._check_fitted()
        self._check_models(data)
        return np.full(data.n, self.model_index_, dtype=np.int64)


def zero_router_points(data) -> tuple[np.ndarray, np.ndarray]:
    """Each single model's point: total cost in USD and mean quality over ``data``.

    Returns
    -------
    cost, quality : ndarray of shape (m,)
    """
    return data.cost.sum(axis=0), data.quality.mean(axis=0)


def zero_router_hull(data) -> Hull:
    """The Zero router: the NDCH of :func:`zero_router_points`."""
    return ndch(*zero_router_points(data))
