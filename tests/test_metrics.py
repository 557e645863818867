"""The follow-up benchmark's metrics and the statistics over seeds, on hand-worked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from routerlib.metrics import followup as F
from routerlib.metrics.stats import mean_ci, paired_differences, summarize, verdict


def test_accuracy_readings_by_hand():
    acc, bs, oracle, rnd = [0.6, 0.9], [0.5, 0.9], [0.8, 1.0], [0.4, 0.6]
    assert F.avg_acc(acc) == pytest.approx(0.75)
    assert F.avg_acc(acc, n=[300, 100]) == pytest.approx((0.6 * 300 + 0.9 * 100) / 400)
    ratio, mean = F.ratio_readings(acc, bs, "gain")
    assert ratio == pytest.approx(0.75 / 0.7 - 1) and mean == pytest.approx((0.2 + 0.0) / 2)
    ratio, mean = F.ratio_readings(acc, oracle, "gap")
    assert ratio == pytest.approx(1 - 0.75 / 0.9) and mean == pytest.approx((0.25 + 0.1) / 2)
    assert F.gain(0.75, np.mean(rnd)) == pytest.approx(0.5)


def test_cost_setting_by_hand():
    cost, acc = [1.0, 3.0, 6.0], [0.55, 0.72, 0.80]
    assert F.perf_gain(acc, 0.64) == pytest.approx(0.25)
    assert F.cost_save(cost, acc, acc_bs=0.70, cost_bs=4.0) == (pytest.approx(0.25), "")
    v, why = F.cost_save(cost, acc, acc_bs=0.79, cost_bs=4.0)
    assert v == pytest.approx(-0.5) and why == ""  # reaching the Best Single costs more than it: negative
    v, why = F.cost_save(cost, acc, acc_bs=0.9, cost_bs=4.0)
    assert np.isnan(v) and "no configuration reaches" in why


def test_pareto_distance_by_hand():
    # all points: costs 1, 10, 100 -> x = 0, 0.5, 1; the frontier is (0, 0.5), (1, 0.9)
    all_c, all_q = [1.0, 10.0, 100.0, 10.0], [0.5, 0.4, 0.9, 0.5]
    assert F.pareto_front(np.array(all_c), np.array(all_q)).tolist() == [True, False, True, False]
    # the point (x 0.5, q 0.4): nearest frontier point (0, 0.5) at sqrt(0.25 + 0.01)
    assert F.pareto_distance([10.0], [0.4], all_c, all_q) == pytest.approx(np.sqrt(0.26))
    assert F.pareto_distance([1.0, 100.0], [0.5, 0.9], all_c, all_q) == 0.0


def test_model_recall_masks():
    q = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [0, 0, 0, 0, 0], [0.6, 0.4, 0, 0, 0]])
    hard, none = F.recall_masks(q)
    assert hard.tolist() == [False, True, False, False, True]
    assert none.tolist() == [False, False, False, True, False]


def test_apgr_and_cpt_by_hand():
    # weak 0.6, strong 1.0; the router reaches 0.8 at 20% strong calls and 0.9 at 50%
    shares, quality = [0.2, 0.5], [0.8, 0.9]
    x, p = F.pgr_curve(shares, quality, 0.6, 1.0)
    assert x.tolist() == [0.0, 0.2, 0.5, 1.0] and np.allclose(p, [0, 0.5, 0.75, 1])
    # trapezoids: 0.2 * 0.25 + 0.3 * 0.625 + 0.5 * 0.875
    assert F.apgr(shares, quality, 0.6, 1.0) == pytest.approx(0.05 + 0.1875 + 0.4375)
    assert F.cpt(shares, quality, 0.6, 1.0, 0.5) == pytest.approx(0.2)
    assert F.cpt(shares, quality, 0.6, 1.0, 0.8) == pytest.approx(0.5 + 0.05 / 0.25 * 0.5)
    # a random router (quality linear in the share) has APGR 0.5
    assert F.apgr(np.linspace(0, 1, 11), 0.6 + 0.4 * np.linspace(0, 1, 11), 0.6, 1.0) == pytest.approx(0.5)


def test_intervals_against_scipy():
    v = np.array([0.010, 0.004, 0.008, 0.002, 0.006])
    r = mean_ci(v)
    lo, hi = stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
    assert (r.ci_low_naive, r.ci_high_naive) == (pytest.approx(lo), pytest.approx(hi))
    # the corrected interval is wider by sqrt((1/n + 0.3/0.7) / (1/n))
    assert (r.ci_high - r.mean) / (r.ci_high_naive - r.mean) == pytest.approx(np.sqrt((0.2 + 3 / 7) / 0.2))
    assert mean_ci([0.5]).n == 1 and np.isnan(mean_ci([0.5]).ci_low)
    assert verdict(r.ci_low, r.ci_high) == "within noise" and verdict(r.ci_low_naive, r.ci_high_naive) == "above"


def test_summarize_and_paired_differences():
    ps = pd.DataFrame({"seed": [0, 1, 0, 1], "dataset": "d", "router": ["zero", "zero", "r", "r"], "metric": "aiq",
                       "value": [0.70, 0.72, 0.73, 0.74]})
    diff = paired_differences(ps, ["aiq"])
    assert diff.metric.unique().tolist() == ["aiq_minus_zero"] and np.allclose(diff.value, [0.03, 0.02])
    s = summarize(pd.concat([ps, diff]))
    row = s[s.metric == "aiq_minus_zero"].iloc[0]
    assert row["mean"] == pytest.approx(0.025) and row.n_seeds == 2
