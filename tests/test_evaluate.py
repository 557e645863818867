"""Evaluation protocol: WTP grid, sweeps, AIQ tables, training-only selection, out of domain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlib.data import RoutingData
from routerlib.embed import TfidfEmbedder
from routerlib.evaluate import (
    RouterSpec,
    evaluate_out_of_domain,
    evaluate_predictive,
    paper_specs,
    select_params,
    sweep,
)
from routerlib.metrics import aiq_table, aiq_wide, vs_zero
from routerlib.routers import KNNRouter
from routerlib.routers.predictive import wtp_grid

FAST_GRIDS = {"knn": [{"n_neighbors": 3}, {"n_neighbors": 10}], "mlp": [{"hidden_layer_sizes": (8,), "max_iter": 30}],
              "svm": [{}]}


def fast_specs(names=("knn", "mlp", "svm")):
    return [RouterSpec(n, n, grid=tuple(FAST_GRIDS[n])) for n in names]


def make_data(n_per: int = 60, datasets=("alpha", "beta"), m: int = 4, seed: int = 0) -> RoutingData:
    """Two topics per dataset; model 1 is good on topic 'red', model 2 on 'blue'; prices rise with j."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in datasets:
        for i in range(n_per):
            topic = "red" if i % 2 else "blue"
            rows.append((f"{d}-{i}", f"{d} question {i} about {topic} things {topic}", d, topic))
    n = len(rows)
    topic = np.array([r[3] for r in rows])
    q = np.zeros((n, m))
    q[:, 0] = rng.random(n) < 0.3
    q[:, 1] = np.where(topic == "red", rng.random(n) < 0.9, rng.random(n) < 0.2)
    q[:, 2] = np.where(topic == "blue", rng.random(n) < 0.9, rng.random(n) < 0.2)
    q[:, 3] = rng.random(n) < 0.8
    c = np.array([1e-4, 3e-4, 3e-4, 5e-3])[None, :] * (1 + 0.1 * rng.random((n, m)))
    return RoutingData(
        sample_id=np.array([r[0] for r in rows]), prompt=np.array([r[1] for r in rows], dtype=object),
        eval_name=np.array([r[2] for r in rows]), dataset=np.array([r[2] for r in rows]),
        models=np.array([f"m{j}" for j in range(m)]), quality=q.astype(float), cost=c, name="toy",
    )


@pytest.fixture(scope="module")
def data():
    return make_data()


def test_wtp_grid_spans_cheapest_to_best(data):
    tr, te = data.split(0)
    w = wtp_grid(tr.cost.mean(axis=0), tr.quality.mean(axis=0), 40)
    assert w.shape == (40,) and (np.diff(w) > 0).all()
    X = TfidfEmbedder(8).fit(tr.prompt)
    r = KNNRouter(n_neighbors=5).fit(tr, X.transform(tr.prompt))
    np.testing.assert_array_equal(r.knob_grid(40), w)  # the fitted router proposes the same grid
    Xte = X.transform(te.prompt)
    routes = r.sweep_outcomes(te, Xte, w).choice
    assert (routes[0] == np.argmin(tr.cost.mean(axis=0))).all()  # lowest WTP: the cheapest model
    Q, C = r.predict(te, Xte)
    assert (routes[-1] == np.argmax(Q, axis=1)).all()  # highest WTP: the best predicted model


def test_sweep_totals_and_means(data):
    tr, te = data.split(0)
    emb = TfidfEmbedder(8).fit(tr.prompt)
    r = KNNRouter(n_neighbors=5).fit(tr, emb.transform(tr.prompt))
    w = r.knob_grid(5)
    s = sweep(r, te, emb.transform(te.prompt), w)
    assert list(s.columns) == ["knob", "value", "cost", "quality"] and (s["knob"] == "willingness_to_pay").all()
    for i, lam in enumerate(w):
        c, q = r.set_params(willingness_to_pay=lam).outcome(te, emb.transform(te.prompt))
        assert np.isclose(s["cost"].iloc[i], c.sum()) and np.isclose(s["quality"].iloc[i], q.mean())


def test_model_and_oracle_points_of_routing_data(data):
    mp = data.model_points()
    assert len(mp) == data.m * len(data.datasets)
    sub = data.subset("alpha")
    got = mp[mp["dataset"] == "alpha"]
    np.testing.assert_allclose(got["cost"], sub.cost.sum(axis=0))
    np.testing.assert_allclose(got["quality"], sub.quality.mean(axis=0))
    op = data.oracle_points()
    assert (op.set_index("dataset")["quality"] >= mp.groupby("dataset")["quality"].max()).all()


