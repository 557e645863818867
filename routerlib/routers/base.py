"""The interface every router shares (scikit-learn style), and the knob a sweep turns.

* ``__init__`` only stores its keyword arguments (so ``get_params``/``set_params``/``clone``
  work); ``fit`` returns ``self``; learned attributes end in ``_``.
* ``fit(data, X=None)``: ``data`` is the training :class:`~routerlib.data.RoutingData`,
  ``X`` an optional (n, d) array of prompt features (predictive routers need it).
* ``route(data, X=None) -> ndarray (n,) of int``: the model index chosen per prompt, in
  ``[0, m)``, or ``-1``: **no model answers** the prompt (a cascade whose cap affords no model,
  a router that abstains). A prompt routed to -1 costs 0 and scores 0 (the null router of the
  paper's section 3.1), unless the router's own ``outcome`` says what was spent.
* ``outcome(data, X=None) -> (cost (n,), quality (n,))``: what each prompt costs and scores
  under the router. By default the chosen model's cost and quality; routers that call several
  models (cascades, overgenerate-and-rerank) override it.

The contract is checked, never coerced (:func:`check_choice`, :func:`check_outcomes`, used by
:meth:`Router.outcome`, :meth:`Router.sweep_outcomes`, the wrapper of a plain object and
:func:`routerlib.evaluate.sweep`): a route of the wrong length or shape (a length-1 array is not
broadcast), of floats (also whole ones such as ``2.0``: a float is not an index), NaN, booleans,
strings or model names, or with a value outside ``[-1, m)`` raises :class:`RouteError`, naming
the router, the value and its position; the protocols add the seed and the dataset. An outcome
must have one finite cost >= 0 and one quality in [0, 1] per prompt, quality 0 where no model
answers.

Routers see read-only data (:func:`read_only`): the protocols hand ``fit`` and ``route`` views of
the arrays that cannot be written, so a router cannot change what it is scored on.

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

Parameter constraints
---------------------
Each router declares what its constructor arguments may be, once, in the class attribute
``_parameter_constraints`` (scikit-learn's convention): a dict from parameter name to a list of
constraints, a value being valid when it satisfies at least one of them. The constraints are
scikit-learn's own (``sklearn.utils._param_validation``): ``Interval(Integral, 1, None,
closed="left")`` (an int >= 1), ``Interval(Real, 0, 1, closed="both")`` (a float in [0, 1]; NaN
never lies in an interval; ``closed="left"`` with no right bound excludes ``inf``, ``"both"``
admits it), ``StrOptions({...})`` (one of these strings), ``"boolean"``, ``"random_state"``,
``None`` (None is allowed), a type, and :class:`Items` (a non-empty tuple or list whose every item
satisfies one constraint) for the parameters that are sequences. One rule is added to
scikit-learn's: a bool is refused wherever no constraint is ``"boolean"`` (scikit-learn lets
``True`` pass as the int 1). :data:`SEED` is the constraint of a seed fed to
:func:`routerlib.seeds.rng` or ``np.random.default_rng``.

:meth:`Router._validate_params` checks every parameter of ``get_params(deep=False)`` against them
(:func:`check_params`). Every router's ``fit`` calls it first (:meth:`Router.fit` does, and so
does each ``fit`` that overrides it; a router of your own that overrides ``fit`` calls it too, as
in scikit-learn), so a bad value is refused before anything is learned. It raises
scikit-learn's ``InvalidParameterError`` (a ``ValueError``) naming the router, the parameter, what
it must be and the value, e.g.
``KNNRouter: parameter 'n_neighbors' must be an int in the range [1, inf); got 0``. Checks that
involve the data (too few rows, missing features) or several parameters at once (``solver="exact"``
of the SVM router needs the squared loss and ``epsilon = 0``) stay in the routers' ``fit``.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from numbers import Integral
from typing import ClassVar, Mapping, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    _Booleans,
    _Constraint,
    _InstancesOf,
    _type_name,
    make_constraint,
)

from ..seeds import SEED_LIMIT

__all__ = ["Router", "Outcomes", "RouteError", "NO_MODEL", "store_args", "as_router", "check_choice",
           "check_outcomes", "read_only", "check_params", "Items", "SEED"]

#: the one route value that is not a model index: no model answers the prompt (cost 0, quality 0)
NO_MODEL = -1


#: the constraints of a seed fed to :func:`routerlib.seeds.rng` or ``np.random.default_rng``: an int in
#: ``[0, 2**32)`` (:data:`routerlib.seeds.SEED_LIMIT`) or None (fresh, unseeded draws)
SEED = [Interval(Integral, 0, SEED_LIMIT, closed="left"), None]


class Items(_Constraint):
    """A constraint on a sequence parameter: a non-empty tuple or list whose every item satisfies
    ``item`` (any scikit-learn constraint; a bool item is refused unless ``item`` is ``"boolean"``).

    >>> c = Items(Interval(Integral, 1, None, closed="left"))
    >>> c.is_satisfied_by((100, 100)), c.is_satisfied_by(()), c.is_satisfied_by((0,)), c.is_satisfied_by(100)
    (True, False, False, False)
    >>> print(c)
    a non-empty tuple or list, each item an int in the range [1, inf)
    """

    def __init__(self, item):
        super().__init__()
        self.item = _constraint(item)

    def is_satisfied_by(self, val) -> bool:
        return isinstance(val, (tuple, list)) and len(val) > 0 and all(_satisfied([self.item], v) for v in val)

    def __str__(self) -> str:
        return f"a non-empty tuple or list, each item {_describe(self.item)}"


def _constraint(c) -> _Constraint:
    return c if isinstance(c, _Constraint) else make_constraint(c)


def _describe(c: _Constraint) -> str:
    """What ``c`` admits, in words (scikit-learn's; the options of an ``Options`` sorted, so that a
    message is the same in every run, which a set's order is not)."""
    if isinstance(c, Options):
        opts = ", ".join(c._mark_if_deprecated(o) for o in sorted(c.options, key=repr))
        return f"a {_type_name(c.type)} among {{{opts}}}"
    return str(c)


def _satisfied(constraints: list, value) -> bool:
    """Whether ``value`` satisfies one of ``constraints``; a bool only satisfies a boolean constraint."""
    if isinstance(value, (bool, np.bool_)):
        constraints = [c for c in constraints if isinstance(c, _Booleans)
                       or (isinstance(c, _InstancesOf) and c.type in (bool, np.bool_))]
    return any(c.is_satisfied_by(value) for c in constraints)


def check_params(constraints: Mapping, params: Mapping, who: str) -> None:
    """Check each of ``params`` (name -> value) that ``constraints`` (name -> list of constraints, as
    a router's ``_parameter_constraints``) names: the value must satisfy at least one constraint of
    its list. Parameters without constraints are not checked.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError (a ValueError)
        Naming ``who``, the parameter, what it must be and the value, for the first bad one.

    >>> check_params({"k": [Interval(Integral, 1, None, closed="left")]}, {"k": 0}, "KNNRouter")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: KNNRouter: parameter 'k' must be an int in the range [1, inf); got 0
    """
    for name, value in params.items():
        if name not in constraints:
            continue
        cs = [_constraint(c) for c in constraints[name]]
        if _satisfied(cs, value):
            continue
        shown = [c for c in cs if not c.hidden] or cs
        said = [_describe(c) for c in shown]
        must = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} or {said[-1]}"
        raise InvalidParameterError(f"{who}: parameter {name!r} must be {must}; got {value!r}")


