"""The router contract, enforced: routes checked (never coerced), -1 = no model, read-only data,
names that cannot collide with the protocol's own rows, features with one finite row per prompt."""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_protocol import make_data

from routerlib.evaluate import RouterSpec, check_features, evaluate_predictive, sweep
from routerlib.protocol import RESERVED_NAMES, run_protocol
from routerlib.routers import KNNRouter, Router
from routerlib.routers.base import Outcomes, RouteError, as_router, check_choice, check_outcomes, read_only


@pytest.fixture(scope="module")
def toy():
    return make_data(n_per=30, datasets=("alpha",))


class Returns:
    """A plain router whose route returns ``make(data)``."""

    def __init__(self, make):
        self.make = make

    def fit(self, data, X=None):
        return self

    def route(self, data, X=None):
        return self.make(data)


BAD_ROUTES = {
    "short": (lambda d: np.zeros(d.n - 1, dtype=int), r"shape \(\d+,\); expected \(\d+,\)"),
    "length-1": (lambda d: np.array([1]), r"shape \(1,\).*not broadcast"),
    "2-D": (lambda d: np.zeros((d.n, 1), dtype=int), r"shape \(\d+, 1\)"),
    "scalar": (lambda d: 1, r"shape \(\)"),
    "fraction": (lambda d: np.r_[[0, 1.9], np.zeros(d.n - 2)], r"choice\[1\] = 1\.9"),
    "whole float": (lambda d: np.full(d.n, 2.0), r"choice\[0\] = 2\.0.*a float is not an index"),
    "nan": (lambda d: np.r_[[0, 0, np.nan], np.zeros(d.n - 3)], r"choice\[2\] = nan"),
    "names": (lambda d: np.array([d.models[1]] * d.n), r"strings \(choice\[0\] = 'm1'\).*model names"),
    "bools": (lambda d: np.ones(d.n, dtype=bool), r"booleans"),
    "too large": (lambda d: np.r_[[0, 0, 0, 4], np.zeros(d.n - 4, dtype=int)], r"choice\[3\] = 4"),
    "below -1": (lambda d: np.r_[[0, -2], np.zeros(d.n - 2, dtype=int)], r"choice\[1\] = -2"),
    "none": (lambda d: None, r"returned None"),
}


@pytest.mark.parametrize("case", list(BAD_ROUTES))
def test_a_bad_route_is_an_error_naming_router_seed_dataset_value(toy, case):
    data, X = toy
    make, pattern = BAD_ROUTES[case]
    with pytest.raises(RuntimeError, match=r"router 'bad' failed on seed 3, dataset 'alpha'") as e:
        run_protocol(data, [RouterSpec("bad", Returns(make))], X, seeds=[3], cache=False, progress=False)
    assert isinstance(e.value.__cause__, RouteError)
    assert re.search(pattern, str(e.value)), str(e.value)


def test_a_bad_route_in_evaluate_names_router_seed_dataset(toy):
    data, X = toy
    spec = RouterSpec("bad", Returns(lambda d: np.full(d.n, 1.5)))
    with pytest.raises(RouteError, match=r"router 'bad' on seed 2, dataset 'alpha'.*choice\[0\] = 1\.5"):
        evaluate_predictive(data, X, [spec], seed=2, select=False)


def test_integers_of_any_width_pass_unchanged():
    for dtype in (np.int8, np.uint16, np.int32, np.int64):
        out = check_choice(np.array([0, 2, 1], dtype=dtype), 3, 3)
        assert out.dtype == np.int64 and out.tolist() == [0, 2, 1]
    assert check_choice([0, 1], 2, 2).tolist() == [0, 1]  # a list of ints is fine


class NoneForRed:
    """No model answers the prompts of even rows (-1); the rest go to model 3."""

    def fit(self, data, X=None):
        return self

    def route(self, data, X=None):
        return np.where(np.arange(data.n) % 2 == 0, -1, 3)


def test_minus_one_means_no_model_answers_cost_and_quality_zero(toy):
    data, X = toy
    r = as_router(NoneForRed()).fit(data)
    c, q = r.outcome(data)
    even = np.arange(data.n) % 2 == 0
    assert (c[even] == 0).all() and (q[even] == 0).all()
    assert np.array_equal(c[~even], data.cost[~even, 3]) and np.array_equal(q[~even], data.quality[~even, 3])
    res = run_protocol(data, [RouterSpec("abstains", NoneForRed())], X, seeds=[0], cache=False, progress=False)
    test = data.select(data.split_mask(0))
    odd = np.arange(test.n) % 2 == 1
    p = res.points[res.points.router == "abstains"].iloc[0]
    assert p.cost == pytest.approx(test.cost[odd, 3].sum())
    assert p.quality == pytest.approx(test.quality[odd, 3].sum() / test.n)  # the -1 prompts count, as 0


class BadOutcome(Router):
    """Routes to model 0, but its own outcome breaks the contract as told."""

    def __init__(self, how: str = "negative"):
        self.how = how

    def route(self, data, X=None):
        return np.zeros(data.n, dtype=int)

    def outcome(self, data, X=None):
        c, q = data.cost[:, 0].copy(), data.quality[:, 0].copy()
        if self.how == "negative":
            c[4] = -1.0
        elif self.how == "above one":
            q[5] = 1.5
        elif self.how == "nan":
            c[6] = np.nan
        elif self.how == "shape":
            c = c[:-1]
        return c, q


@pytest.mark.parametrize("how, pattern", [("negative", r"cost\[4\] = -1\.0"), ("above one", r"quality\[5\] = 1\.5"),
                                          ("nan", r"cost\[6\] = nan"), ("shape", r"cost of shape")])
