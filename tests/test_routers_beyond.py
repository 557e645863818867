"""The routers beyond the paper, worked by hand: Avengers-Pro's score and cluster weights, the
escalation policy, the agreement judge and its measured error, matrix factorisation."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from routerlib.data import RoutingData
from routerlib.routers import (
    AgreementRouter,
    AvengersProRouter,
    EscalationRouter,
    MFRouter,
    RandomEscalationRouter,
    answerable_datasets,
)
from routerlib.routers.agreement import agreement_verdicts, answer_codes, chain_means, chain_outcomes
from routerlib.routers.cluster import cluster_scores, cluster_weights
from routerlib.routers.escalation import hull_models


def _data(q, c, responses=None, dataset="arc-challenge", prompts=None):
    q = np.asarray(q, float)
    return RoutingData.from_arrays(q, np.asarray(c, float), prompts=prompts, dataset=dataset,
                                   responses=None if responses is None else np.asarray(responses, dtype=object))


# ----- Avengers-Pro --------------------------------------------------------------------------------
def test_cluster_score_by_hand():
    p = np.array([[0.2, 0.6, 1.0], [0.5, 0.5, 0.5]])
    q = np.array([[1.0, 2.0, 4.0], [0.0, 0.0, 0.0]])
    # cluster 0: quality term (0, .5, 1), cost term 1 - q/4 = (.75, .5, 0)
    np.testing.assert_allclose(cluster_scores(p, q, 1.0)[0], [0, 0.5, 1])
    np.testing.assert_allclose(cluster_scores(p, q, 0.0)[0], [0.75, 0.5, 0])
    np.testing.assert_allclose(cluster_scores(p, q, 0.25)[0], [0.5625, 0.5, 0.25])
    # cluster 1: zero quality range -> 0, zero costs -> 1 (the same for every model)
    np.testing.assert_allclose(cluster_scores(p, q, 0.3)[1], [0.7, 0.7, 0.7])


def test_cluster_weights_by_hand():
    C = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.6, 0.8]])
    x = np.array([[0.8, 0.6]])
    d = 1 - (C / np.linalg.norm(C, axis=1, keepdims=True)) @ x[0]  # 0.2, 0.4, 1.8, 0.04
    W = cluster_weights(x, C, top_k=3, beta=9.0)
    near = [3, 0, 1]
    e = np.exp(-9.0 * d[near])
    np.testing.assert_allclose(W[0, near], e / e.sum(), rtol=1e-6)  # unit vectors in float32
    assert W[0, 2] == 0 and abs(W.sum() - 1) < 1e-12
    np.testing.assert_allclose(cluster_weights(x, C, top_k=1, beta=9.0)[0], [0, 0, 0, 1])


def test_avengers_routes_each_cluster_to_its_specialist():
    rng = np.random.default_rng(0)
    n = 200
    topic = rng.integers(0, 2, n)
    X = np.where(topic[:, None] == 0, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]) + 0.05 * rng.standard_normal((n, 3))
    q = np.column_stack([topic == 0, topic == 1, np.full(n, 0.5)]).astype(float)  # model 2: mediocre everywhere
    c = np.tile([1.0, 1.0, 0.1], (n, 1))
    data = _data(q, c, dataset="toy")
    r = AvengersProRouter(n_clusters=2, top_k=2, alpha=1.0).fit(data, X)
    np.testing.assert_array_equal(r.route(data, X), topic)  # plain Avengers: the specialist
    assert (r.set_params(alpha=0.0).route(data, X) == 2).all()  # cost only: the cheap model
    out = r.sweep_outcomes(data, X, [0.0, 0.5, 1.0])
    assert out.choice.shape == (3, n) and (out.choice[2] == topic).all()


# ----- escalation ----------------------------------------------------------------------------------
def _escalation_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    hard = X[:, 0] > 0.5  # the cheap model fails exactly there
    q = np.column_stack([~hard, rng.random(n) < 0.95, rng.random(n) < 0.3]).astype(float)  # model 2 is dominated
    c = np.tile([1e-4, 1e-3, 5e-3], (n, 1))
    return _data(q, c, dataset="toy"), X, hard


def test_escalation_hull_and_shares():
    data, X, hard = _escalation_data()
    r = EscalationRouter().fit(data, X)
    np.testing.assert_array_equal(r.hull_, [0, 1])  # model 2 is off the Zero hull
    c0, c1 = r.hull_cost_
    np.testing.assert_array_equal(r.set_params(budget=c0).route(data, X), 0)
    np.testing.assert_array_equal(r.set_params(budget=0.0).route(data, X), 0)
    np.testing.assert_array_equal(r.set_params(budget=1.0).route(data, X), 1)
    for t in (0.1, 0.25, 0.5):
        routes = r.set_params(budget=c0 + t * (c1 - c0)).route(data, X)
        assert (routes == 1).sum() == round(t * data.n)  # the share t goes to the dearer model
        D = r.difficulty(data, X)[0]
        # ... and it is the hardest share by the predicted difficulty
        assert D[routes == 1].min() >= D[routes == 0].max()
    # the difficulty classifier found the hard prompts: at t = share of hard ones, nearly all of them escalate
    routes = r.set_params(budget=c0 + hard.mean() * (c1 - c0)).route(data, X)
    assert (routes[hard] == 1).mean() > 0.9


def test_escalation_random_control_and_grid():
    data, X, hard = _escalation_data()
    r = RandomEscalationRouter(random_state=1).fit(data, None)  # X not needed
    assert r.scores == "random" and r.classifiers_ is None
    c0, c1 = r.hull_cost_
    routes = r.set_params(budget=0.5 * (c0 + c1)).route(data)
    assert (routes == 1).sum() == data.n // 2
    assert 0.3 < (routes[hard] == 1).mean() < 0.7  # blind to difficulty
    g = r.knob_grid(11)
    assert g[0] == c0 and g[-1] == c1 and len(g) == 11
    with pytest.raises(ValueError):
        EscalationRouter(scores="oracle").fit(data, X)


def test_hull_models_by_hand():
    assert hull_models(np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.4, 0.9])).tolist() == [0, 2]


# ----- the agreement judge -----------------------------------------------------------------------
def test_answer_codes_and_verdicts():
    codes = answer_codes(np.array([["B", "B", "C", None], ["A", "C", "C", "C"]], dtype=object))
    assert (codes[0, 3] == -1) and codes[0, 0] == codes[0, 1] != codes[0, 2]
    assert agreement_verdicts(codes).tolist() == [[False, True, False, False], [False, False, True, True]]
    assert agreement_verdicts(codes, 3).tolist() == [[False, False, False, False], [False, False, False, True]]


def test_chain_outcome_by_hand():
    # three models, costs 1, 2, 10; chain (0, 1, 2): stop at 1 when 0 and 1 agree, else ask 2
    answers = np.array([["A", "A", "B"], ["A", "B", "B"], [None, None, "C"], ["D", "C", "C"]], dtype=object)
    q = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1], [0, 1, 1]], float)
    c = np.tile([1.0, 2.0, 10.0], (4, 1))
    last, cost, qual = chain_outcomes(answer_codes(answers), q, c, (0, 1, 2))
    assert last.tolist() == [1, 2, 2, 2]
    assert cost.tolist() == [3, 13, 13, 13]
    assert qual.tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize("seed", range(4))
def test_chain_means_equal_one_chain_at_a_time_bit_for_bit(seed):
    """Every chain of every length and rule at once, against chain_outcomes chain by chain: the same
    floats (the fitted configurations depend on exact ties); missing answers (-1), few distinct
    answers (many agreements) and blocks smaller than the chains (max_elements) included."""
    rng = np.random.default_rng(seed)
    n, m = 57, 6
    codes = rng.integers(-1, 3, size=(n, m))
    q = rng.random((n, m)).round(1)
    c = rng.random((n, m)) * 10.0 ** rng.integers(-6, 0, size=(1, m))
    for L in range(1, 5):
        chains = np.array(list(combinations(range(m), L)))
        for k in (2, 3):
            want = np.array([[chain_outcomes(codes, q, c, ch, k)[i].mean() for i in (1, 2)] for ch in chains])
            for block in (1 << 21, n * L):  # every chain in one block, or one chain per block
                got_c, got_q = chain_means(codes, q, c, chains, k, max_elements=block)
                assert np.array_equal(got_c, want[:, 0]) and np.array_equal(got_q, want[:, 1])


def _agreement_data():
    # 6 prompts x 3 models; models 0 and 1 cost 1, model 2 costs 100 and is always right
    responses = [["['A']", "['A\\n']", "['A']"],   # agree, right
                 ["['A']", "['A']", "['A']"],       # agree, right
                 ["['B']", "['B']", "['C']"],       # agree, wrong
                 ["['A']", "['D']", "['D']"],       # disagree; model 1 was right
                 ["['A']", "['B']", "['C']"],       # disagree; model 1 wrong
                 ["['I do']", "['C']", "['D']"]]    # no answer from model 0; model 1 wrong
    q = [[1, 1, 1], [1, 1, 1], [0, 0, 1], [0, 1, 1], [0, 0, 1], [0, 0, 1]]
    c = [[1.0, 1.0, 100.0]] * 6
    return _data(q, c, responses)


def test_agreement_router_fits_chains_and_measures_its_judge():
    d = _agreement_data()
    r = AgreementRouter(max_models=3, min_agree=(2,)).fit(d)
    ch = r.chains("arc-challenge")
    # efficient on training: m1 alone (cost 1, quality 1/2), the cascade m0 -> m1 -> m2 (cost
    # (3 * 2 + 3 * 102) / 6 = 52, quality 5/6), m2 alone (cost 100, quality 1)
    assert ch.chain.tolist() == ["m0", "m0 -> m1 -> m2", "m2"] or ch.chain.tolist() == ["m1", "m0 -> m1 -> m2", "m2"]
    np.testing.assert_allclose(ch.budget.iloc[1:], [52, 100])
    np.testing.assert_allclose(ch.train_quality.iloc[1:], [5 / 6, 1])
    r.set_params(budget=50.0)  # nearest (log scale): the cascade
    c, q = r.outcome(d)
    assert c.tolist() == [2, 2, 2, 102, 102, 102] and q.tolist() == [1, 1, 0, 1, 1, 1]
    assert r.route(d).tolist() == [1, 1, 1, 2, 2, 2]
    e = r.judge_error(d).iloc[0]
    # verdicts at m1: accept, accept, accept, reject, reject, reject
    # accepted and wrong: prompt 2; rejected but right: prompt 3
    assert (e.n_judged, e.accepted, e.rejected) == (6, 3, 3)
    assert e.accept_wrong == pytest.approx(1 / 3) and e.reject_right == pytest.approx(1 / 3)
    assert e.error_rate == pytest.approx(1 / 3) and e.chain == "m0 -> m1 -> m2"
    assert np.isnan(r.judge_error(d, budget=100.0).iloc[0].error_rate)  # one model: nothing judged
    out = r.sweep_outcomes(d, values=[1.0, 52.0, 100.0])
    assert out.cost.sum(axis=1).tolist() == [6, 312, 600]


def test_agreement_refuses_rows_without_answers():
    d = _agreement_data()
    with pytest.raises(ValueError, match="responses"):
        AgreementRouter().fit(_data(d.quality, d.cost))
    mbpp = _data(d.quality, d.cost, d.responses, dataset="mbpp")
    with pytest.raises(ValueError, match="mbpp"):
        AgreementRouter().fit(mbpp)
    fitted = AgreementRouter().fit(d)
    with pytest.raises(ValueError, match="mbpp"):
        fitted.route(mbpp)
    both = RoutingData.from_arrays(np.vstack([d.quality, d.quality]), np.vstack([d.cost, d.cost]),
                                   dataset=np.array(["arc-challenge"] * 6 + ["mbpp"] * 6),
                                   responses=np.vstack([d.responses, d.responses]))
    assert answerable_datasets(both) == ["arc-challenge"]


def test_agreement_on_simulated_data_beats_its_last_model_per_cost():
    from routerlib.data import simulate_routerbench

    sim = simulate_routerbench(seed=0, scale=0.05).subset("arc-challenge")
    r = AgreementRouter().fit(sim)
    ch = r.chains("arc-challenge")
    assert (ch.chain.str.count("->") >= 2).any()  # some cascade is efficient on training
    out = r.sweep_outcomes(sim)
    assert out.cost.shape == (len(ch), sim.n)
    assert (out.cost >= sim.cost[np.arange(sim.n)[None, :], out.choice] - 1e-15).all()  # a cascade pays every call


# ----- matrix factorisation ------------------------------------------------------------------------
def test_mf_predicts_who_is_right():
    rng = np.random.default_rng(0)
    n = 400
    X = rng.standard_normal((n, 4))
    q = np.column_stack([X[:, 0] > 0, X[:, 0] <= 0]).astype(float)
    data = _data(q, np.full((n, 2), 1e-3), dataset="toy")
    r = MFRouter(dim=4, random_state=0).fit(data, X)
    P, _ = r.predict(data, X)
    assert P.shape == (n, 2) and ((P > 0) & (P < 1)).all()
    assert ((P[:, 0] > P[:, 1]) == (X[:, 0] > 0)).mean() > 0.9
    np.testing.assert_array_equal(MFRouter(dim=4, random_state=0).fit(data, X).predict(data, X)[0], P)  # seeded
    # fitted in float32 (the embeddings' type), probabilities in float64, strictly inside (0, 1)
    assert r.W_.dtype == r.V_.dtype == r.b_.dtype == np.float32 and P.dtype == np.float64
