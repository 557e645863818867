"""routerlib.routers.cascade: hand-worked cascades, edge cases, and the vectorised core
against the row-by-row reference (hypothesis)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from routerlib.data import RoutingData
from routerlib.evaluate import evaluate_cascade, sweep
from routerlib.routers.cascade import (
    PUBLIC_CAPS,
    CascadeRouter,
    OvergenerateRouter,
    _outcome_from_last,
    called_last,
    cascade_caps,
    cascade_reference,
    judge_draws,
)


def make_data(quality, cost, dataset="toy", models=None):
    q = np.asarray(quality, float)
    c = np.asarray(cost, float)
    n, m = q.shape
    ds = np.array([dataset] * n if isinstance(dataset, str) else list(dataset), dtype=object)
    return RoutingData(
        sample_id=np.array([f"s{i}" for i in range(n)], dtype=object),
        prompt=np.array([f"prompt {i}" for i in range(n)], dtype=object),
        eval_name=ds.copy(),
        dataset=ds,
        models=np.array(models or [f"M{j}" for j in range(m)], dtype=object),
        quality=q,
        cost=c,
    )


# Three models A (cost 1), B (cost 2), C (cost 4), given in the order C, A, B so that the
# router must sort them by cost. Four prompts: right at A; right only at B; right only at
# C; wrong everywhere.
#                       C  A  B
TOY_Q = np.array([[1, 1, 1],
                  [0, 0, 1],
                  [1, 0, 0],
                  [0, 0, 0]], float)
TOY_C = np.tile([4.0, 1.0, 2.0], (4, 1))
C, A, B = 0, 1, 2


def toy_outcome(cap, variant="paper", cap_rule=None, error_rate=0.0):
    d = make_data(TOY_Q, TOY_C)
    r = CascadeRouter(error_rate=error_rate, cap=cap, variant=variant, cap_rule=cap_rule).fit(d)
    c, q = r.outcome(d)
    return c.tolist(), q.tolist(), r.route(d).tolist()


def test_toy_order_and_threshold():
    r = CascadeRouter().fit(make_data(TOY_Q, TOY_C))
    assert r.order_["toy"].tolist() == [A, B, C]
    assert r.threshold_["toy"] == 1.0


def test_toy_paper_variant_by_hand():
    # no cap: A accepts p0 (cost 1); p1 pays A+B = 3; p2 pays A+B+C = 7; p3 ends at C (rejected, q 0)
    assert toy_outcome(np.inf) == ([1, 3, 7, 7], [1, 1, 1, 0], [A, B, C, C])
    # T = 5: C would bring the total to 7 > 5, so p2 and p3 stop at B's rejected answer
    assert toy_outcome(5.0) == ([1, 3, 3, 3], [1, 1, 0, 0], [A, B, B, B])
    # T = 7 is reached exactly: "total <= T" calls C
    assert toy_outcome(7.0) == ([1, 3, 7, 7], [1, 1, 1, 0], [A, B, C, C])
    # T below A's cost: no answer at all (the null router): cost 0, quality 0, route -1
    assert toy_outcome(0.5) == ([0, 0, 0, 0], [0, 0, 0, 0], [-1, -1, -1, -1])


def test_toy_paper_spent_rule_by_hand():
    # literal reading: go on while the cost spent so far is < T (the last call may overshoot)
    assert toy_outcome(2.0, cap_rule="spent") == ([1, 3, 3, 3], [1, 1, 0, 0], [A, B, B, B])
    assert toy_outcome(3.5, cap_rule="spent") == ([1, 3, 7, 7], [1, 1, 1, 0], [A, B, C, C])
    assert toy_outcome(0.5, cap_rule="spent") == ([1, 1, 1, 1], [1, 0, 0, 0], [A, A, A, A])


def test_toy_public_variant_by_hand():
    # always calls the first model, even above the cap
    assert toy_outcome(0.5, variant="public") == ([1, 1, 1, 1], [1, 0, 0, 0], [A, A, A, A])
    # the next model only while the total including it stays strictly below T: at T = 7, C is not called
    assert toy_outcome(7.0, variant="public") == ([1, 3, 3, 3], [1, 1, 0, 0], [A, B, B, B])
    assert toy_outcome(7.01, variant="public") == ([1, 3, 7, 7], [1, 1, 1, 0], [A, B, C, C])


def test_public_threshold_is_095_quantile():
    q = np.array([[0.1, 0.5, 0.9], [0.2, 0.6, 1.0]])
    d = make_data(q, np.ones_like(q))
    assert CascadeRouter(variant="public").fit(d).threshold_["toy"] == pytest.approx(np.quantile(q, 0.95))
    assert CascadeRouter().fit(d).threshold_["toy"] == 1.0
    assert CascadeRouter(threshold=0.5).fit(d).threshold_["toy"] == 0.5


@pytest.mark.parametrize("variant", ["paper", "public"])
def test_cap_below_cheapest_model(variant):
    rng = np.random.default_rng(1)
    q = (rng.random((50, 4)) < 0.5).astype(float)
    c = rng.uniform(1, 2, (50, 4))
    d = make_data(q, c)
    r = CascadeRouter(cap=0.5, variant=variant, error_rate=0.3).fit(d)
    cost, qual = r.outcome(d)
    if variant == "paper":
        assert (cost == 0).all() and (qual == 0).all() and (r.route(d) == -1).all()
    else:
        first = r.order_["toy"][0]
        assert np.array_equal(cost, c[:, first]) and np.array_equal(qual, q[:, first])


def test_error_rate_one_inverts_every_verdict():
    # every right answer rejected, every wrong one accepted
    assert toy_outcome(np.inf, error_rate=1.0) == ([7, 1, 1, 1], [1, 0, 0, 0], [C, A, A, A])
    rng = np.random.default_rng(2)
    q = (rng.random((40, 5)) < 0.6).astype(float)
    c = rng.uniform(0.1, 1, (40, 5))
    d = make_data(q, c)
    r = CascadeRouter(error_rate=1.0).fit(d)
    ref = cascade_reference(q, c, r.order_["toy"], 1.0, np.ones_like(q, bool), np.inf)
    assert np.array_equal(r.route(d), ref[2])


def test_every_answer_accepted_is_the_cheapest_model():
    rng = np.random.default_rng(3)
    q = rng.random((60, 6))
    c = rng.uniform(0.1, 1, (60, 6)) * np.arange(1, 7)
    d = make_data(q, c)
    r = CascadeRouter(threshold=0.0).fit(d)
    cheapest = int(np.argmin(c.mean(axis=0)))
    cost, qual = r.outcome(d)
    assert (r.route(d) == cheapest).all()
    assert np.array_equal(cost, c[:, cheapest]) and np.array_equal(qual, q[:, cheapest])


def test_seeds():
    rng = np.random.default_rng(4)
    q = (rng.random((200, 5)) < 0.5).astype(float)
    c = rng.uniform(0.1, 1, (200, 5))
    d = make_data(q, c)
    a = CascadeRouter(error_rate=0.2, seed=7).fit(d).outcome(d)
    b = CascadeRouter(error_rate=0.2, seed=7).fit(d).outcome(d)
    z = CascadeRouter(error_rate=0.2, seed=8).fit(d).outcome(d)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[1], z[1])
    e0 = [CascadeRouter(error_rate=0.0, seed=s).fit(d).outcome(d) for s in (0, 1, None)]
    assert all(np.array_equal(e0[0][k], e[k]) for e in e0 for k in (0, 1))


def test_draws_do_not_depend_on_other_datasets():
    rng = np.random.default_rng(5)
    q = (rng.random((30, 3)) < 0.5).astype(float)
    d = make_data(q, rng.random((30, 3)), dataset=["a"] * 10 + ["b"] * 20)
    u = judge_draws(d, seed=3)
    assert np.array_equal(u[10:], judge_draws(d.subset("b"), seed=3))
    r = CascadeRouter(error_rate=0.3, seed=3).fit(d)
    assert np.array_equal(r.route(d)[10:], r.route(d.subset("b")))


def test_router_contract():
    d = make_data(TOY_Q, TOY_C)
    r = CascadeRouter(error_rate=0.1, cap=3.0, variant="public")
    with pytest.raises(NotFittedError, match="CascadeRouter is not fitted"):
        r.route(d)
    assert r.fit(d) is r
    r2 = clone(r)
    assert r2.get_params() == r.get_params()
    assert r.route(d).shape == (d.n,)
    with pytest.raises(ValueError):
        CascadeRouter(variant="nope").fit(d)
    with pytest.raises(ValueError):
        CascadeRouter(error_rate=1.5).fit(d).route(d)


def test_overgenerate_is_oracle_quality_at_the_sum_of_costs():
    rng = np.random.default_rng(6)
    q = rng.integers(0, 3, (80, 5)) / 2
    c = rng.uniform(0.1, 1, (80, 5))
    d = make_data(q, c)
    cost, qual = OvergenerateRouter().fit(d).outcome(d)
    assert np.allclose(cost, c.sum(axis=1))
    assert np.array_equal(qual, q.max(axis=1))
    assert np.array_equal(OvergenerateRouter().fit(d).route(d), d.oracle_choice())


@st.composite
def cascades(draw):
    n = draw(st.integers(1, 25))
    m = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    graded = draw(st.booleans())
    q = rng.integers(0, 3, (n, m)) / 2 if graded else (rng.random((n, m)) < 0.5).astype(float)
    # coarse costs make ties with the caps common
    c = rng.integers(0, 5, (n, m)).astype(float) if draw(st.booleans()) else rng.uniform(0, 3, (n, m))
    flips = rng.random((n, m)) < draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    caps = np.concatenate([rng.integers(0, 12, 3).astype(float), rng.uniform(0, 10, 2), [np.inf]])
    order = rng.permutation(m)
    thr = draw(st.sampled_from([0.0, 0.5, 1.0]))
    rule = draw(st.sampled_from(["total", "spent", "public"]))
    return q, c, order, thr, flips, caps, rule


@given(cascades())
def test_vectorised_equals_row_by_row_reference(case):
    q, c, order, thr, flips, caps, rule = case
    last = called_last(q, c, order, thr, flips, caps, rule)
    cost, qual = _outcome_from_last(q, c, order, last)
    for k, T in enumerate(caps):
        rc, rq, rl = cascade_reference(q, c, order, thr, flips, T, rule)
        assert np.array_equal(np.where(last[:, k] >= 0, order[np.maximum(last[:, k], 0)], -1), rl)
        assert np.array_equal(cost[:, k], rc)
        assert np.array_equal(qual[:, k], rq)


def test_router_equals_reference_with_its_draws():
    rng = np.random.default_rng(9)
    q = (rng.random((300, 6)) < 0.5).astype(float)
    c = rng.lognormal(0, 1, (300, 6))
    d = make_data(q, c, dataset=["a"] * 100 + ["b"] * 200)
    for variant in ("paper", "public"):
        r = CascadeRouter(error_rate=0.2, cap=4.0, variant=variant, seed=11).fit(d)
        cost, qual = r.outcome(d)
        u = judge_draws(d, 11)
        for ds in ("a", "b"):
            rows = d.dataset == ds
            rule = "total" if variant == "paper" else "public"
            rc, rq, _ = cascade_reference(q[rows], c[rows], r.order_[ds], r.threshold_[ds], u[rows] < 0.2, 4.0, rule)
            assert np.array_equal(cost[rows], rc) and np.array_equal(qual[rows], rq)


def test_sweep_table():
    rng = np.random.default_rng(10)
    q = (rng.random((400, 4)) < 0.5).astype(float)
    c = rng.uniform(0.1, 1, (400, 4)) * np.array([1, 2, 4, 8])
    d = make_data(q, c, dataset=["a"] * 150 + ["b"] * 250)
    train, test = d.split(0)
    study = evaluate_cascade(d, ["a", "b", "absent"], seed=0, error_rates=[0.0, 0.5], variants=["paper"], n_caps=7)
    df = study.sweep
    assert study.skipped == ["absent"]
    assert list(df.columns[:7]) == ["dataset", "router", "params", "error_rate", "cap", "cost", "quality"]
    assert len(df) == 2 * 2 * 7
    # the largest cap lets every cascade run to its end; at error rate 0 that is the Oracle on binary data
    top = df[(df.error_rate == 0) & (df.dataset == "b")].iloc[-1]
    tb = test.subset("b")
    assert top.quality == pytest.approx(tb.quality.max(axis=1).mean())
    # each row equals the router's outcome on that dataset's test rows
    row = df[(df.dataset == "a") & (df.error_rate == 0.5)].iloc[-3]
    r = CascadeRouter(error_rate=0.5, cap=float(row.cap)).fit(train.subset("a"))
    c_, q_ = r.outcome(test.subset("a"))
    assert row.cost == pytest.approx(c_.sum()) and row.quality == pytest.approx(q_.mean())
    # the caps come from the training rows only (the fitted router's knob grid)
    trb = train.subset("b")
    caps = df[(df.dataset == "b") & (df.error_rate == 0)].cap.to_numpy()
    order = CascadeRouter().fit(trb).order_["b"]
    assert np.allclose(caps, cascade_caps(trb, 7, order), rtol=1e-12)
    assert caps[0] == pytest.approx(np.median(trb.cost[:, order[0]])) and caps[-1] >= trb.cost.sum(axis=1).max()
    # the public config's caps through the one generic sweep
    router = CascadeRouter(error_rate=0.1).fit(trb)
    assert len(sweep(router, tb, values=PUBLIC_CAPS)) == 11


RAG_MODELS = ["gpt-4-1106-preview", "gpt-3.5-turbo-1106", "perplexity/sonar-small-online",
              "perplexity/sonar-medium-online", "You.com"]


def test_rag_wide_file_loads_like_the_others(tmp_path):
    import pandas as pd

    from routerlib.data import load_routerbench, online_models, time_sensitive

    rng = np.random.default_rng(12)
    n = 30
    cols = {"sample_id": [f"rag.{i}" for i in range(n)],
            "prompt": [f"who won the {2024 if i % 3 == 0 else 1990 + i} final?" for i in range(n)],
            "eval_name": ["rag"] * n}
    for m in RAG_MODELS:
        cols[m] = np.where(rng.random(n) < 0.6, "True", "False")  # stored as strings, as in the hub files
        cols[f"{m}|model_response"] = ["an answer"] * n
        cols[f"{m}|total_cost"] = rng.uniform(1e-4, 5e-3, n)
    path = tmp_path / "rag_wide.csv"
    pd.DataFrame(cols).to_csv(path, index=False)
    d = load_routerbench(path)
    assert list(d.models) == RAG_MODELS and d.datasets == ["rag"] and d.n == n
    assert set(np.unique(d.quality)) <= {0.0, 1.0}
    assert online_models(d.models) == [2, 3, 4]
    ts, how = time_sensitive(d)
    assert how == "keyword rule" and ts.tolist() == [i % 3 == 0 for i in range(n)]
    # the simulated RAG set survives the wide format, and the cascade runs on it
    from routerlib.data import simulate_rag

    sim = simulate_rag(seed=0, scale=0.25)
    p2 = tmp_path / "rag_sim.csv.gz"
    sim.to_wide().to_csv(p2, index=False)
    back = load_routerbench(p2)
    assert list(back.models) == list(sim.models) == RAG_MODELS
    assert np.array_equal(back.quality, sim.quality) and np.allclose(back.cost, sim.cost, rtol=1e-12)
    df = evaluate_cascade(back, ["rag"], error_rates=[0.2], variants=["paper"], n_caps=5).sweep
    assert len(df) == 5 and df.dataset.unique().tolist() == ["rag"]