class RouteError(ValueError):
    """A router broke the contract: what ``route``/``outcome``/``sweep_outcomes`` returned is not
    one integer model index (or -1) per prompt, or not one valid outcome per prompt."""


def _where(index) -> str:
    return f"[{', '.join(str(int(i)) for i in index)}]" if len(index) > 1 else f"[{int(index[0])}]"


def check_choice(choice, n: int, m: int, who: str = "router", name: str = "route") -> np.ndarray:
    """``choice`` as an int64 array of shape (n,) when it is one model index in ``[0, m)`` or -1
    (:data:`NO_MODEL`) per prompt; else :class:`RouteError` naming ``who``, the offending value and
    its position.

    Nothing is coerced: integers of any width pass; floats (whole or not), NaN, booleans, strings,
    objects, and a shape other than (n,) are refused (a length-1 array is not broadcast).

    >>> check_choice([0, 2, -1], 3, 3).tolist()
    [0, 2, -1]
    >>> check_choice([0, 1.5, 2], 3, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    routerlib.routers.base.RouteError: router: route returned float64 values (choice[1] = 1.5); expected integer ...
    """
    want = f"expected integer model indices in [0, {m}) or -1 (no model)"
    if choice is None:
        raise RouteError(f"{who}: {name} returned None; {want}, one per prompt ({n})")
    c = np.asarray(choice)
    if c.shape != (n,):
        raise RouteError(f"{who}: {name} returned shape {c.shape}; expected ({n},), one model index per prompt"
                         + (" (a single value is not broadcast)" if c.size == 1 and n != 1 else ""))
    if c.dtype.kind != "i" and c.dtype.kind != "u":
        what = {"b": "booleans", "f": f"{c.dtype} values", "c": "complex values", "U": "strings", "S": "bytes",
                "O": "objects"}.get(c.dtype.kind, f"{c.dtype} values")
        if c.dtype.kind == "f":
            bad = np.flatnonzero(~np.isfinite(c) | (c != np.round(c)))
            i = int(bad[0]) if bad.size else 0
        else:
            i = 0
            if c.dtype.kind == "O":  # name the first element that is not a plain integer
                bad = [k for k, v in enumerate(c) if isinstance(v, bool) or not isinstance(v, (int, np.integer))]
                i = bad[0] if bad else 0
        hint = " (model names are not indices: use the column of data.models)" if c.dtype.kind in "USO" else ""
        v = c[i].item() if hasattr(c[i], "item") else c[i]
        if c.dtype.kind == "f" and np.isfinite(v) and v == round(v):
            hint = " (a float is not an index, even a whole one: return integers)"
        raise RouteError(f"{who}: {name} returned {what} (choice[{i}] = {v!r}); {want}{hint}")
    bad = np.flatnonzero((c < NO_MODEL) | (c >= m))
    if bad.size:
        i = int(bad[0])
        raise RouteError(f"{who}: {name} returned choice[{i}] = {int(c[i])} ({bad.size} value(s) outside [-1, {m})); "
                         f"{want}")
    return c.astype(np.int64, copy=False)