def test_a_bad_outcome_is_refused(toy, how, pattern):
    data, X = toy
    r = BadOutcome(how).fit(data)
    with pytest.raises(RouteError, match=pattern):
        sweep(r, data)


def test_quality_must_be_zero_where_no_model_answers():
    out = Outcomes(np.array([[0, -1]]), np.zeros((1, 2)), np.array([[0.5, 0.5]]))
    with pytest.raises(RouteError, match=r"quality\[1\] = 0\.5.*0 where no model answers"):
        check_outcomes(out, 1, 2, 2, "mine")
    with pytest.raises(RouteError, match=r"choices of shape \(2,\)"):
        check_outcomes(Outcomes(np.array([0, 1]), np.zeros(2), np.zeros(2)), 1, 2, 2, "mine")


class SweptBadly(Router):
    """A router with a knob whose route returns floats: the generic sweep checks every value."""

    knob = "level"

    def __init__(self, level: float = 0.0):
        self.level = level

    def route(self, data, X=None):
        return np.full(data.n, float(self.level))

    def knob_grid(self, n=None, dataset=None):
        return np.array([0.0, 1.0])


def test_generic_sweep_checks_each_knob_value(toy):
    data, _ = toy
    r = SweptBadly().fit(data)
    with pytest.raises(RouteError, match=r"SweptBadly: route returned float64"):
        r.sweep_outcomes(data)
    assert r.level == 0.0  # the knob is put back


# ----- read-only data -----------------------------------------------------------------------------
class Cheats:
    """Writes into what it is given, where told: the quality in route, the cost in fit, or X."""

    def __init__(self, where: str = "route"):
        self.where = where

    def fit(self, data, X=None):
        if self.where == "fit":
            data.cost[:] = 0
        if self.where == "X":
            X[:] = 0
        return self

    def route(self, data, X=None):
        if self.where == "route":
            data.quality[:] = 1
        return np.zeros(data.n, dtype=int)


@pytest.mark.parametrize("where", ["route", "fit", "X"])
def test_a_router_cannot_write_into_its_data(toy, where):
    data, X = toy
    before_q, before_c, before_x = data.quality.copy(), data.cost.copy(), X.copy()
    with pytest.raises(RuntimeError, match=r"router 'cheat' failed on seed 0, dataset 'alpha'.*read-only"):
        run_protocol(data, [RouterSpec("cheat", Cheats(where))], X, seeds=[0], cache=False, progress=False)
    with pytest.raises(ValueError, match="read-only"):
        evaluate_predictive(data, X, [RouterSpec("cheat", Cheats(where))], select=False)
    assert np.array_equal(data.quality, before_q) and np.array_equal(data.cost, before_c)
    assert np.array_equal(X, before_x)


def test_read_only_leaves_the_callers_arrays_writable(toy):
    data, X = toy
    ro = read_only(data)
    assert not ro.quality.flags.writeable and not ro.cost.flags.writeable and not ro.prompt.flags.writeable
    assert data.quality.flags.writeable and np.shares_memory(ro.quality, data.quality)
    assert not read_only(X).flags.writeable and X.flags.writeable and read_only(None) is None


def test_routerlibs_own_routers_run_on_read_only_data(toy):
    data, X = toy
    ro, Xro = read_only(data), read_only(X)
    r = KNNRouter(n_neighbors=5).fit(ro, Xro)
    assert r.route(ro, Xro).shape == (data.n,)


# ----- names and features -------------------------------------------------------------------------
@pytest.mark.parametrize("name", RESERVED_NAMES)
def test_a_name_of_a_row_the_protocol_adds_is_refused(toy, name):
    data, X = toy
    with pytest.raises(ValueError, match=re.escape(f"router name(s) [{name!r}] are taken")):
        run_protocol(data, [RouterSpec(name, "best_single")], X, seeds=[0], cache=False, progress=False)


def test_names_must_be_unique_nonempty_strings(toy):
    data, X = toy
    with pytest.raises(ValueError, match=r"unique; \['a'\]"):
        run_protocol(data, [RouterSpec("a", "best_single"), RouterSpec("a", "random")], X, seeds=[0], progress=False)
    with pytest.raises(ValueError, match="non-empty strings"):
        run_protocol(data, [RouterSpec("", "best_single")], X, seeds=[0], progress=False)


def test_x_with_more_rows_than_prompts_is_refused(toy):
    data, X = toy
    more = np.vstack([X, X[:5]])
    with pytest.raises(ValueError, match=rf"X has {data.n + 5} rows but the data has {data.n} prompts"):
        run_protocol(data, [RouterSpec("knn", "knn")], more, seeds=[0], cache=False, progress=False)
    with pytest.raises(ValueError, match=rf"X has {data.n - 1} rows"):
        evaluate_predictive(data, X[:-1], [RouterSpec("knn", "knn")])


def test_x_with_nan_rows_is_refused_by_name(toy):
    data, X = toy
    bad = X.copy()
    bad[[7, 11]] = np.nan
    bad[12, 0] = np.inf
    msg = r"X has 3 row\(s\) with NaN or inf; the first is row 7 \(sample id 'alpha-7', dataset 'alpha'\)"
    with pytest.raises(ValueError, match=msg):
        run_protocol(data, [RouterSpec("knn", "knn")], bad, seeds=[0], cache=False, progress=False)
    with pytest.raises(ValueError, match=msg):
        check_features(bad, data)
    with pytest.raises(ValueError, match=r"prompts has 3 entries but the data has \d+ prompts"):
        check_features(None, data, prompts=np.array(["a", "b", "c"]))
    assert check_features(X, data) is not None and check_features(None, data) is None