def test_evaluate_predictive_tidy_and_deterministic(data):
    kw = dict(specs=fast_specs(), seed=0, n_knob=30)
    a = evaluate_predictive(data, TfidfEmbedder(16), **kw)
    b = evaluate_predictive(data, TfidfEmbedder(16), **kw)
    assert list(a.sweeps.columns) == ["dataset", "router", "params", "knob", "value", "cost", "quality"]
    assert set(a.sweeps["dataset"]) == {"alpha", "beta"}
    assert (a.sweeps.groupby(["dataset", "router"]).size() == 30).all()
    pd.testing.assert_frame_equal(a.sweeps, b.sweeps)
    pd.testing.assert_frame_equal(a.aiq, b.aiq)
    assert set(a.aiq["router"]) == {"zero", "knn", "mlp", "svm"}
    # the test split's totals: model points equal each model's sum over the 30% test rows
    test = data.select(data.split_mask(0))
    pd.testing.assert_frame_equal(a.models.reset_index(drop=True), test.model_points().reset_index(drop=True))
    # shared domain includes the single models
    for d, g in a.aiq.groupby("dataset"):
        mp = a.models[a.models["dataset"] == d]
        assert g["c_min"].iloc[0] <= mp["cost"].min() and g["c_max"].iloc[0] >= mp["cost"].max()
    sel = a.selected()
    assert len(sel) == 2 * 3
    # learnable topics: the KNN router beats the Zero router here
    assert (a.aiq[a.aiq["router"] == "knn"]["aiq"].to_numpy() > a.aiq[a.aiq["router"] == "zero"]["aiq"].to_numpy()).all()


def test_precomputed_X_equals_row_indexing(data):
    X = np.random.default_rng(0).standard_normal((data.n, 6)).astype(np.float32)
    res = evaluate_predictive(data, X, fast_specs(["knn"]), n_knob=10)
    assert len(res.sweeps) == 2 * 10


def test_selection_uses_training_rows_only(data):
    # change every test row's quality: the selection (made on the training split) must not move
    X = np.random.default_rng(1).standard_normal((data.n, 6)).astype(np.float32)
    test = data.split_mask(0)
    q2 = data.quality.copy()
    q2[test] = 1 - q2[test]
    from dataclasses import replace

    other = replace(data, quality=q2)
    a = evaluate_predictive(data, X, fast_specs(["knn"])).selection
    b = evaluate_predictive(other, X, fast_specs(["knn"])).selection
    pd.testing.assert_frame_equal(a, b)


def test_select_params_table(data):
    tr, _ = data.split(0)
    emb = TfidfEmbedder(8)
    best, tab = select_params(fast_specs(["knn"])[0], tr, X=emb)
    assert best in FAST_GRIDS["knn"] and tab["selected"].sum() == 1
    assert tab["inner_aiq"].notna().all()


def test_out_of_domain(data):
    three = make_data(n_per=30, datasets=("alpha", "beta", "gsm8k"))
    res = evaluate_out_of_domain(three, TfidfEmbedder(8), held_out=("mt-bench", "gsm8k"),
                                 specs=[RouterSpec("knn", "knn", {"n_neighbors": 5})])
    assert set(res.sweeps["dataset"]) == {"gsm8k"}  # mt-bench absent: skipped
    assert set(res.sweeps["router"]) == {"knn", "knn-in-domain"}
    one = three.subset("gsm8k")
    empty = evaluate_out_of_domain(one, TfidfEmbedder(8), held_out=("gsm8k",), specs=paper_specs(["knn"], False))
    assert empty.sweeps.empty and empty.aiq.empty


def test_out_of_domain_with_the_default_routers_is_cached(tmp_path, monkeypatch):
    """The default routers' study is stored and read back (nothing fitted the second time); other
    features are another entry; a spec list (possibly a user's router) is never cached."""
    import routerlib.evaluate as E

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    three = make_data(n_per=30, datasets=("alpha", "beta", "gsm8k"))
    X = np.random.default_rng(0).normal(size=(three.n, 6))
    entries = lambda: len(list((tmp_path / "out_of_domain").rglob("output.pkl")))  # noqa: E731
    first = evaluate_out_of_domain(three, X, held_out=("gsm8k",))
    assert entries() == 1 and set(first.sweeps.router) == {"knn", "mlp", "knn-in-domain", "mlp-in-domain"}
    split = E.evaluate_split
    monkeypatch.setattr(E, "evaluate_split", lambda *a, **k: pytest.fail("computed again"))
    again = evaluate_out_of_domain(three, X, held_out=("gsm8k",))
    pd.testing.assert_frame_equal(first.sweeps, again.sweeps)
    pd.testing.assert_frame_equal(first.aiq, again.aiq)
    monkeypatch.setattr(E, "evaluate_split", split)
    evaluate_out_of_domain(three, X + 1.0, held_out=("gsm8k",))
    evaluate_out_of_domain(three, X, held_out=("gsm8k",), specs=[RouterSpec("knn", "knn", {"n_neighbors": 5})])
    assert entries() == 2


