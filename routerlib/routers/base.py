"""The interface every router shares (scikit-learn style).

* ``__init__`` only stores its keyword arguments (so ``get_params``/``set_params``/``clone``
  work); ``fit`` returns ``self``; learned attributes end in ``_``.
* ``fit(data, X=None)``: ``data`` is the training :class:`~routerlib.data.RoutingData`,
  ``X`` an optional (n, d) array of prompt embeddings (predictive routers need it).
* ``route(data, X=None) -> ndarray (n,) of int``: the model index chosen per prompt
  (for a cascade: the model whose answer is returned).
* ``outcome(data, X=None) -> (cost (n,), quality (n,))``: what each prompt costs and
  scores under the router. By default the chosen model's cost and quality; routers that
  call several models (cascades, overgenerate-and-rerank) override it.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError


class Router(BaseEstimator):
    """Base class: subclasses implement ``route`` (and ``fit`` when they learn something)."""

    #: True if the router needs prompt embeddings ``X``
    needs_embeddings: bool = False

    def fit(self, data, X=None):
        """Store the model names (all a router that learns nothing needs). Returns self."""
        self.models_ = np.asarray(data.models)
        return self

    def route(self, data, X=None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def outcome(self, data, X=None) -> tuple[np.ndarray, np.ndarray]:
        r = self.route(data, X)
        rows = np.arange(data.n)
        return data.cost[rows, r], data.quality[rows, r]

    # helpers ---------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "models_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(train_data) first")

    def _check_models(self, data):
        if list(data.models) != list(self.models_):
            raise ValueError(
                f"{type(self).__name__} was fitted on models {list(self.models_)}, "
                f"but the data has {list(data.models)}"
            )
