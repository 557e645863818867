"""The stream evaluator: bad input refused by name, policies' update rules checked by hand, metrics
on worked examples, scenarios, determinism, and the real rows when present."""

import warnings

import numpy as np
import pytest

from routerlib.data import RoutingData
from routerlib.online import (
    UCB1,
    BetaThompson,
    EpsilonGreedy,
    LinearThompson,
    LinUCB,
    PolicyError,
    UniformRandom,
    adoption_lag,
    arrival,
    best_fixed_model,
    check_lambdas,
    cumulative_mean,
    cumulative_regret,
    lambda_grid,
    make_stream,
    oracle_reward,
    price_drop,
    replay,
    stream_aiq,
    window_points,
    window_share,
)
from routerlib.online.study import aiq_table, learning_curves, offline_points, scenario_tables
from routerlib.paths import SHARED_ROUTERBENCH


def small(n=40, m=3, seed=0, d=6):
    rng = np.random.default_rng(seed)
    q = (rng.random((n, m)) < [0.3, 0.6, 0.9][:m]).astype(float)
    c = np.tile([1e-4, 1e-3, 1e-2][:m], (n, 1)) * (1 + 0.1 * rng.random((n, m)))
    rd = RoutingData.from_arrays(q, c, dataset=np.where(np.arange(n) % 2 == 0, "a", "b"))
    return rd, rng.standard_normal((n, d))


LAM = [1e-3, 1e-2, 1e-1]


# ----- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, shown", [([1.0, 0.0], "lambdas[1] = 0.0"), ([-2.0], "lambdas[0] = -2.0"),
                                        ([np.nan], "lambdas[0] = nan"), ([1.0, np.inf], "lambdas[1] = inf")])
def test_lambda_of_zero_or_less_is_refused_naming_the_value(bad, shown):
    with pytest.raises(ValueError, match=shown.replace("[", r"\[").replace("]", r"\]")):
        check_lambdas(bad)


def test_lambdas_empty_or_text_are_refused():
    with pytest.raises(ValueError, match="non-empty"):
        check_lambdas([])
    with pytest.raises(ValueError, match="numbers"):
        check_lambdas(["1"])


def test_replay_refuses_a_bad_lambda():
    rd, X = small()
    with pytest.raises(ValueError, match=r"lambdas\[0\] = 0.0"):
        replay(UCB1(), make_stream(rd, X, seeds=(0,)), [0.0])


def test_empty_stream_is_refused():
    rd, X = small()
    with pytest.raises(ValueError, match="empty stream: dataset 'zzz'"):
        make_stream(rd, X, seeds=(0,), dataset="zzz")
    with pytest.raises(ValueError, match="empty stream"):
        make_stream(rd.select(np.zeros(rd.n, bool)), None, seeds=(0,))


def test_one_model_is_refused():
    rd, X = small()
    with pytest.raises(ValueError, match=r"1 model\(s\) \(\['m0'\]\)"):
        make_stream(rd.select_models(["m0"]), X, seeds=(0,))


def test_nan_features_are_refused_naming_row_and_value():
    rd, X = small()
    X[7, 2] = np.nan
    with pytest.raises(ValueError, match=r"row 7 \(sample id '7'.*embedding\[7, 2\] = nan"):
        make_stream(rd, X, seeds=(0,))


def test_features_of_the_wrong_shape_and_repeated_seeds_are_refused():
    rd, X = small()
    with pytest.raises(ValueError, match="one row per prompt"):
        make_stream(rd, X[:-1], seeds=(0,))
    with pytest.raises(ValueError, match="seeds repeat"):
        make_stream(rd, X, seeds=(1, 1))


class Broken(UniformRandom):
    name = "broken"

    def __init__(self, value, at=3):
        self.value, self.at = value, at

    def choose(self, t, x, available):
        a = super().choose(t, x, available)
        if t == self.at:
            a = a.astype(type(self.value)) if not isinstance(self.value, float) else a.astype(float)
            a[0, 0] = self.value
        return a


@pytest.mark.parametrize("value, msg", [(3, r"policy 'broken' at step 3.*choice\[0\] = 3"),
                                        (-1, r"policy 'broken' at step 3: choose returned -1"),
                                        (1.0, r"policy 'broken' at step 3.*float64")])