def check_outcomes(out: "Outcomes", k: int, n: int, m: int, who: str = "router") -> "Outcomes":
    """``out`` when its choice is (k, n) valid indices (:func:`check_choice`, row by row) and its
    cost and quality are (k, n) finite floats, cost >= 0, quality in [0, 1] and 0 where no model
    answers; else :class:`RouteError` naming ``who``, the value and its position (value, prompt)."""
    ch = np.asarray(out.choice)
    if ch.ndim != 2 or ch.shape != (k, n):
        raise RouteError(f"{who}: sweep_outcomes returned choices of shape {ch.shape}; expected ({k}, {n}) "
                         "(knob values, prompts)")
    for r in range(k):
        check_choice(ch[r], n, m, who, name=f"route at knob value #{r}")
    arrays = {}
    for what in ("cost", "quality"):
        a = np.asarray(getattr(out, what))
        if a.shape != (k, n):
            raise RouteError(f"{who}: outcome returned {what} of shape {a.shape}; expected ({n},) per knob value, "
                             f"one per prompt")
        if a.dtype.kind not in "fiu":
            raise RouteError(f"{who}: outcome returned {what} of dtype {a.dtype}; expected numbers")
        a = a.astype(float, copy=False)
        bad = ~np.isfinite(a)
        if what == "cost":
            bad |= a < 0
            rule = "finite and >= 0 (USD)"
        else:
            bad |= (a < 0) | (a > 1) | ((ch == NO_MODEL) & (a != 0))
            rule = "finite, in [0, 1], and 0 where no model answers (choice -1)"
        if bad.any():
            i, j = np.argwhere(bad)[0]
            at = f"{what}[{j}] = {float(a[i, j])!r}" + (f" at knob value #{i}" if k > 1 else "")
            raise RouteError(f"{who}: outcome returned {at} ({int(bad.sum())} bad value(s)); each must be {rule}")
        arrays[what] = a
    return Outcomes(ch.astype(np.int64, copy=False), arrays["cost"], arrays["quality"])


