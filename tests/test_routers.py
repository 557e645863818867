"""Contract tests over every registered router, plus the predictive routers' specifics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from routerlib.data import RoutingData
from routerlib.hull import ndch
from routerlib.routers import ROUTERS, KNNRouter, MFRouter, MLPRouter, SVMRouter, zero_router_hull, zero_router_points
from routerlib.routers.predictive import SIMILARITY_QUANTUM, choose, cosine_neighbors

FAST = {"mlp": {"hidden_layer_sizes": (16,), "max_iter": 300, "learning_rate_init": 0.01, "early_stopping": False,
                "batch_size": 16},
        "svm": {"max_iter": 500},
        "mf": {"dim": 8, "epochs": 60},
        "avengers_pro": {"n_clusters": 4, "n_init": 1}}


def make_data(n: int = 80, m: int = 4, d: int = 8, seed: int = 0) -> tuple[RoutingData, np.ndarray]:
    """Synthetic data where model m-1 is best on every prompt and model 0 cheapest; the models'
    responses give the answer "A" where quality >= 0.5, a wrong letter elsewhere."""
    rng = np.random.default_rng(seed)
    base = np.linspace(0.1, 0.9, m)
    q = np.clip(base + 0.01 * rng.standard_normal((n, m)), 0, 1)
    c = np.geomspace(1e-4, 1e-2, m) * (1 + 0.05 * rng.random((n, m)))
    wrong = np.random.default_rng(seed + 1000).choice(np.array(["B", "C"], dtype=object), (n, m))
    data = RoutingData(
        sample_id=np.arange(n).astype(str),
        prompt=np.array([f"question {i} about topic {i % 5}" for i in range(n)], dtype=object),
        eval_name=np.array(["toy"] * n), dataset=np.array(["toy"] * n),
        models=np.array([f"model{j}" for j in range(m)]), quality=q, cost=c, name="toy",
        responses=np.where(q >= 0.5, "A", wrong).astype(object),
    )
    X = rng.standard_normal((n, d)).astype(np.float32)
    return data, X


def new(name: str, **kw):
    return ROUTERS[name](**{**FAST.get(name, {}), **kw})


@pytest.fixture(scope="module")
def toy():
    return make_data()


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_fit_returns_self(name, toy):
    data, X = toy
    r = new(name)
    assert r.fit(data, X) is r


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_route_before_fit_raises(name, toy):
    data, X = toy
    with pytest.raises(NotFittedError):
        new(name).route(data, X)


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_clone_round_trips_params(name):
    r = new(name)
    c = clone(r)
    assert type(c) is type(r)
    assert c.get_params() == r.get_params()
    assert not any(k.endswith("_") for k in vars(c))  # nothing learned in __init__


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_route_shape_and_range(name, toy):
    data, X = toy
    r = new(name).fit(data, X)
    out = r.route(data, X)
    assert out.shape == (data.n,)
    assert np.issubdtype(out.dtype, np.integer)
    assert out.min() >= 0 and out.max() < data.m
    c, q = r.outcome(data, X)
    assert c.shape == q.shape == (data.n,)


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_same_seed_same_routes(name):
    data, X = make_data(seed=3)
    a = new(name).fit(data, X).route(data, X)
    b = new(name).fit(data, X).route(data, X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_huge_wtp_picks_best_tiny_picks_cheapest(name, toy):
    data, X = toy
    r = new(name)
    if r.knob != "willingness_to_pay":
        pytest.skip(f"{name} takes no willingness to pay")
    r.fit(data, X)
    best = np.argmax(data.quality.mean(axis=0))
    cheapest = np.argmin(data.cost.mean(axis=0))
    assert (r.set_params(willingness_to_pay=1e9).route(data, X) == best).all()
    assert (r.set_params(willingness_to_pay=1e-9).route(data, X) == cheapest).all()


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_set_wtp_needs_no_refit(name, toy):
    data, X = toy
    r = new(name)
    if r.knob != "willingness_to_pay":
        pytest.skip(f"{name} takes no willingness to pay")
    r.fit(data, X)
    r.predict(data, X)
    key = next(iter(r._pred_cache_))
    wtps = np.geomspace(1e-4, 1e2, 7)
    many = r.sweep_outcomes(data, X, wtps).choice
    for i, w in enumerate(wtps):
        np.testing.assert_array_equal(r.set_params(willingness_to_pay=w).route(data, X), many[i])
    assert list(r._pred_cache_) == [key]  # predictions made once


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_sweep_outcomes_equal_one_value_at_a_time(name, toy):
    """The vectorised sweep of every family gives what set_params + route/outcome give per value."""
    data, X = toy
    r = new(name).fit(data, X)
    grid = r.knob_grid(5)
    assert grid.ndim == 1 and len(grid) >= 1
    out = r.sweep_outcomes(data, X, None if r.knob is None else grid)
    assert out.choice.shape == out.cost.shape == out.quality.shape == (len(grid), data.n)
    if r.knob is None:
        assert np.isnan(grid).all()
        return
    assert np.isfinite(grid).all() and (np.diff(grid) > 0).all()
    for i, v in enumerate(grid):
        r.set_params(**{r.knob: float(v)})
        c, q = r.outcome(data, X)
        np.testing.assert_array_equal(out.choice[i], r.route(data, X))
        np.testing.assert_allclose(out.cost[i], c, rtol=1e-12)
        np.testing.assert_array_equal(out.quality[i], q)


def test_oracle_is_best_quality_cheapest_among_ties(toy):
    data, X = toy
    r = ROUTERS["oracle"]().fit(data)
    c, q = r.outcome(data)
    np.testing.assert_array_equal(q, data.quality.max(axis=1))


def test_best_single_uses_training_means(toy):
    data, _ = toy
    r = ROUTERS["best_single"]().fit(data)
    assert r.model_index_ == int(np.argmax(data.quality.mean(axis=0)))


def test_random_router_seeded(toy):
    data, _ = toy
    a = ROUTERS["random"](random_state=1).fit(data).route(data)
    b = ROUTERS["random"](random_state=2).fit(data).route(data)
    assert not np.array_equal(a, b)


def test_zero_router_is_ndch_of_models(toy):
    data, _ = toy
    c, q = zero_router_points(data)
    assert c.shape == q.shape == (data.m,)
    h = zero_router_hull(data)
    h2 = ndch(c, q)
    np.testing.assert_array_equal(h.cost, h2.cost)


def test_knn_predicts_neighbour_mean():
    data, X = make_data(n=30)
    r = KNNRouter(n_neighbors=1).fit(data, X)
    Q, C = r.predict(data, X)
    np.testing.assert_allclose(Q, data.quality)  # each prompt is its own nearest neighbour
    np.testing.assert_allclose(C, np.broadcast_to(data.cost.mean(axis=0), C.shape))
    r2 = KNNRouter(n_neighbors=1, cost_model="knn").fit(data, X)
    np.testing.assert_allclose(r2.predict(data, X)[1], data.cost)


def test_predictions_refresh_when_params_change():
    data, X = make_data(n=40)
    r = KNNRouter(n_neighbors=1).fit(data, X)
    q1 = r.predict(data, X)[0].copy()
    r.set_params(n_neighbors=40)
    q2 = r.predict(data, X)[0]
    assert not np.allclose(q1, q2)


def test_wrong_models_or_X_raise(toy):
    data, X = toy
    r = KNNRouter().fit(data, X)
    with pytest.raises(ValueError):
        r.route(data, X[:5])
    with pytest.raises(ValueError):
        r.route(data.select_models(list(data.models[::-1])), X)
    with pytest.raises(ValueError):
        KNNRouter().fit(data, None)
    with pytest.raises(ValueError):
        KNNRouter(cost_model="median").fit(data, X)


@pytest.mark.parametrize("cls", [MLPRouter, SVMRouter, MFRouter])
def test_learned_routers_beat_random_on_learnable_data(cls):
    # model 0 is right on prompts with X[:, 0] > 0, model 1 on the others; same price
    rng = np.random.default_rng(0)
    n = 300
    X = rng.standard_normal((n, 4)).astype(np.float32)
    q = np.column_stack([(X[:, 0] > 0), (X[:, 0] <= 0)]).astype(float)
    data = RoutingData(np.arange(n).astype(str), np.array(["p"] * n, dtype=object), np.array(["t"] * n),
                       np.array(["t"] * n), np.array(["a", "b"]), q, np.full((n, 2), 1e-3))
    kw = {"hidden_layer_sizes": (16,), "max_iter": 300} if cls is MLPRouter else {}
    r = cls(willingness_to_pay=1.0, **kw).fit(data, X)
    _, quality = r.outcome(data, X)
    assert quality.mean() > 0.8


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(2, 6), st.integers(1, 30), st.integers(0, 10_000))
def test_choose_matches_loop(n, m, w, seed):
    rng = np.random.default_rng(seed)
    Q, C = rng.random((n, m)), rng.random((n, m)) * 1e-2
    wtps = np.geomspace(1e-4, 1e4, w)
    many = choose(Q, C, wtps, chunk_bytes=1 << 10)
    for i, lam in enumerate(wtps):
        np.testing.assert_array_equal(many[i], np.argmax(lam * Q - C, axis=1))
        np.testing.assert_array_equal(choose(Q, C, lam), many[i])


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 50), st.integers(1, 30), st.integers(0, 10_000), st.sampled_from([1, 60, 1 << 22]))
def test_cosine_neighbors_matches_bruteforce(n_train, k, seed, block_entries):
    # blocks of at most 3 query rows, and (block_entries) of at most 1 row or 60 similarities
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n_train, 5))
    B = rng.standard_normal((7, 5))
    nb = cosine_neighbors(A, B, k, chunk=3, block_entries=block_entries)
    kk = min(k, n_train)
    assert nb.shape == (7, kk)
    An = A / np.linalg.norm(A, axis=1, keepdims=True)
    Bn = B / np.linalg.norm(B, axis=1, keepdims=True)
    S = Bn @ An.T
    got = np.sort(np.take_along_axis(S, nb, axis=1), axis=1)
    want = np.sort(S, axis=1)[:, ::-1][:, :kk][:, ::-1]
    np.testing.assert_allclose(got, want, atol=SIMILARITY_QUANTUM)
    # exactly: the float32 similarities on the grid, the most similar first, ties by training index
    A32 = A.astype(np.float32) / np.linalg.norm(A.astype(np.float32), axis=1, keepdims=True)
    B32 = B.astype(np.float32) / np.linalg.norm(B.astype(np.float32), axis=1, keepdims=True)
    raw = B32 @ A32.T / np.float32(SIMILARITY_QUANTUM)
    for i in range(len(B)):
        # a similarity within 0.05 grid steps of a grid line may round the other way when the
        # product is summed in another order: checked only where every such rounding gives one set
        # (and in order: the nearest first)
        ranked = {tuple(np.lexsort((np.arange(n_train), -np.rint(raw[i] + m)))[:kk]) for m in (-0.05, 0.0, 0.05)}
        if len(ranked) == 1:
            assert tuple(nb[i]) == ranked.pop()


@pytest.mark.parametrize("k", [1, 4, 10, 11, 25, 59])
@pytest.mark.parametrize("block_entries", [60, 1 << 22])
def test_cosine_neighbors_take_the_lowest_training_rows_among_equal_similarities(k, block_entries):
    # 6 distinct training rows, each 10 times in a shuffled order: every similarity is tied 10 ways,
    # so the k-th nearest usually falls inside a tie that the search must break by training index
    rng = np.random.default_rng(3)
    A = rng.standard_normal((6, 5))[rng.permutation(np.repeat(np.arange(6), 10))]
    B = rng.standard_normal((7, 5))
    nb = cosine_neighbors(A, B, k, chunk=3, block_entries=block_entries)
    A32 = A.astype(np.float32) / np.linalg.norm(A.astype(np.float32), axis=1, keepdims=True)
    B32 = B.astype(np.float32) / np.linalg.norm(B.astype(np.float32), axis=1, keepdims=True)
    raw = B32 @ A32.T / np.float32(SIMILARITY_QUANTUM)
    checked = 0
    for i in range(len(B)):
        ranked = {tuple(np.lexsort((np.arange(60), -np.rint(raw[i] + m)))[:k]) for m in (-0.05, 0.0, 0.05)}
        if len(ranked) == 1:
            assert tuple(nb[i]) == ranked.pop()
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("k", [0, -3])
def test_cosine_neighbors_refuses_a_k_below_one(k):
    X = np.eye(3)
    with pytest.raises(ValueError, match=f"k must be at least 1; got {k}"):
        cosine_neighbors(X, X, k)


def test_shared_neighbors_equal_a_search_of_each_k_whatever_the_order_of_the_calls(monkeypatch):
    import routerlib.routers.predictive as P

    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((300, 8)), rng.standard_normal((20, 8))
    want = {k: cosine_neighbors(A, B, k) for k in (5, 10, 40, 100, 400)}
    assert all(np.array_equal(want[k], want[400][:, :k]) for k in want)  # nearest first: prefixes
    calls = []
    monkeypatch.setattr(P, "cosine_neighbors", lambda *a: calls.append(a[2]) or cosine_neighbors(*a))
    P._NEIGHBOURS.clear()
    for k in (10, 5, 40, 100, 5, 400):
        np.testing.assert_array_equal(P.shared_neighbors(A, B, k), want[k])
    assert calls == [P.KNN_SEARCH, 100, 400]  # one search serves every k up to what it holds
    np.testing.assert_array_equal(P.shared_neighbors(A, B[::-1], 5), want[5][::-1])  # other rows: searched
    assert len(calls) == 4


def test_knn_routers_of_one_grid_share_one_neighbour_search(monkeypatch):
    import routerlib.routers.predictive as P

    data, X = make_data(n=80, seed=2)
    train, test = data.select(np.arange(50)), data.select(np.arange(50, 80))
    fresh = {k: KNNRouter(n_neighbors=k).fit(train, X[:50]).predict(test, X[50:])[0] for k in (5, 10, 40)}
    calls = []
    monkeypatch.setattr(P, "cosine_neighbors", lambda *a: calls.append(a[2]) or cosine_neighbors(*a))
    P._NEIGHBOURS.clear()
    for k in (5, 10, 40):
        Q, _ = KNNRouter(n_neighbors=k).fit(train, X[:50]).predict(test, X[50:])
        assert Q.tobytes() == fresh[k].tobytes()
    assert calls == [P.KNN_SEARCH]


def test_cosine_neighbors_refuse_a_row_that_is_not_finite():
    A = np.ones((11, 4))
    A[3, 2] = np.nan
    with pytest.raises(ValueError, match="X_train row 3 is not finite"):
        cosine_neighbors(A, np.ones((2, 4)), 3)
    with pytest.raises(ValueError, match=r"X_query row 1 is not finite \(1 such rows\)"):
        cosine_neighbors(np.ones((11, 4)), np.array([[1.0, 0, 0, 0], [np.inf, 0, 0, 0]]), 3)


def test_cosine_neighbors_break_near_ties_by_index_whatever_the_last_bits():
    """Training rows that embed alike up to their last bits (prompts with one long shared prefix)
    are tied: the lowest indices win, and moving the rows by one ulp, as another CPU's arithmetic
    would, changes no neighbour."""
    rng = np.random.default_rng(3)
    base = rng.standard_normal(384).astype(np.float32)
    A = np.repeat(base[None], 40, axis=0) + rng.standard_normal((40, 384)).astype(np.float32) * 1e-7
    A[30:] = rng.standard_normal((10, 384))  # ten unrelated rows
    query = base[None] + rng.standard_normal((5, 384)).astype(np.float32) * 1e-7
    nb = cosine_neighbors(A, query, 7)
    assert all(set(row) == set(range(7)) for row in nb)
    bumped = np.nextafter(A, np.float32(np.inf), dtype=np.float32)
    bumped[::2] = A[::2]
    np.testing.assert_array_equal(np.sort(cosine_neighbors(bumped, query, 7), axis=1), np.sort(nb, axis=1))


@settings(max_examples=20, deadline=None)
@given(st.floats(1e-6, 1e6))
def test_route_is_monotone_in_cost_for_mean_cost_model(lam):
    # with per-model prices, raising the WTP never lowers the chosen model's predicted quality
    data, X = make_data(n=40, seed=1)
    r = KNNRouter(n_neighbors=5).fit(data, X)
    Q, C = r.predict(data, X)
    a = choose(Q, C, lam)
    b = choose(Q, C, lam * 10)
    rows = np.arange(data.n)
    assert (Q[rows, b] >= Q[rows, a] - 1e-12).all()