def test_a_policy_out_of_range_fails_naming_it_and_the_step(value, msg):
    rd, X = small()
    with pytest.raises(PolicyError, match=msg):
        replay(Broken(value), make_stream(rd, X, seeds=(0, 1)), LAM)


def test_a_policy_calling_a_model_before_it_arrives_fails():
    rd, X = small()
    st = arrival(make_stream(rd, X, seeds=(0,)), 2, at=20)

    class Eager(UniformRandom):
        name = "eager"

        def choose(self, t, x, available):
            return np.full((1, 3), 2)

    with pytest.raises(PolicyError, match=r"policy 'eager' at step 0: chose model 2 \(m2\).*not available"):
        replay(Eager(), st, LAM)


# ----- the stream --------------------------------------------------------------------------------
def test_orders_are_seeded_permutations_and_the_arrays_follow_them():
    rd, X = small()
    a, b = make_stream(rd, X, seeds=(0, 1)), make_stream(rd, X, seeds=(1,))
    assert sorted(a.order[0]) == list(range(rd.n))
    assert np.array_equal(a.order[1], b.order[0])  # an order depends on its own seed only
    assert not np.array_equal(a.order[0], a.order[1])
    t = 5
    assert np.array_equal(a.quality[t, 1], rd.quality[a.order[1, t]])
    assert a.x.shape == (rd.n, 2, 7) and np.allclose(a.x[..., -1], 1.0)  # 6 components + intercept
    one = make_stream(rd, X, seeds=(0,), dataset="a")
    assert one.T == rd.n // 2 and one.label == "a"


def test_projected_features_have_unit_mean_square_norm():
    rd, X = small(n=400, d=12)
    st = make_stream(rd, X, seeds=(0,), n_components=5)
    x = st.x[:, 0, :-1]
    assert np.isclose((x ** 2).sum(axis=1).mean(), 1.0 * (rd.n - 1) / rd.n, rtol=1e-6)


def test_lambda_grid_spans_the_zero_routers_breakpoints():
    # models (cost 1, q 0.5), (cost 3, q 0.9): breakpoints 1/0.5 = 2 and (3-1)/(0.9-0.5) = 5
    g = lambda_grid([[0.5, 0.9]], [[1.0, 3.0]], n=2, widen=2.0)
    assert np.allclose(g, [1.0, 10.0])


# ----- policies: update rules by hand --------------------------------------------------------------
def fixed_stream(q_rows, c_rows, X=None, seeds=(0,)):
    rd = RoutingData.from_arrays(np.array(q_rows, float), np.array(c_rows, float))
    st = make_stream(rd, X, seeds=seeds)
    return st


def test_epsilon_greedy_tries_each_model_then_follows_the_running_means():
    # every prompt: model 0 quality 0.5 cost 0.1, model 1 quality 1.0 cost 0.4
    st = fixed_stream([[0.5, 1.0]] * 6, [[0.1, 0.4]] * 6)
    tr = replay(EpsilonGreedy(epsilon=0.0), st, [0.2, 1.0])
    # lambda 0.2: 0.2*0.5-0.1 = 0.0 > 0.2*1-0.4 = -0.2 -> model 0; lambda 1: 0.4 > 0.6? no: 0.5-0.1=0.4 < 1-0.4=0.6 -> 1
    assert tr.choice[:2, 0, 0].tolist() == [0, 1] and tr.choice[:2, 0, 1].tolist() == [0, 1]
    assert (tr.choice[2:, 0, 0] == 0).all() and (tr.choice[2:, 0, 1] == 1).all()


def test_ucb1_score_by_hand():
    p = UCB1(c=2.0).start(1, 2, 1, np.array([1.0]), [np.random.default_rng(0)])
    for arm, q, c in [(0, 1.0, 0.0), (1, 0.0, 0.0), (0, 0.0, 0.0)]:
        p.update(0, None, np.array([[arm]]), np.array([[q]]), np.array([[c]]))
    # N = 3; model 0: mean 0.5 + bonus sqrt(2 ln 3 / 2) = 1.548; model 1: 0 + sqrt(2 ln 3) = 1.482
    assert p.choose(3, None, None).tolist() == [[0]]
    p.update(0, None, np.array([[0]]), np.array([[0.0]]), np.array([[0.0]]))
    # N = 4: model 0: 1/3 + sqrt(2 ln 4 / 3) = 1.294; model 1: 0 + sqrt(2 ln 4) = 1.665
    assert p.choose(4, None, None).tolist() == [[1]]
    # lambda scales quality, not cost: model 1's mean cost is now (0 + 4) / 2 = 2, and 0 + 1.269 - 2 < 1.367
    p.update(0, None, np.array([[1]]), np.array([[0.0]]), np.array([[4.0]]))
    assert p.choose(5, None, None).tolist() == [[0]]


