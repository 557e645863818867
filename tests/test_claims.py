"""The paper's statements measured (routerlib.claims): each verdict from a small hand-worked input,
and the (router, dataset) pairs left out by the protocol shown as "not run here"."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from routerlib.claims import (  # noqa: E402
    NOT_RUN,
    all_hold,
    cascade_claims_ci,
    claim_verdict,
    mark_not_run,
    not_run,
    recall_claims,
    seed_coverage,
)
from routerlib.routers.base import Router  # noqa: E402


# ----- the verdict words ----------------------------------------------------------------------
@pytest.mark.parametrize("lo, hi, threshold, side, expected", [
    (0.001, 0.01, 0.02, "below", "holds"),
    (0.01, 0.03, 0.02, "below", "within noise"),
    (0.03, 0.05, 0.02, "below", "does not hold"),
    (0.02, 0.02, 0.02, "below", "within noise"),  # touching the line is not on either side
    (0.06, 0.09, 0.05, "above", "holds"),
    (0.04, 0.06, 0.05, "above", "within noise"),
    (0.00, 0.01, 0.05, "above", "does not hold"),
    (-0.2, -0.1, 0.0, "below", "holds"),
    (np.nan, 0.1, 0.0, "below", "n/a"),
    (0.0, np.nan, 0.0, "above", "n/a"),
])
def test_claim_verdict(lo, hi, threshold, side, expected):
    assert claim_verdict(lo, hi, threshold, side) == expected


def test_claim_verdict_refuses_an_unknown_side():
    with pytest.raises(ValueError, match="side must be"):
        claim_verdict(0.0, 1.0, side="left")


@pytest.mark.parametrize("verdicts, expected", [
    (["holds", "holds"], "holds"),
    (["holds", "within noise"], "within noise"),
    (["within noise", "does not hold", "holds"], "does not hold"),
    (["holds", "n/a"], "within noise"),
    (["n/a", "n/a"], "n/a"),
    ([], "n/a"),
])
def test_all_hold(verdicts, expected):
    assert all_hold(verdicts) == expected


def test_all_hold_refuses_a_word_that_is_not_a_verdict():
    with pytest.raises(ValueError, match="not a verdict"):
        all_hold(["holds", "above"])


# ----- the cascade's statements over seeds ------------------------------------------------------
def cascade_aiq(margins: dict[str, dict[float, list[float]]], zero: float = 0.5) -> pd.DataFrame:
    """An AIQ table as ``cascade_over_seeds`` gives it: the Zero router at ``zero`` on every seed and
    dataset, each cascade at ``zero`` plus the given margin (one per seed)."""
    rows = []
    for d, by_e in margins.items():
        n = len(next(iter(by_e.values())))
        for s in range(n):
            rows.append((s, d, "", "zero", np.nan, zero))
            for e, m in by_e.items():
                rows.append((s, d, "paper", "cascade", e, zero + m[s]))
                rows.append((s, d, "public", "cascade", e, 0.0))  # another variant: never read
    return pd.DataFrame(rows, columns=["seed", "dataset", "variant", "system", "error_rate", "aiq"])


def test_cascade_claims_ci_each_verdict_from_a_constructed_table():
    aiq = cascade_aiq({
        # every margin up to 0.1 is 0.1 (> 0.05) on every seed; past 0.2 it is -0.1 on every seed
        "a": {0.0: [0.1, 0.1, 0.1], 0.1: [0.1, 0.1, 0.1], 0.4: [-0.1, -0.1, -0.1]},
        # margins scattered across the lines: mean 0.1 with sd 0.1 at e <= 0.1, mean 0 past 0.2
        "b": {0.0: [0.0, 0.1, 0.2], 0.1: [0.1, 0.1, 0.1], 0.4: [-0.1, 0.0, 0.1]},
        # the cascade barely beats the Zero router, and still beats it past 0.2
        "c": {0.0: [0.01, 0.01, 0.01], 0.1: [0.2, 0.2, 0.2], 0.4: [0.1, 0.1, 0.1]},
    })
    gaps = pd.DataFrame({"seed": [0, 1, 2] * 3, "dataset": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
                         "value": [0.0, 0.0, 0.0, 0.0, 0.02, 0.04, 0.1, 0.1, 0.1]})
    per, v = cascade_claims_ci(aiq, gaps=gaps)
    v = v.set_index("dataset")
    assert v.loc["a"].tolist()[:1] + v.loc["a", ["wide_margin_to_0.1", "falls_apart_past_0.2"]].tolist() \
        == ["holds", "holds", "holds"]
    assert v.loc["b", ["approaches_oracle", "wide_margin_to_0.1", "falls_apart_past_0.2"]].tolist() \
        == ["within noise", "within noise", "within noise"]
    assert v.loc["c", ["approaches_oracle", "wide_margin_to_0.1", "falls_apart_past_0.2"]].tolist() \
        == ["does not hold", "does not hold", "does not hold"]
    assert v.loc["b", "gap_mean"] == pytest.approx(0.02)
    assert v.loc["c", "gap_ci_low"] == pytest.approx(0.1)
    # the per-error-rate table: one row per dataset and error rate, the paper variant only
    assert len(per) == 9 and set(per.n_seeds) == {3}
    assert per.set_index(["dataset", "error_rate"]).loc[("a", 0.4), "mean"] == pytest.approx(-0.1)


def test_cascade_claims_ci_without_gaps_has_no_oracle_verdict_and_one_seed_is_not_measured():
    per, v = cascade_claims_ci(cascade_aiq({"a": {0.0: [0.1], 0.4: [-0.1]}}))
    assert "approaches_oracle" not in v.columns
    assert v.loc[0, "wide_margin_to_0.1"] == "n/a" and v.loc[0, "falls_apart_past_0.2"] == "n/a"


def test_cascade_claims_ci_with_no_error_rate_in_a_range_says_n_a():
    _, v = cascade_claims_ci(cascade_aiq({"a": {0.0: [0.1, 0.1]}}))
    assert v.loc[0, "wide_margin_to_0.1"] == "holds"
    assert v.loc[0, "falls_apart_past_0.2"] == "n/a"


# ----- model recall -------------------------------------------------------------------------------
class FakeResult:
    """What recall_claims and not_run read of a ProtocolResult: per_seed() and meta."""

    def __init__(self, per_seed: pd.DataFrame, datasets, refused=None):
        self._ps, self.meta = per_seed, {"datasets": list(datasets), "refused": dict(refused or {})}

    def per_seed(self) -> pd.DataFrame:
        return self._ps


def recall_rows(spec: dict[tuple[str, str], list[tuple[float, float]]]) -> pd.DataFrame:
    """(dataset, router) -> [(acc, acc_hard) per seed] as per_seed rows."""
    rows = []
    for (d, r), vals in spec.items():
        for s, (acc, hard) in enumerate(vals):
            rows += [(s, d, r, "acc", acc), (s, d, r, "acc_hard", hard), (s, d, r, "cost", 1.0)]
    return pd.DataFrame(rows, columns=["seed", "dataset", "router", "metric", "value"])


def test_recall_claims_each_verdict_and_a_pair_not_run():
    ps = recall_rows({
        ("a", "knn"): [(0.8, 0.5), (0.8, 0.5), (0.8, 0.5)],  # hard always 0.3 lower
        ("a", "mlp"): [(0.8, 0.7), (0.8, 0.8), (0.8, 0.9)],  # -0.1, 0, +0.1
        ("a", "svm"): [(0.5, 0.7), (0.5, 0.7), (0.5, 0.7)],  # hard higher
        ("b", "mlp"): [(0.8, 0.6), (0.8, np.nan), (0.8, 0.6)],  # one split without hard prompts
    })
    res = FakeResult(ps, ["a", "b"], {"knn/b": "knn: 8 training rows are too few for a validation split"})
    out = recall_claims(res).set_index(["dataset", "router"])
    assert out.loc[("a", "knn"), "verdict"] == "holds"
    assert out.loc[("a", "knn"), "mean"] == pytest.approx(-0.3)
    assert out.loc[("a", "mlp"), "verdict"] == "within noise"
    assert out.loc[("a", "svm"), "verdict"] == "does not hold"
    assert out.loc[("b", "mlp"), "verdict"] == "holds" and out.loc[("b", "mlp"), "n_seeds"] == 2
    assert out.loc[("b", "knn"), "verdict"] == NOT_RUN
    assert "too few" in out.loc[("b", "knn"), "reason"] and np.isnan(out.loc[("b", "knn"), "mean"])
    # dataset order of the run, then the routers' order
    assert list(out.index) == [("a", "knn"), ("a", "mlp"), ("a", "svm"), ("b", "knn"), ("b", "mlp")]


def test_recall_claims_order_holds_past_a_thousand_routers():
    """Dataset, then router, in the run's order, with more routers than a dataset-times-1000 key allows."""
    routers = [f"r{i:04d}" for i in range(1001, -1, -1)]  # given against their name order
    ps = recall_rows({(d, r): [(0.8, 0.5), (0.8, 0.6)] for d in ("a", "b") for r in (routers[0], routers[-1])})
    out = recall_claims(FakeResult(ps, ["b", "a"]), routers)
    assert list(zip(out.dataset, out.router)) == [("b", "r1001"), ("b", "r0000"), ("a", "r1001"), ("a", "r0000")]


