"""The SVM router's closed form against liblinear (``sklearn.svm.LinearSVR``) and a hand-worked case."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import LinearSVR

from routerlib.data import RoutingData
from routerlib.evaluate import RouterSpec
from routerlib.protocol import run_protocol
from routerlib.routers import SVMRouter
from routerlib.routers.predictive import squared_svr


def liblinear(X, Y, C=1.0, intercept_scaling=1.0, tol=1e-4, max_iter=1000):
    """Predictions of one LinearSVR per column, as the SVM router fitted them before the closed form."""
    return np.column_stack([
        LinearSVR(C=C, epsilon=0.0, loss="squared_epsilon_insensitive", dual=False, intercept_scaling=intercept_scaling,
                  tol=tol, max_iter=max_iter, random_state=1234).fit(X, Y[:, j]).predict(X)
        for j in range(Y.shape[1])])


def test_hand_worked_case():
    # x~ = [x, 1]: X~ = [[0, 1], [1, 1]], y = [1, 3], C = 1 (penalty 1/(2C) = 0.5)
    # X~'X~ + I/2 = [[1.5, 1], [1, 2.5]], X~'y = [3, 4], determinant 2.75
    # w = (2.5*3 - 1*4) / 2.75 = 14/11, intercept = (-1*3 + 1.5*4) / 2.75 = 12/11
    coef, b = squared_svr(np.array([[0.0], [1.0]]), np.array([1.0, 3.0]), 1.0)
    np.testing.assert_allclose(coef, [14 / 11], rtol=1e-12)
    np.testing.assert_allclose(b, 12 / 11, rtol=1e-12)
    # intercept_scaling s = 2: x~ = [x, 2], X~'X~ + I/2 = [[1.5, 2], [2, 8.5]], X~'y = [3, 8],
    # determinant 8.75; w = (8.5*3 - 2*8) / 8.75 = 38/35, w_s = (-2*3 + 1.5*8) / 8.75 = 24/35, intercept 2*w_s
    coef, b = squared_svr(np.array([[0.0], [1.0]]), np.array([1.0, 3.0]), 1.0, intercept_scaling=2.0)
    np.testing.assert_allclose(coef, [38 / 35], rtol=1e-12)
    np.testing.assert_allclose(b, 48 / 35, rtol=1e-12)


@pytest.mark.parametrize("n, d, C, s", [(50, 3, 1.0, 1.0), (300, 20, 0.1, 1.0), (2000, 64, 10.0, 1.0),
                                        (500, 10, 1.0, 3.0)])
def test_matches_liblinear(n, d, C, s):
    rng = np.random.default_rng(n + d)
    X = rng.standard_normal((n, d))
    Y = rng.random((n, 4))
    coef, b = squared_svr(X, Y, C, s)
    P = X @ coef + b
    # liblinear run to a tight tolerance reaches the same minimiser
    np.testing.assert_allclose(P, liblinear(X, Y, C, s, tol=1e-10, max_iter=100_000), atol=1e-6)
    # at its default tolerance (as the router used it) it stops within about 1e-3
    np.testing.assert_allclose(P, liblinear(X, Y, C, s), atol=2e-3)


def test_closed_form_minimises_liblinear_objective():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((400, 12))
    y = rng.random(400)
    coef, b = squared_svr(X, y, 0.5)

    def objective(w, intercept):  # 0.5 |w~|^2 + C sum (y - w~.x~)^2, intercept weight penalised (s = 1)
        return 0.5 * (w @ w + intercept ** 2) + 0.5 * np.sum((y - X @ w - intercept) ** 2)

    best = objective(coef, b)
    svr = LinearSVR(C=0.5, epsilon=0.0, loss="squared_epsilon_insensitive", dual=False).fit(X, y)
    assert best <= objective(svr.coef_, svr.intercept_[0]) + 1e-9
    for _ in range(20):  # and no nearby point does better
        assert best <= objective(coef + 1e-3 * rng.standard_normal(12), b + 1e-3 * rng.standard_normal())


def test_grid_of_C_matches_one_solve_per_C():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 15))
    Y = rng.random((200, 3))
    Cs = np.array([0.01, 0.3, 1.0, 50.0])
    coef, b = squared_svr(X, Y, Cs)
    assert coef.shape == (4, 15, 3) and b.shape == (4, 3)
    for i, C in enumerate(Cs):
        c1, b1 = squared_svr(X, Y, C)
        np.testing.assert_allclose(coef[i], c1, atol=1e-10)
        np.testing.assert_allclose(b[i], b1, atol=1e-10)


@pytest.mark.parametrize("C", [0.0, -1.0, np.nan, np.inf, [], [[1.0]]])
def test_bad_C_is_refused(C):
    with pytest.raises(ValueError, match="C must be"):
        squared_svr(np.ones((3, 2)), np.ones(3), C)


@pytest.mark.parametrize("s", [0.0, -1.0, np.nan])
def test_bad_intercept_scaling_is_refused(s):
    with pytest.raises(ValueError, match="intercept_scaling"):
        squared_svr(np.ones((3, 2)), np.ones(3), 1.0, s)


def _data(n=300, m=4, d=16, seed=0, constant=()):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    q = np.clip(0.5 + 0.3 * np.tanh(X[:, :m]) + 0.1 * rng.standard_normal((n, m)), 0, 1)
    for j in constant:
        q[:, j] = 0.25 * j
    data = RoutingData.from_arrays(q, np.tile(np.geomspace(1e-4, 1e-2, m), (n, 1)))
    return data, X


def test_router_exact_matches_liblinear_and_keeps_constant_models():
    data, X = _data(constant=(2,))
    exact = SVMRouter().fit(data, X)
    lib = SVMRouter(solver="liblinear").fit(data, X)
    assert exact.svrs_ is None and lib.svrs_ is not None
    Qe, _ = exact.predict(data, X)
    Ql, _ = lib.predict(data, X)
    np.testing.assert_allclose(Qe, Ql, atol=2e-3)
    assert np.all(Qe[:, 2] == 0.5)  # a constant training quality is predicted as that constant


def test_router_solver_choice():
    data, X = _data()
    # auto: the closed form only where it is the same problem
    assert SVMRouter(epsilon=0.1).fit(data, X).svrs_ is not None
    assert SVMRouter(loss="epsilon_insensitive", max_iter=200).fit(data, X).svrs_ is not None
    with pytest.raises(ValueError, match="solver='exact' needs"):
        SVMRouter(solver="exact", epsilon=0.1).fit(data, X)
    with pytest.raises(ValueError, match="solver='exact' needs"):
        SVMRouter(solver="exact", loss="epsilon_insensitive").fit(data, X)
    with pytest.raises(ValueError, match=r"SVMRouter: parameter 'solver' must be .*; got 'cholesky'"):
        SVMRouter(solver="cholesky").fit(data, X)
    with pytest.raises(ValueError, match=r"SVMRouter: parameter 'C' must be .*; got 0\.0"):
        SVMRouter(C=0.0).fit(data, X)


def test_grid_over_C_selects_through_the_protocol():
    data, X = _data(n=400)
    spec = RouterSpec("svm", "svm", {}, ({"C": 0.01}, {"C": 1.0}, {"C": 100.0}))
    res = run_protocol(data, [spec], X, seeds=[0, 1], cache=False, progress=False)
    sel = res.selection
    assert len(sel) == 6 and sel.groupby("seed")["selected"].sum().tolist() == [1, 1]
    assert np.isfinite(res.aiq.aiq).all()