def test_beta_thompson_posterior_counts_fractional_quality():
    p = BetaThompson().start(1, 2, 1, np.array([1.0]), [np.random.default_rng(0)])
    for q in (1.0, 0.5, 0.0):
        p.update(0, None, np.array([[0]]), np.array([[q]]), np.array([[0.2]]))
    assert p.n_[0, 0].tolist() == [3.0, 0.0] and p.sq_[0, 0].tolist() == [1.5, 0.0]  # Beta(2.5, 2.5) for model 0
    assert np.isclose(p.sc_[0, 0, 0] / p.n_[0, 0, 0], 0.2)


def test_beta_thompson_learns_the_better_model():
    st = fixed_stream([[0.0, 1.0]] * 300, [[0.0, 0.0]] * 300)
    tr = replay(BetaThompson(), st, [1.0])
    assert (tr.choice[-100:] == 1).mean() > 0.95


def ridge_state(X, y, arms, j, ridge=1.0):
    Xj, yj = X[arms == j], y[arms == j]
    A = ridge * np.eye(X.shape[1]) + Xj.T @ Xj
    return np.linalg.inv(A), np.linalg.solve(A, Xj.T @ yj)


@pytest.mark.parametrize("cls", [LinUCB, LinearThompson])
def test_sherman_morrison_state_equals_the_ridge_solution(cls):
    rd, E = small(n=60)
    st = make_stream(rd, E, seeds=(0, 3))
    pol = cls()
    tr = replay(pol, st, LAM)
    S, L, m, d = st.S, len(LAM), st.m, st.d
    Ainv = pol.Ainv_.reshape(S, L, m, d, d)
    theta = pol.theta_.reshape(S, L, m, 2, d)
    for s in range(S):
        for lam in range(L):
            for j in range(m):
                inv, tq = ridge_state(st.x[:, s], st.quality[:, s, j], tr.choice[:, s, lam], j)
                _, tc = ridge_state(st.x[:, s], st.cost[:, s, j], tr.choice[:, s, lam], j)
                assert np.allclose(Ainv[s, lam, j], inv, atol=1e-9)
                assert np.allclose(theta[s, lam, j, 0], tq, atol=1e-9) and np.allclose(theta[s, lam, j, 1], tc, atol=1e-9)


def test_full_information_linucb_learns_every_model_from_every_step():
    rd, E = small(n=50)
    st = make_stream(rd, E, seeds=(1,))
    pol = LinUCB(full_information=True)
    replay(pol, st, LAM)
    assert pol.Ainv_.shape[0] == 1 * 1 * st.m  # one state for every lambda
    everyone = np.zeros(st.T, int)
    for j in range(st.m):
        inv, tq = ridge_state(st.x[:, 0], st.quality[:, 0, j], everyone, 0)
        assert np.allclose(pol.Ainv_[j], inv, atol=1e-9) and np.allclose(pol.theta_[j, 0], tq, atol=1e-9)


def test_linucb_first_step_and_linear_thompson_without_noise_is_greedy():
    rd, E = small(n=60)
    st = make_stream(rd, E, seeds=(0,))
    # at step 0 every model has theta 0 and the same width: ties go to model 0
    assert replay(LinUCB(), st, LAM).choice[0].tolist() == [[0, 0, 0]]
    a = replay(LinUCB(alpha=0.0), st, LAM).choice
    b = replay(LinearThompson(v=0.0), st, LAM).choice
    assert np.array_equal(a, b)