# ----- pairs not run --------------------------------------------------------------------------------
def test_not_run_splits_keys_on_the_last_slash_and_filters_routers():
    res = FakeResult(pd.DataFrame(), ["x", "y"], {"org/model/y": "why 1", "knn/x": "why 2"})
    left = not_run(res)
    assert list(zip(left.dataset, left.router, left.status, left.reason)) == [
        ("x", "knn", NOT_RUN, "why 2"), ("y", "org/model", NOT_RUN, "why 1")]
    assert not_run(res, ["knn"]).router.tolist() == ["knn"]
    assert not_run(FakeResult(pd.DataFrame(), ["x"])).empty


def test_not_run_over_several_results_lists_each_pair_once():
    a = FakeResult(pd.DataFrame(), ["x", "y"], {"knn/y": "first"})
    b = FakeResult(pd.DataFrame(), ["x", "y"], {"knn/y": "second", "mlp/x": "other"})
    left = not_run([a, b])
    assert list(zip(left.dataset, left.router, left.reason)) == [("x", "mlp", "other"), ("y", "knn", "first")]


def test_mark_not_run_adds_a_row_per_left_out_pair():
    table = pd.DataFrame({"dataset": ["x", "y"], "router": ["knn", "mlp"], "mean": [0.1, 0.2]})
    res = FakeResult(pd.DataFrame(), ["x", "y"], {"knn/y": "too small", "svm/y": "other router"})
    out = mark_not_run(table, res)
    assert out.status.tolist() == ["run", "run", NOT_RUN]
    assert out.iloc[2][["dataset", "router", "reason"]].tolist() == ["y", "knn", "too small"]
    assert np.isnan(out.iloc[2]["mean"])
    assert mark_not_run(table, res, ["knn", "mlp", "svm"]).status.tolist().count(NOT_RUN) == 2
    assert mark_not_run(table, FakeResult(pd.DataFrame(), ["x"])).status.tolist() == ["run", "run"]


