"""Router parameters: every router of the registry constrains each of its parameters
(``_parameter_constraints``), and ``fit`` refuses a bad value naming the router, the parameter and
the value."""

from __future__ import annotations

import math
import re
from numbers import Integral, Real

import numpy as np
import pytest
from sklearn.utils._param_validation import Interval, InvalidParameterError, Options, make_constraint

from routerlib.data import RoutingData
from routerlib.paper import PAPER_GRIDS
from routerlib.routers import ROUTERS, CascadeRouter, KNNRouter, Router
from routerlib.routers.base import Items, check_params, store_args

FAST = {"mlp": {"hidden_layer_sizes": (8,), "max_iter": 50, "early_stopping": False},
        "mf": {"dim": 4, "epochs": 20},
        "avengers_pro": {"n_clusters": 3, "n_init": 1}}


class Alien:
    """A value of a type no constraint admits."""

    def __repr__(self) -> str:
        return "<alien>"


def toy(n: int = 40, m: int = 3, d: int = 6, seed: int = 0) -> tuple[RoutingData, np.ndarray]:
    rng = np.random.default_rng(seed)
    q = np.clip(np.linspace(0.2, 0.9, m) + 0.05 * rng.standard_normal((n, m)), 0, 1)
    c = np.geomspace(1e-4, 1e-2, m) * (1 + 0.05 * rng.random((n, m)))
    data = RoutingData(
        sample_id=np.arange(n).astype(str), prompt=np.array([f"q{i}" for i in range(n)], dtype=object),
        eval_name=np.array(["toy"] * n), dataset=np.array(["toy"] * n),
        models=np.array([f"m{j}" for j in range(m)]), quality=q, cost=c, name="toy",
        responses=np.where(q >= 0.5, "A", "B").astype(object))
    return data, rng.standard_normal((n, d))


def _as_constraint(c):
    return c if isinstance(c, Items) else make_constraint(c)


def _admits(constraints, value) -> bool:
    """The specification: one constraint admits the value (scikit-learn's test), and a bool only
    where a constraint is "boolean"."""
    if isinstance(value, (bool, np.bool_)) and "boolean" not in constraints:
        return False
    return any(_as_constraint(c).is_satisfied_by(value) for c in constraints)


def _interval_bad(c: Interval) -> list:
    """Values outside the interval ``c``, and of the wrong kind for it."""
    one = 1 if c.type is Integral else 1.0
    out = [True]  # a bool where a number is wanted
    if c.left is not None:
        out.append(c.left - one)
        if c.closed in ("right", "neither"):
            out.append(c.left)
    elif c.closed in ("right", "neither"):
        out.append(-math.inf)
    if c.right is not None:
        out.append(c.right + one)
        if c.closed in ("left", "neither"):
            out.append(c.right)
    elif c.closed in ("left", "neither"):
        out.append(math.inf)
    if c.type is Integral:
        whole = c.left if c.left is not None else 0
        out += [float(whole), whole + 0.5]  # floats, even a whole one, are not ints
    else:
        out += [math.nan, "1.0"]
    return out


def bad_values(constraints) -> list:
    """Values the parameter must refuse: a wrong type, a value out of range, NaN for a real, an
    unknown string for options, a bool where a number is wanted, an empty or wrong sequence."""
    out = [Alien()]
    for c in constraints:
        if isinstance(c, Interval):
            out += _interval_bad(c)
        elif isinstance(c, Options):
            out += ["no-such-option"]
        elif isinstance(c, Items):
            out += [(), 3, "ab", (Alien(),), [True]]  # empty, not a sequence, a bad item
            if isinstance(c.item, Interval):
                out += [(v,) for v in _interval_bad(c.item)]
        elif c == "random_state":
            out += [-1, 2**32, 1.5, True, "0"]
        elif c == "boolean":
            out += [1, 0, "yes"]
    return [v for v in out if not _admits(constraints, v)]


def _cases():
    for name, cls in sorted(ROUTERS.items()):
        for param, constraints in sorted(cls._parameter_constraints.items()):
            for value in bad_values(constraints):
                yield pytest.param(name, param, value, id=f"{name}-{param}-{value!r}")


@pytest.fixture(scope="module")
def data():
    return toy()