def test_uniform_random_covers_the_available_models_evenly():
    rd, E = small(n=40)
    st = arrival(make_stream(rd, E, seeds=(0, 1)), 0, at=10)
    tr = replay(UniformRandom(), st, [1.0] * 50)
    assert (tr.choice[:10] != 0).all()
    share = np.bincount(tr.choice[10:].ravel(), minlength=3) / tr.choice[10:].size
    assert np.allclose(share, 1 / 3, atol=0.03)


@pytest.mark.parametrize("make", [UniformRandom, EpsilonGreedy, UCB1, BetaThompson, LinUCB, LinearThompson])
def test_same_seed_same_routes_and_orders_independent(make):
    rd, E = small(n=50)
    a = replay(make(), make_stream(rd, E, seeds=(0, 1)), LAM)
    b = replay(make(), make_stream(rd, E, seeds=(0, 1)), LAM)
    c = replay(make(), make_stream(rd, E, seeds=(1,)), LAM)
    assert np.array_equal(a.choice, b.choice)
    assert np.array_equal(a.choice[:, 1], c.choice[:, 0])
    assert np.array_equal(a.quality, np.take_along_axis(make_stream(rd, E, seeds=(0, 1)).quality,
                                                        a.choice.astype(int), axis=2))


# ----- metrics by hand ---------------------------------------------------------------------------
def test_regret_against_the_best_fixed_model_by_hand():
    # 3 steps, 2 models; lambda 1: totals model 0: (1-0.1)+(0-0.1)+(1-0.1) = 1.7; model 1: 3*(1-0.5) = 1.5
    q = np.array([[[1.0, 1.0]], [[0.0, 1.0]], [[1.0, 1.0]]])
    c = np.array([[[0.1, 0.5]]] * 3)
    assert best_fixed_model(q, c, [1.0]).tolist() == [[0]]
    r_best = q[:, :, 0] - c[:, :, 0]  # 0.9, -0.1, 0.9
    policy = np.array([[0.5], [0.5], [-0.1]])  # a policy's rewards
    assert np.allclose(cumulative_regret(policy, r_best)[:, 0], [0.4, -0.2, 0.8])
    # the Oracle: max(0.9, 0.5), max(-0.1, 0.5), max(0.9, 0.5)
    assert np.allclose(oracle_reward(q, c, [1.0])[:, 0, 0], [0.9, 0.5, 0.9])


def test_best_fixed_model_skips_models_not_always_available():
    q = np.array([[[0.0, 1.0]], [[0.0, 1.0]]])
    c = np.zeros_like(q)
    assert best_fixed_model(q, c, [1.0], available=np.array([[True, False], [True, True]])).tolist() == [[0]]


def test_cumulative_mean_window_points_and_aiq_by_hand():
    assert np.allclose(cumulative_mean([[2.0], [0.0], [1.0]])[:, 0], [2.0, 1.0, 1.0])
    c, q = window_points(np.array([[[1.0]], [[0.0]], [[0.5]], [[1.0]]]), np.array([[[4.0]], [[1.0]], [[2.0]], [[3.0]]]), 2)
    assert c.tolist() == [[2.5]] and q.tolist() == [[0.75]]
    # points (1, 0.4), (2, 0.8): hull over [1, 2] is linear, mean 0.6
    assert np.isclose(stream_aiq([1.0, 2.0], [0.4, 0.8], 1.0, 2.0), 0.6)


def test_window_share_and_adoption_lag_by_hand():
    ch = np.array([1, 1, 0, 0, 1, 1])[:, None, None]
    assert np.allclose(window_share(ch, 1, 3)[:, 0], [1, 1, 2 / 3, 1 / 3, 1 / 3, 2 / 3])
    ref = np.ones((10, 1, 1), int)
    never = np.zeros((10, 1, 1), int)
    assert np.isnan(adoption_lag(never, ref, 1, 4, 2)).all()  # not adopted by the end
    assert np.isnan(adoption_lag(ref, never, 1, 4, 2)).all()  # the reference never uses it
    early = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])[:, None, None]
    assert adoption_lag(early, ref, 1, 4, 2).tolist() == [2.0]  # one window: the resolution


