"""The random-score control: a predictive router that sees nothing of the prompt.

:class:`RandomScoreRouter` predicts each model's quality for a prompt as that model's mean
quality over ``n_neighbors`` training prompts drawn at random (seeded), instead of the nearest
ones: a KNN router whose neighbours carry no information about the prompt. Its predictions have
the same spread as a KNN router's on prompts it cannot tell apart, and it is swept over the same
willingness-to-pay grid, so any AIQ it gains over the Zero router is the optimism of taking a
hull over a sweep on the split it is scored on (hindsight), not routing skill. A router is real
only when it beats this control too.

The knob is ``willingness_to_pay`` (as for every predictive router).
"""

from __future__ import annotations

import zlib
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ..seeds import rng
from .base import SEED, store_args
from .predictive import PredictiveRouter

__all__ = ["RandomScoreRouter"]


class RandomScoreRouter(PredictiveRouter):
    """Route by ``argmax_j wtp * P_hat_j - C_j`` with ``P_hat`` from random training prompts.

    Parameters
    ----------
    n_neighbors : int >= 1
        Random training prompts averaged per prompt (as KNN's k; default 40, the paper's best k).
    random_state : int in [0, 2**32) or None
        Seed of the draws; the same seed and the same data give the same routes (None: fresh draws).
    willingness_to_pay, cost_model, cost_neighbors : as for the predictive routers
        (``cost_model="mean"``: each model's mean training cost).

    ``X`` is accepted and ignored (only its row count is used), so the control runs wherever a
    predictive router runs.
    """

    _parameter_constraints = {**PredictiveRouter._parameter_constraints,
                              "n_neighbors": [Interval(Integral, 1, None, closed="left")],
                              "random_state": SEED}

    def __init__(self, n_neighbors: int = 40, random_state: int = 0, willingness_to_pay: float = 1.0,
                 cost_model: str = "mean", cost_neighbors: int = 10):
        store_args(self, locals())

    def _check_X(self, data, X):
        if X is None:  # a stand-in with one row per prompt that tells the prompt sets apart (prediction cache keys)
            return np.array([[zlib.crc32(str(p).encode())] for p in data.prompt], dtype=np.float64).reshape(data.n, 1)
        return super()._check_X(data, X)

    def _fit_quality(self, X, quality):
        pass  # the neighbours are drawn at prediction time

    def _predict_quality(self, X):
        n_train = self.quality_train_.shape[0]
        k = int(min(self.n_neighbors, n_train))
        picks = rng(self.random_state, "random-score").integers(0, n_train, size=(X.shape[0], k))
        return self.quality_train_[picks].mean(axis=1)