def test_every_parameter_of_every_router_is_constrained():
    for name, cls in ROUTERS.items():
        params = set(cls().get_params(deep=False))
        constrained = set(cls._parameter_constraints)
        assert params == constrained, (f"{name}: parameters without a constraint {sorted(params - constrained)}, "
                                       f"constraints without a parameter {sorted(constrained - params)}")


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_defaults_and_grids_pass(name):
    cls = ROUTERS[name]
    cls()._validate_params()
    for grid in (cls.param_grid, PAPER_GRIDS.get(name, ())):
        for point in grid:
            cls(**point)._validate_params()


def test_every_numeric_parameter_gets_the_bad_values_the_rule_promises():
    for name, cls in ROUTERS.items():
        for param, constraints in cls._parameter_constraints.items():
            bad = bad_values(constraints)
            assert any(isinstance(v, Alien) for v in bad), (name, param)
            intervals = [c for c in constraints if isinstance(c, Interval)]
            if intervals:
                assert any(v is True for v in bad), (name, param)
            if any(c.type is Real for c in intervals):
                assert any(isinstance(v, float) and math.isnan(v) for v in bad), (name, param)
            if any(isinstance(c, Options) for c in constraints):
                assert "no-such-option" in bad, (name, param)


@pytest.mark.parametrize(("name", "param", "value"), list(_cases()))
def test_fit_refuses_a_bad_value_by_name(name, param, value, data):
    train, X = data
    cls = ROUTERS[name]
    r = cls(**{**FAST.get(name, {}), param: value})
    want = (rf"^{re.escape(cls.__name__)}: parameter {re.escape(repr(param))} must be .+; "
            rf"got {re.escape(repr(value))}$")
    with pytest.raises(InvalidParameterError, match=want) as e:
        r.fit(train, X)
    assert isinstance(e.value, ValueError)
    assert not hasattr(r, "models_")  # refused before fit learned anything


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_knob_values_pass(name, data):
    train, X = data
    r = ROUTERS[name](**FAST.get(name, {})).fit(train, X)
    if r.knob is None:
        return
    for v in r.knob_grid():
        r.set_params(**{r.knob: float(v)})._validate_params()


def test_message_example():
    with pytest.raises(ValueError, match=re.escape("KNNRouter: parameter 'n_neighbors' must be an int in the range "
                                                   "[1, inf); got 0")):
        KNNRouter(n_neighbors=0).fit(*toy())
    with pytest.raises(ValueError, match=re.escape("parameter 'cost_model' must be a str among {'knn', 'mean'}; "
                                                   "got 'median'")):
        KNNRouter(cost_model="median").fit(*toy())


def test_the_cascade_checks_again_when_it_routes():
    train, _ = toy()
    r = CascadeRouter().fit(train)
    r.set_params(error_rate=1.5)
    with pytest.raises(InvalidParameterError, match=r"CascadeRouter: parameter 'error_rate' .*; got 1\.5"):
        r.route(train)
    r.set_params(error_rate=0.0)
    with pytest.raises(InvalidParameterError, match=r"CascadeRouter: parameter 'error_rate' .*; got -0\.1"):
        r.outcome_caps(train, [1.0], error_rate=-0.1)


def test_a_router_of_ones_own_is_checked():
    class Picky(Router):  # Router.fit checks the parameters
        _parameter_constraints = {"k": [Interval(Integral, 1, None, closed="left")]}

        def __init__(self, k: int = 1):
            store_args(self, locals())

        def route(self, data, X=None):
            return np.zeros(data.n, dtype=int)

    class PickyFit(Picky):  # a fit of its own calls _validate_params first
        def fit(self, data, X=None):
            self._validate_params()
            self.models_ = np.asarray(data.models)
            return self

    train, _ = toy()
    for cls in (Picky, PickyFit):
        assert cls(k=2).fit(train).models_.size == 3
        with pytest.raises(ValueError, match=rf"^{cls.__name__}: parameter 'k' must be an int in the range "
                                             r"\[1, inf\); got 0$"):
            cls(k=0).fit(train)


def test_check_params_ignores_unconstrained_and_names_bools():
    check_params({}, {"anything": object()}, "R")
    with pytest.raises(ValueError, match=r"^R: parameter 'x' must be a float in the range \[0\.0, 1\.0\]; got True$"):
        check_params({"x": [Interval(Real, 0, 1, closed="both")]}, {"x": True}, "R")
    check_params({"x": ["boolean"]}, {"x": True}, "R")