# ----- scenarios ---------------------------------------------------------------------------------
def test_price_drop_divides_the_cost_from_midway_only():
    rd, E = small(n=40)
    st = make_stream(rd, E, seeds=(0,))
    pd_ = price_drop(st, "m2", factor=0.1)
    assert np.allclose(pd_.cost[20:, :, 2], st.cost[20:, :, 2] / 10) and np.array_equal(pd_.cost[:20], st.cost[:20])
    with pytest.raises(ValueError, match="factor must lie in"):
        price_drop(st, 2, factor=2.0)
    with pytest.raises(ValueError, match="'m9' is not in the stream"):
        arrival(st, "m9")


@pytest.mark.parametrize("make", [UniformRandom, EpsilonGreedy, UCB1, BetaThompson, LinUCB, LinearThompson,
                                  lambda: LinUCB(full_information=True)])
def test_a_replay_resumed_midway_gives_the_bytes_of_a_replay_from_the_start(make):
    from routerlib.online import resume

    rd, E = small(n=50)
    st = make_stream(rd, E, seeds=(0, 1), n_components=3)
    dropped = price_drop(st, "m2", factor=0.1, at=20)
    whole, kept = replay(make(), st, LAM, keep_at=20)
    assert kept.step == 20 and np.array_equal(whole.choice, replay(make(), st, LAM).choice)
    for s in (dropped, st, dropped):  # a checkpoint serves any number of streams, itself unchanged
        assert resume(kept, s, LAM).choice.tobytes() == replay(make(), s, LAM).choice.tobytes()


def test_resume_refuses_a_stream_or_lambdas_that_differ_before_the_checkpoint():
    from routerlib.online import resume

    rd, E = small(n=50)
    st = make_stream(rd, E, seeds=(0,), n_components=3)
    _, kept = replay(LinUCB(), st, LAM, keep_at=20)
    for other, lam in ((arrival(st, "m2", at=20), LAM), (price_drop(st, "m2", at=10), LAM), (st, LAM[:2]),
                       (make_stream(rd, E, seeds=(1,), n_components=3), LAM)):
        with pytest.raises(ValueError, match="differ from the checkpoint's before step 20"):
            resume(kept, other, lam)
    for bad in (0, 50, 2.5, True):
        with pytest.raises(ValueError, match=r"keep_at must be a step in \(0, 50\)"):
            replay(LinUCB(), st, LAM, keep_at=bad)


def test_run_policies_resumes_a_price_drop_from_the_states_kept_midway(monkeypatch):
    import routerlib.online.study as S

    rd, E = small(n=60)
    st = make_stream(rd, E, seeds=(0, 1), n_components=3)
    pol = {"ucb": UCB1(), "lin": LinUCB(), "ts": BetaThompson()}
    fresh = {name: S.run_policies(pol, s, LAM, cache=False)[0]
             for name, s in (("drop", price_drop(st, 2, at=30)), ("arrive", arrival(st, 2, at=30)))}
    S.run_policies(pol, st, LAM, cache=False, keep_at=30)
    resumed = []
    real_resume = S.resume
    monkeypatch.setattr(S, "resume", lambda kept, *a: resumed.append(kept.step) or real_resume(kept, *a))
    for name, s in (("drop", price_drop(st, 2, at=30)), ("arrive", arrival(st, 2, at=30)),
                    ("later drop", price_drop(st, 2, at=45))):
        tr, sec = S.run_policies(pol, s, LAM, cache=False)
        if name in fresh:
            assert all(tr[k].choice.tobytes() == fresh[name][k].choice.tobytes() for k in pol)
        assert all(v > 0 for v in sec.values())
    # the price drop at step 30 and at 45 share the first 30 steps; the arrival does not
    assert resumed == [30] * 6
    # a policy from outside routerlib is replayed from the start (its repr need not name its parameters)
    mine = type("MyUCB", (UCB1,), {"__module__": "mine", "__repr__": lambda self: "MyUCB()"})
    S.run_policies({"ucb": mine(c=1.0)}, st, LAM, cache=False, keep_at=30)
    tr, _ = S.run_policies({"ucb": mine(c=4.0)}, price_drop(st, 2, at=30), LAM, cache=False)
    assert resumed == [30] * 6
    assert tr["ucb"].choice.tobytes() == S.run_policies({"ucb": UCB1(c=4.0)}, price_drop(st, 2, at=30), LAM,
                                                        cache=False)[0]["ucb"].choice.tobytes()