def test_seed_coverage_lists_the_readings_with_fewer_seeds():
    t = pd.DataFrame({"router": ["knn", "mlp", "svm"], "n_seeds": [3, 2, 0]})
    short = seed_coverage(t, "0,1,2")
    assert short.router.tolist() == ["mlp", "svm"] and set(short.seeds_asked) == {3}
    assert seed_coverage(t, [0]).router.tolist() == ["svm"]
    assert seed_coverage(t.iloc[:1], "0,1,2").empty


# ----- through the protocol and into the figures ---------------------------------------------------
class RefusesBeta(Router):
    """Sends every prompt to the best model of the training split; will not route dataset 'beta'."""

    def refuses(self, data):
        return "this router does not route beta" if "beta" in set(data.dataset) else None

    def fit(self, data, X=None):
        super().fit(data, X)
        self.best_ = int(np.argmax(data.quality.mean(axis=0)))
        return self

    def route(self, data, X=None):
        return np.full(data.n, self.best_)


@pytest.fixture(scope="module")
def refused_run():
    from test_protocol import make_data

    from routerlib.evaluate import RouterSpec
    from routerlib.protocol import registry_specs, run_protocol

    data, X = make_data(n_per=40)
    specs = registry_specs(["random_score"]) + [RouterSpec("picky", RefusesBeta())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_protocol(data, specs, X, seeds=(0, 1), cache=False, progress=False)


def test_a_refused_pair_is_a_not_run_row_of_the_leaderboard_and_is_drawn_as_such(refused_run, tmp_path):
    from routerlib.plots.figures import leaderboard_figure, not_run_pairs

    res = refused_run
    assert res.meta["refused"] == {"picky/beta": "this router does not route beta"}
    lb = mark_not_run(res.leaderboard(), res, res.meta["routers"])
    assert not_run_pairs(lb) == {("beta", "picky"): "this router does not route beta"}
    # round trip through the CSV the notebook writes
    lb.to_csv(tmp_path / "leaderboard.csv", index=False)
    lb = pd.read_csv(tmp_path / "leaderboard.csv")
    fig = leaderboard_figure({"leaderboard": lb}, "toy data")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert NOT_RUN in texts and "not run on every dataset" in texts
    assert any("beta: picky" in t.get_text() for t in fig.texts)
    # the other pairs are drawn: every panel has the random-score control's markers
    assert all(len(ax.collections) >= 2 for ax in fig.axes if ax.get_title())


def test_the_leaderboard_figure_refuses_a_pair_missing_without_a_not_run_row(refused_run):
    from routerlib.plots.figures import leaderboard_figure

    res = refused_run
    lb = mark_not_run(res.leaderboard(), res, res.meta["routers"])
    unmarked = lb[lb.status != NOT_RUN]  # the pair is gone and nothing says why
    with pytest.raises(ValueError, match="picky on beta"):
        leaderboard_figure({"leaderboard": unmarked}, "toy data")


def test_recall_figure_marks_the_pair_not_run(refused_run):
    from routerlib.claims import model_recall
    from routerlib.plots.figures import recall_figure

    res = refused_run
    rec = mark_not_run(model_recall(res), res, res.meta["routers"])
    fig = recall_figure({"model_recall": rec}, "toy data")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts == [NOT_RUN]
    assert any("reasons are in model_recall.csv" in t.get_text() for t in fig.texts)
    claims = recall_claims(res, ["picky", "random_score"]).set_index(["dataset", "router"])
    assert claims.loc[("beta", "picky"), "verdict"] == NOT_RUN
    assert claims.loc[("alpha", "picky"), "verdict"] in {"holds", "within noise", "does not hold", "n/a"}


# ----- Figure 3 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("oracle_cost, expected", [(0.5, "holds"), (1.0, "holds"), (6.0, "does not hold")])
def test_oracle_vs_best(oracle_cost, expected):
    from routerlib.claims import oracle_vs_best

    # A is the most accurate model; B the dear one that is right where A is wrong
    p = pd.DataFrame({"paper_name": ["A", "B", "Oracle"], "accuracy": [0.9, 0.5, 0.95],
                      "total_cost": [1.0, 100.0, oracle_cost]})
    out = oracle_vs_best(p).iloc[0]
    assert out.best_model == "A" and out.verdict == expected
    assert out.cost_difference == pytest.approx(oracle_cost - 1.0)


# ----- studies cached on disk ----------------------------------------------------------------------
def test_the_judge_and_cascade_studies_are_cached_by_data_seeds_and_arguments(tmp_path, monkeypatch):
    """A second call reads the stored tables (nothing is fitted); other data, seeds or arguments compute again."""
    import routerlib.claims as C
    import routerlib.protocol as P
    from routerlib.data import simulate_routerbench

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    rd = simulate_routerbench(seed=0, scale=0.05)
    judge = C.agreement_judge(rd, (0, 1))
    cascade = P.cascade_over_seeds(rd, ["mmlu", "gsm8k"], (0, 1))
    with monkeypatch.context() as m:
        m.setattr("routerlib.routers.AgreementRouter.fit", lambda *a, **k: pytest.fail("the judge was fitted"))
        m.setattr(P, "evaluate_cascade", lambda *a, **k: pytest.fail("the cascade was evaluated"))
        for got, want in zip(C.agreement_judge(rd, "0,1"), judge):
            pd.testing.assert_frame_equal(got, want)
        pd.testing.assert_frame_equal(P.cascade_over_seeds(rd, ("mmlu", "gsm8k"), "0,1"), cascade)
    assert len(list((tmp_path / "judge").rglob("output.pkl"))) == 1
    assert len(list((tmp_path / "cascade").rglob("output.pkl"))) == 1
    other = rd.select(np.arange(rd.n) != 0)  # one prompt fewer
    C.agreement_judge(other, (0, 1))
    C.agreement_judge(rd, (0,))
    P.cascade_over_seeds(rd, ["mmlu", "gsm8k"], (0, 1), error_rates=[0.0])
    assert len(list((tmp_path / "judge").rglob("output.pkl"))) == 3
    assert len(list((tmp_path / "cascade").rglob("output.pkl"))) == 2
    with pytest.raises(ValueError, match="datasets='mmlu' is one string"):
        P.cascade_over_seeds(rd, "mmlu", (0,))
