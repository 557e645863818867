"""The interface every router shares (scikit-learn style), and the knob a sweep turns.

* ``__init__`` only stores its keyword arguments (so ``get_params``/``set_params``/``clone``
  work); ``fit`` returns ``self``; learned attributes end in ``_``.
* ``fit(data, X=None)``: ``data`` is the training :class:`~routerlib.data.RoutingData`,
  ``X`` an optional (n, d) array of prompt features (predictive routers need it).
* ``route(data, X=None) -> ndarray (n,) of int``: the model index chosen per prompt (for a
  cascade: the model whose answer is returned; -1 where no model answers).
* ``outcome(data, X=None) -> (cost (n,), quality (n,))``: what each prompt costs and scores
  under the router. By default the chosen model's cost and quality; routers that call several
  models (cascades, overgenerate-and-rerank) override it.

The knob
--------
Each family names the one constructor argument that trades cost for quality, ``knob`` (the
willingness to pay of the predictive routers, the cost cap ``T`` of the cascade, ...), and
after ``fit`` proposes values for it, :meth:`Router.knob_grid`, from the training data only.
:meth:`Router.sweep_outcomes` gives every prompt's outcome at many knob values at once;
families override it with a vectorised version. A router without a knob (``knob = None``) is
one point. :func:`routerlib.evaluate.sweep` is the one sweep over every family.

Hyperparameters that are not the knob (the number of clusters, ...) are chosen on validation;
a family proposes its default grid as the class attribute :attr:`Router.param_grid`.
"""

from __future__ import annotations

import copy
from typing import ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

__all__ = ["Router", "Outcomes", "store_args", "as_router"]


def store_args(router, args: dict) -> None:
    """What every ``__init__`` does: store its keyword arguments as attributes of the same name.

    Call as ``store_args(self, locals())`` first thing in ``__init__``; ``self`` and ``__class__``
    are skipped. scikit-learn's ``get_params``/``clone`` then work from the signature.
    """
    for k, v in args.items():
        if k not in ("self", "__class__"):
            setattr(router, k, v)


class Outcomes(NamedTuple):
    """Per-prompt results of a sweep: each array has shape (k values, n prompts)."""

    choice: np.ndarray  # model index answering (-1: none)
    cost: np.ndarray  # USD spent on the prompt
    quality: np.ndarray  # score of the answer returned (0 if none)


class Router(BaseEstimator):
    """Base class: subclasses implement ``route`` (and ``fit`` when they learn something)."""

    #: the constructor argument a sweep varies, or None (the router is one point)
    knob: ClassVar[str | None] = None
    #: True for routers that read the true quality of the prompts they route (the Oracle, a cascade
    #: with an oracle judge): upper bounds, not deployable; left out of the Pareto frontier
    reads_quality: ClassVar[bool] = False
    #: the family's default hyperparameter grid, selected on validation by the protocols
    #: (one entry: nothing to select); the paper's own grids are in ``routerlib.paper.PAPER_GRIDS``
    param_grid: ClassVar[tuple[dict, ...]] = ({},)

    def refuses(self, data) -> str | None:
        """Why this router cannot route ``data`` (e.g. it needs answers the data does not have), or
        None when it can. The protocol leaves a refused (router, dataset) out and says so."""
        return None

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

    # ----- the knob ----------------------------------------------------------------------
    def knob_grid(self, n: int | None = None, dataset: str | None = None) -> np.ndarray:
        """Default knob values, shape (k,), from what ``fit`` saw (``dataset``: for families whose
        grid is per dataset). A router without a knob has one value, NaN."""
        self._check_fitted()
        return np.array([np.nan])

    def sweep_outcomes(self, data, X=None, values=None) -> Outcomes:
        """Every prompt's outcome at each knob value (default :meth:`knob_grid`).

        Generic version: one ``set_params`` and one ``route`` per value (the fitted state is
        kept; the knob is put back afterwards). Families override it with a vectorised one.
        """
        self._check_fitted()
        vals = self.knob_grid() if values is None else np.atleast_1d(np.asarray(values, dtype=float))
        if self.knob is None:
            r = self.route(data, X)
            c, q = self.outcome(data, X)
            k = len(vals)
            return Outcomes(np.tile(r, (k, 1)), np.tile(c, (k, 1)), np.tile(q, (k, 1)))
        old = getattr(self, self.knob)
        ch, co, qu = [], [], []
        try:
            for v in vals:
                self.set_params(**{self.knob: float(v)})
                r = np.asarray(self.route(data, X))
                c, q = self.outcome(data, X)
                ch.append(r), co.append(c), qu.append(q)
        finally:
            self.set_params(**{self.knob: old})
        return Outcomes(np.array(ch), np.array(co), np.array(qu))

    # ----- helpers -----------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "models_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(train_data) first")

    def _check_X(self, data, X) -> np.ndarray:
        """``X`` as an array of shape (n, d), one row per prompt of ``data`` (routers that need features)."""
        if X is None:
            raise ValueError(f"{type(self).__name__} needs prompt embeddings X of shape (n, d)")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[0] != data.n:
            raise ValueError(f"X has shape {X.shape}; expected ({data.n}, d), one row per prompt")
        return X

    def _check_models(self, data):
        if list(data.models) != list(self.models_):
            raise ValueError(
                f"{type(self).__name__} was fitted on models {list(self.models_)}, "
                f"but the data has {list(data.models)}"
            )


class _PlainRouter(Router):
    """A user's object with ``fit(data, X)`` and ``route(data, X)`` (and optionally ``outcome``),
    wrapped so the protocols can treat it as a one-point router (no knob)."""

    def __init__(self, inner=None):
        self.inner = inner

    def fit(self, data, X=None):
        self.inner_ = copy.deepcopy(self.inner)
        fitted = self.inner_.fit(data, X)
        self.inner_ = self.inner_ if fitted is None else fitted
        self.models_ = np.asarray(data.models)
        return self

    def route(self, data, X=None):
        self._check_fitted()
        return np.asarray(self.inner_.route(data, X), dtype=np.int64)

    def outcome(self, data, X=None):
        if hasattr(self.inner_, "outcome"):
            return self.inner_.outcome(data, X)
        return super().outcome(data, X)


def as_router(obj) -> Router:
    """``obj`` itself when it is a :class:`Router`, else a wrapper that gives a plain object with
    ``fit``/``route`` the router contract (one point, no knob; fitted on a deep copy)."""
    if isinstance(obj, Router):
        return obj
    if not (hasattr(obj, "fit") and hasattr(obj, "route")):
        raise TypeError(f"{type(obj).__name__} is not a router: it needs fit(data, X) and route(data, X)")
    return _PlainRouter(obj)