def test_scenario_tables_and_aiq_table_run_end_to_end():
    rd, E = small(n=120)
    st = arrival(make_stream(rd, E, seeds=(0, 1, 2)), 2)
    traces = {"ucb1": replay(UCB1(), st, LAM), "linucb (full information)": replay(LinUCB(full_information=True), st, LAM)}
    shares, lags = scenario_tables(traces, st, 2, st.T // 2, "arrival")
    assert set(lags.policy) == set(traces) and (shares["mean"].between(0, 1)).all()
    assert (shares[shares.step <= st.T // 2]["mean"] == 0).all()  # nobody calls it before it arrives
    done = lags.dropna(subset=["lag_median"])  # a lag is a count of steps: its summary stays within the orders'
    assert ((done.lag_min >= done.window) & (done.lag_min <= done.lag_median) & (done.lag_median <= done.lag_max)
            & (done.lag_max <= st.T)).all()
    assert lags.loc[lags.adopted == 0, ["lag_median", "lag_min", "lag_max"]].isna().all().all()
    base = make_stream(rd, E, seeds=(0, 1, 2))
    tr = {"linucb": replay(LinUCB(), base, LAM)}
    per, summary = aiq_table(tr, base, LAM)
    zero = per[per.system == "zero"].aiq.to_numpy()
    oracle = per[per.system == "oracle (per lambda)"].aiq.to_numpy()
    assert (oracle >= zero - 1e-12).all()
    assert {"aiq", "aiq_minus_zero"} <= set(summary[summary.system == "linucb"].metric)
    curves = learning_curves(tr, base, LAM)
    assert curves.step.max() == base.T and set(curves.metric) >= {"quality", "regret_oracle"}
    assert (curves[curves.metric == "regret_oracle"]["mean"] >= -1e-12).all()  # nobody beats the Oracle


def test_offline_router_trained_on_the_first_70_percent():
    rd, E = small(n=100)
    st = make_stream(rd, E, seeds=(0, 1))
    c, q = offline_points("knn", st, [1e-9, 1e6])
    assert len(c) == 2 and c[0].shape == (2,)
    test = st.order[0, st.t_train:]
    # a tiny lambda picks the cheapest model, a huge one a model of best predicted quality
    assert np.isclose(c[0][0], rd.cost[test, 0].mean())
    assert q[0][1] >= q[0][0]


@pytest.mark.skipif(not SHARED_ROUTERBENCH.exists(), reason="the real rows are not on this machine")
def test_real_rows_replay():
    from routerlib.data import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rd = load(str(SHARED_ROUTERBENCH))
    st = make_stream(rd, None, seeds=(0, 1), dataset="mbpp")
    lam = lambda_grid(rd.subset("mbpp").quality, rd.subset("mbpp").cost, 4)
    tr = replay(UCB1(), st, lam)
    assert tr.choice.shape == (st.T, 2, 4) and st.m == 11
    assert (tr.quality >= 0).all() and (tr.quality <= 1).all()


def test_the_three_figures_draw_from_their_tables(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from routerlib.plots import FIGURES, draw, write_tables

    rd, E = small(n=90)
    base = make_stream(rd, E, seeds=(0, 1, 2))
    pols = {"ucb1": UCB1(), "linucb (full information)": LinUCB(full_information=True)}
    tr = {k: replay(p, base, LAM) for k, p in pols.items()}
    per, summary = aiq_table(tr, base, LAM, {"knn": offline_points("knn", base, LAM)})
    st = arrival(base, 2)
    sh, lg = scenario_tables({k: replay(p, st, LAM) for k, p in pols.items()}, st, 2, st.T // 2, "a model arrives")
    write_tables({"online_curves": learning_curves(tr, base, LAM), "online_aiq": summary, "online_scenarios": sh,
                  "online_adoption": lg}, tmp_path, {"label": "toy rows"})
    for name in ("online_curves", "online_aiq", "online_scenarios"):
        assert name in FIGURES
        assert draw(name, tmp_path, show=False).stat().st_size > 0
    assert set(pd.read_csv(tmp_path / "online_aiq.csv").system) >= {"zero", "knn", "ucb1"}


# ----- the study's cache ---------------------------------------------------------------------------
def test_run_policies_and_offline_points_are_cached_by_parameters_and_stream(tmp_path, monkeypatch):
    import routerlib.online.study as S
    from routerlib.online import UCB1, EpsilonGreedy, make_stream

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    rd, X = small(n=60)
    st = make_stream(rd, X, seeds=(0, 1), n_components=3)
    pol = {"eps": EpsilonGreedy(epsilon=0.1), "ucb": UCB1()}
    tr, sec = S.run_policies(pol, st, LAM)
    pts = S.offline_points("knn", st, LAM)
    assert len(list((tmp_path / "online").rglob("output.pkl"))) == 2
    monkeypatch.setattr(S, "replay", lambda *a, **k: pytest.fail("replayed although cached"))
    monkeypatch.setattr(S, "_make_router", lambda *a, **k: pytest.fail("trained although cached"))
    tr2, sec2 = S.run_policies({"eps": EpsilonGreedy(epsilon=0.1), "ucb": UCB1()}, st, LAM)
    assert sec2 == sec and all(np.array_equal(a, b) for k in tr for a, b in zip(tr[k], tr2[k]))
    # stored: the choices only (int16); each pick's quality and cost come from the stream again
    import joblib

    stored = [joblib.load(f) for f in (tmp_path / "online").rglob("output.pkl")]
    choices = next(v[0] for v in stored if isinstance(v, tuple) and isinstance(v[0], dict))
    assert set(choices) == {"eps", "ucb"} and all(c.dtype == np.int16 for c in choices.values())
    c2, q2 = S.offline_points("knn", st, LAM)
    assert all(np.array_equal(a, b) for a, b in zip(pts[0] + pts[1], c2 + q2))
    for other in ({"eps": EpsilonGreedy(epsilon=0.2), "ucb": UCB1()},):  # another parameter: computed
        with pytest.raises(pytest.fail.Exception, match="replayed although cached"):
            S.run_policies(other, st, LAM)
    with pytest.raises(pytest.fail.Exception, match="replayed although cached"):  # another stream
        S.run_policies(pol, make_stream(rd, X, seeds=(0, 2), n_components=3), LAM)
    with pytest.raises(pytest.fail.Exception, match="replayed although cached"):  # asked not to read it
        S.run_policies(pol, st, LAM, cache=False)


def test_a_policy_from_outside_routerlib_is_never_cached(tmp_path, monkeypatch):
    import routerlib.online.study as S
    from routerlib.online import UCB1, make_stream

    class Mine(UCB1):  # defined here: its code is not in the cache key
        pass

    Mine.__module__ = "my_package.policies"
    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    rd, X = small(n=60)
    st = make_stream(rd, X, seeds=(0,), n_components=3)
    S.run_policies({"mine": Mine()}, st, LAM)
    assert not (tmp_path / "online").exists() or not list((tmp_path / "online").rglob("output.pkl"))


def test_the_cache_key_ignores_the_projections_last_bits_but_not_the_embedding(tmp_path, monkeypatch):
    from dataclasses import replace

    import routerlib.online.study as S
    from routerlib.online import make_stream

    rd, X = small(n=60)
    st = make_stream(rd, X, seeds=(0,), n_components=3)
    nudged = replace(st, x=np.nextafter(st.x, np.inf))  # another BLAS's projection of the same embedding
    assert S._stream_key(nudged) == S._stream_key(st)
    assert S._stream_key(make_stream(rd, X + 1e-9, seeds=(0,), n_components=3)) != S._stream_key(st)
    assert S._stream_key(make_stream(rd, X, seeds=(0,), n_components=2)) != S._stream_key(st)
    bare = replace(st, embedding=None)  # no embedding to key on: the projection itself is keyed
    assert S._stream_key(replace(bare, x=nudged.x)) != S._stream_key(bare)


def test_a_policys_repr_names_its_parameters_only_before_and_after_a_run():
    """The repr is part of the study's cache key: a run must not change it (a warm run, whose first
    study comes from the cache, then asks for the scenarios with the same key as the cold run)."""
    import re

    from routerlib.online import default_policies, make_stream, replay

    rd, X = small(n=60)
    st = make_stream(rd, X, seeds=(0,), n_components=3)
    for name, p in default_policies().items():
        before = repr(p)
        replay(p, st, LAM)
        assert repr(p) == before, name
        assert not re.search(r"[(,] ?_", before) and " object at 0x" not in before, before  # no private state shown