def _frozen(a):
    if a is None:
        return None
    v = np.asarray(a).view()
    v.setflags(write=False)
    return v


def read_only(data):
    """``data`` (a RoutingData) with read-only views of its arrays, or an array as a read-only view
    (None stays None): what the protocols hand a router, so it cannot change what it is scored on.
    The caller's arrays stay writable."""
    if data is None or isinstance(data, np.ndarray):
        return _frozen(data)
    fields = ("sample_id", "prompt", "eval_name", "dataset", "models", "quality", "cost", "latency", "responses")
    return replace(data, **{f: _frozen(getattr(data, f)) for f in fields if hasattr(data, f)})


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
    """Base class: subclasses implement ``route`` (and ``fit`` when they learn something).

    Subclasses declare their parameters' constraints in ``_parameter_constraints`` (see the module
    docstring); a subclass that overrides ``fit`` calls :meth:`_validate_params` first thing, as
    :meth:`fit` and every router here do.
    """

    #: parameter name -> list of constraints (scikit-learn's); a value must satisfy one of them.
    #: Checked by :meth:`_validate_params` at the start of ``fit``; parameters without an entry are
    #: not checked (every router of the registry constrains all of its parameters)
    _parameter_constraints: ClassVar[dict] = {}

    #: the constructor argument a sweep varies, or None (the router is one point)
    knob: ClassVar[str | None] = None
    #: True for routers that read the true quality of the prompts they route (the Oracle, a cascade
    #: with an oracle judge): upper bounds, not deployable; left out of the Pareto frontier
    reads_quality: ClassVar[bool] = False
    #: the family's default hyperparameter grid, selected on validation by the protocols
    #: (one entry: nothing to select); the paper's own grids are in ``routerlib.paper.PAPER_GRIDS``
    param_grid: ClassVar[tuple[dict, ...]] = ({},)

    def _validate_params(self) -> None:
        """Check every parameter against :attr:`_parameter_constraints` (:func:`check_params`);
        a bad value raises ``InvalidParameterError`` (a ValueError) naming the router, the
        parameter, what it must be and the value."""
        check_params(self._parameter_constraints, self.get_params(deep=False), type(self).__name__)

    def refuses(self, data) -> str | None:
        """Why this router cannot route ``data`` (e.g. it needs answers the data does not have), or
        None when it can. The protocol leaves a refused (router, dataset) out and says so."""
        return None

    def min_train_rows(self) -> int:
        """The fewest training rows ``fit`` can learn from with these parameters (default 1). The
        protocol leaves a dataset out for a router whose train-in part is smaller
        (:func:`routerlib.evaluate.too_small`), instead of failing on it."""
        return 1

    def fit(self, data, X=None):
        """Check the parameters, store the model names (all a router that learns nothing needs).
        Returns self."""
        self._validate_params()
        self.models_ = np.asarray(data.models)
        return self

    def route(self, data, X=None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def outcome(self, data, X=None) -> tuple[np.ndarray, np.ndarray]:
        """The chosen model's cost and quality per prompt, each (n,); 0 and 0 where no model answers (-1)."""
        r = check_choice(self.route(data, X), data.n, data.m, self._who())
        return _lookup(data, r)

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
        who = self._who()
        if self.knob is None:
            r = check_choice(self.route(data, X), data.n, data.m, who)
            c, q = self.outcome(data, X)
            k = len(vals)
            out = Outcomes(np.tile(r, (k, 1)), np.tile(_vector(c, data.n, who, "cost"), (k, 1)),
                           np.tile(_vector(q, data.n, who, "quality"), (k, 1)))
            return check_outcomes(out, k, data.n, data.m, who)
        old = getattr(self, self.knob)
        ch, co, qu = [], [], []
        try:
            for v in vals:
                self.set_params(**{self.knob: float(v)})
                r = check_choice(self.route(data, X), data.n, data.m, who)
                c, q = self.outcome(data, X)
                ch.append(r), co.append(_vector(c, data.n, who, "cost")), qu.append(_vector(q, data.n, who, "quality"))
        finally:
            self.set_params(**{self.knob: old})
        return check_outcomes(Outcomes(np.array(ch), np.array(co), np.array(qu)), len(vals), data.n, data.m, who)

    # ----- helpers -----------------------------------------------------------------------
    def _who(self) -> str:
        return type(self).__name__

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

    _parameter_constraints = {"inner": [HasMethods(["fit", "route"])]}

    def __init__(self, inner=None):
        self.inner = inner

    def fit(self, data, X=None):
        self._validate_params()
        self.inner_ = copy.deepcopy(self.inner)
        fitted = self.inner_.fit(data, X)
        self.inner_ = self.inner_ if fitted is None else fitted
        self.models_ = np.asarray(data.models)
        return self

    def route(self, data, X=None):
        """The inner object's route, checked (:func:`check_choice`), never coerced."""
        self._check_fitted()
        return check_choice(self.inner_.route(data, X), data.n, data.m, self._who())

    def outcome(self, data, X=None):
        """The inner object's ``outcome`` when it has one (checked: (n,) finite costs >= 0, qualities
        in [0, 1]), else the routed model's cost and quality."""
        if hasattr(self.inner_, "outcome"):
            got = self.inner_.outcome(data, X)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise RouteError(f"{self._who()}: outcome returned {type(got).__name__}; expected (cost, quality)")
            return _vector(got[0], data.n, self._who(), "cost"), _vector(got[1], data.n, self._who(), "quality")
        return super().outcome(data, X)

    def _who(self) -> str:
        return type(self.inner).__name__

    def min_train_rows(self) -> int:
        """The inner object's ``min_train_rows`` (a method or an int) when it has one, else 1."""
        f = getattr(self.inner, "min_train_rows", None)
        return 1 if f is None else f() if callable(f) else f


def _lookup(data, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cost and quality of model ``r[i]`` for prompt i, each (n,); 0 and 0 where ``r`` is -1."""
    rows = np.arange(data.n)
    j = np.maximum(r, 0)
    none = r == NO_MODEL
    return np.where(none, 0.0, data.cost[rows, j]), np.where(none, 0.0, data.quality[rows, j])


def _vector(a, n: int, who: str, what: str) -> np.ndarray:
    """``a`` when it is one number per prompt, shape (n,) (the full check is :func:`check_outcomes`)."""
    v = np.asarray(a)
    if v.shape != (n,):
        raise RouteError(f"{who}: outcome returned {what} of shape {v.shape}; expected ({n},), one per prompt")
    return v


def as_router(obj) -> Router:
    """``obj`` itself when it is a :class:`Router`, else a wrapper that gives a plain object with
    ``fit``/``route`` the router contract (one point, no knob; fitted on a deep copy)."""
    if isinstance(obj, Router):
        return obj
    if not (hasattr(obj, "fit") and hasattr(obj, "route")):
        raise TypeError(f"{type(obj).__name__} is not a router: it needs fit(data, X) and route(data, X)")
    return _PlainRouter(obj)