def test_metrics_tables():
    models = pd.DataFrame({"dataset": ["a"] * 2, "model": ["x", "y"], "cost": [1.0, 3.0], "quality": [0.5, 0.7]})
    sweeps = pd.DataFrame({"dataset": ["a"] * 2, "router": ["r"] * 2, "cost": [1.0, 2.0], "quality": [0.5, 0.8]})
    t = aiq_table(sweeps, models)
    assert set(t["router"]) == {"zero", "r"}
    assert (t["c_min"] == 1.0).all() and (t["c_max"] == 3.0).all()
    w = aiq_wide(t)
    assert list(w.index) == ["a", "average"]
    v = vs_zero(t)
    assert v["verdict"].tolist() == ["above"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(1e-6, 1e-1), min_size=2, max_size=8), st.integers(2, 60))
def test_wtp_grid_property(costs, n):
    m = len(costs)
    q = np.linspace(0.2, 0.8, m)
    d = RoutingData(np.array(["1", "2"]), np.array(["a", "b"], dtype=object), np.array(["e", "e"]),
                    np.array(["e", "e"]), np.array([f"m{j}" for j in range(m)]),
                    np.vstack([q, q]), np.vstack([costs, costs]))
    w = wtp_grid(d.cost.mean(axis=0), d.quality.mean(axis=0), n)
    assert w.shape == (n,) and (w > 0).all() and (np.diff(w) > 0).all()
    C = np.asarray(costs)
    assert (np.argmax(w[0] * q - C) == np.argmin(C)) or np.isclose(C.min(), C[np.argmax(w[0] * q - C)])


def test_seed_reaches_the_model():
    # the protocol's seed becomes random_state (MLP initialisation), unless the spec fixes it
    assert RouterSpec("mlp", "mlp").make(seed=3).random_state == 3
    assert RouterSpec("mlp", "mlp", {"random_state": 7}).make(seed=3).random_state == 7
    assert RouterSpec("knn", "knn").make(seed=3).get_params()["n_neighbors"] == 40  # no random_state: untouched


def test_a_routerlib_embedder_is_fitted_once_per_split_in_a_process(data, monkeypatch):
    """The routers of one (seed, dataset) share one fit of routerlib's embedders (same training and
    test texts, same parameters), read-only and equal to a fresh fit; other rows or parameters fit
    again; a user's embedder is fitted on every call."""
    from sklearn.base import BaseEstimator, TransformerMixin

    import routerlib.evaluate as E

    monkeypatch.setattr(E, "_FITTED", {})
    fits = []
    fit = TfidfEmbedder._fit  # what fit and fit_transform share
    monkeypatch.setattr(TfidfEmbedder, "_fit", lambda self, p: fits.append(len(p)) or fit(self, p))
    tr, te = np.arange(0, 80), np.arange(80, 120)
    a = E.features(TfidfEmbedder(8), data, tr, te)
    b = E.features(TfidfEmbedder(8), data, tr, te)
    assert len(fits) == 1 and a[0] is b[0] and not a[0].flags.writeable
    fresh = TfidfEmbedder(8)
    fit(fresh, data.prompt[tr])  # unpatched: not counted
    assert np.array_equal(a[0], fresh.transform(data.prompt[tr])) and np.array_equal(a[1], fresh.transform(data.prompt[te]))
    E.features(TfidfEmbedder(8), data, tr[1:], te)
    E.features(TfidfEmbedder(6), data, tr, te)
    assert len(fits) == 3
    for k in range(10):  # only the last few are kept
        E.features(TfidfEmbedder(8), data, tr[k:], te)
    assert len(E._FITTED) == E._FITTED_MAX

    class Mine(TransformerMixin, BaseEstimator):
        def fit(self, p, y=None):
            fits.append("mine")
            return self

        def transform(self, p):
            return np.array([[len(t)] for t in p], float)

    E.features(Mine(), data, tr, te)
    E.features(Mine(), data, tr, te)
    assert fits.count("mine") == 2


def test_prompt_counts_are_kept_per_text_and_bounded(monkeypatch):
    import routerlib.embed.features as PF

    monkeypatch.setattr(PF, "_COUNTS", {})
    texts = ["What is 2 + 2?", "A) red\nB) blue", "What is 2 + 2?"]
    first = PF.raw_features(texts)
    assert len(PF._COUNTS) == 2 and np.array_equal(first, np.array([PF._counts(t) for t in texts]))
    assert np.array_equal(PF.raw_features(texts), first)  # read back
    monkeypatch.setattr(PF, "_COUNTS_MAX", 2)
    PF.raw_features(["a third text"])
    assert list(PF._COUNTS) == ["a third text"]  # full: emptied, then filled again
