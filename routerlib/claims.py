"""The paper's statements, measured against our results: what the notebooks print and check.

Each function takes results (tables of :mod:`routerlib.evaluate` and :mod:`routerlib.metrics`)
and returns a table that sets the paper's number or verdict beside ours; the ``check_*``
functions assert what must hold on any data and raise ``AssertionError`` when it does not.

* :func:`table1_comparison`, :func:`table1_summary` -- Table 1 (per model and Oracle, quality and cost)
* :func:`oracle_vs_best` -- Figure 3: the Oracle against the most accurate model, in cost
* :func:`predictive_vs_paper_ci`, :func:`average_aiq_vs_paper`, :func:`selection_vs_paper` -- section 5.3
  on KNN and MLP against the Zero router (Figure 4) and Appendix B's best configurations
* :func:`claim_verdict`, :func:`all_hold` -- the words a measured statement is reported in:
  *holds*, *within noise*, *does not hold* (or *n/a* when nothing was measured)
* :func:`not_run`, :func:`mark_not_run` -- the (router, dataset) pairs the protocol left out, as
  rows marked "not run here" with the reason, so tables and figures show them
* :func:`cascade_claims`, :func:`cascade_claims_ci`, :func:`cascade_oracle_gaps`, :func:`check_cascade`
  -- section 5.3 on the cascade (Figures 5 and 8), on one split and over seeds
* :func:`check_router_result` -- what any router evaluation must satisfy (Figures 4, 6, 9)
* :func:`model_recall`, :func:`recall_claims` -- the follow-up's model-recall failure: accuracy on
  the prompts 1-3 models solve, and whether each learned router is less accurate there
* :func:`seed_coverage` -- how many seeds each reading of a comparison rests on, against the run's
* :func:`against_controls` -- each router against its random-score control (the bar a learned
  router must clear: beating a sweep that learns nothing)
* :func:`agreement_judge` -- the answer-agreement judge's measured error, placed on the paper's
  error-rate grid (Figures 5 and 8)
* :func:`rag_routing` -- section 5.4: who answers time-sensitive and timeless RAG queries (Figure 6)
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .data import online_models, time_sensitive
from .evaluate import evaluate_cascade, param_str
from .memo import disk_cache, inputs_key
from .metrics import aiq_wide, full_size_summary, summarize
from .paper import PAPER_AIQ, PAPER_BEST, PAPER_PREDICTIVE_VS_ZERO, short_name, table1_frame

__all__ = ["WIDE_MARGIN", "ORACLE_GAP", "VERDICTS", "NOT_RUN", "claim_verdict", "all_hold", "not_run", "mark_not_run",
           "cascade_oracle_gaps", "recall_claims", "seed_coverage", "oracle_vs_best", "table1_comparison",
           "table1_summary", "average_aiq_vs_paper", "selection_vs_paper", "cascade_claims", "check_cascade",
           "check_router_result", "cascade_aiq_wide", "cascade_report", "predictive_vs_paper_ci", "cascade_claims_ci",
           "model_recall", "routing_shares", "rag_routing"]

#: what "a significant margin" over the Zero router is taken to mean in the cascade checks (AIQ units)
WIDE_MARGIN = 0.05
#: "the zero-error cascade reaches the Oracle": its quality at the largest cap within this much of the Oracle's
ORACLE_GAP = 0.02
#: what a measured statement can be: its interval on the stated side, across the line, on the other side, unmeasured
VERDICTS = ("holds", "within noise", "does not hold", "n/a")
#: the status of a (router, dataset) pair the protocol left out (``ProtocolResult.meta["refused"]``)
NOT_RUN = "not run here"


# ----- verdicts -----------------------------------------------------------------------------
def claim_verdict(ci_low: float, ci_high: float, threshold: float = 0.0, side: str = "below") -> str:
    """A statement "the value is ``side`` ``threshold``" judged by an interval of the value.

    *holds* when the whole interval is on the stated side of ``threshold``, *does not hold* when it
    is wholly on the other side, *within noise* when it straddles (or touches) it, *n/a* when the
    interval is not known (one seed, nothing measured). An interval of zero width (every seed gave
    the same value) is judged like a number.

    >>> claim_verdict(0.001, 0.01, 0.02), claim_verdict(0.01, 0.03, 0.02), claim_verdict(0.03, 0.05, 0.02)
    ('holds', 'within noise', 'does not hold')
    >>> claim_verdict(0.06, 0.09, 0.05, side="above"), claim_verdict(float("nan"), 0.1)
    ('holds', 'n/a')
    """
    if side not in ("below", "above"):
        raise ValueError(f"side must be 'below' or 'above'; got {side!r}")
    if np.isnan(ci_low) or np.isnan(ci_high):
        return "n/a"
    lo, hi, t = (ci_low, ci_high, threshold) if side == "above" else (-ci_high, -ci_low, -threshold)
    if lo > t:
        return "holds"
    if hi < t:
        return "does not hold"
    return "within noise"


def all_hold(verdicts) -> str:
    """A statement about every item (every error rate, every dataset) from the items' verdicts:
    *does not hold* when one does not, *holds* when every one holds, *n/a* when none was measured
    (or there is none), else *within noise* (an unmeasured item keeps it from holding).

    >>> all_hold(["holds", "holds"]), all_hold(["holds", "within noise"]), all_hold(["holds", "does not hold"])
    ('holds', 'within noise', 'does not hold')
    >>> all_hold([]), all_hold(["n/a"]), all_hold(["holds", "n/a"])
    ('n/a', 'n/a', 'within noise')
    """
    v = list(verdicts)
    unknown = set(v) - set(VERDICTS)
    if unknown:
        raise ValueError(f"not a verdict: {sorted(unknown)}; verdicts are {VERDICTS}")
    if "does not hold" in v:
        return "does not hold"
    if not v or all(x == "n/a" for x in v):
        return "n/a"
    return "holds" if all(x == "holds" for x in v) else "within noise"


# ----- pairs the protocol left out ----------------------------------------------------------------
def not_run(res, routers=None) -> pd.DataFrame:
    """The (router, dataset) pairs of a :class:`routerlib.protocol.ProtocolResult` that the protocol
    left out (``meta["refused"]``, keys ``"router/dataset"``), in the run's dataset order.

    ``res`` may also be a list of results of the same data (e.g. one per embedder): a pair left out
    of any of them is listed once (with the first reason given).

    Returns
    -------
    DataFrame with columns dataset, router, status (:data:`NOT_RUN`), reason; only routers in
    ``routers`` when given
    """
    results = list(res) if isinstance(res, (list, tuple)) else [res]
    refused = {}
    for r in results:
        for key, why in r.meta.get("refused", {}).items():
            refused.setdefault(key, why)
    rows = []
    for key, why in refused.items():
        router, dataset = key.rsplit("/", 1)
        if routers is None or router in set(routers):
            rows.append((dataset, router, NOT_RUN, str(why)))
    out = pd.DataFrame(rows, columns=["dataset", "router", "status", "reason"])
    order = {d: i for i, d in enumerate(dict.fromkeys(d for r in results for d in r.meta.get("datasets", [])))}
    return out.iloc[np.argsort(out.dataset.map(order).fillna(len(order)).to_numpy(), kind="stable")].reset_index(drop=True)


def mark_not_run(table: pd.DataFrame, res, routers=None) -> pd.DataFrame:
    """``table`` (one row per reading, with columns dataset and router) with a ``status`` column
    (``"run"``) and a ``reason`` column, followed by one row per pair the protocol left out
    (:func:`not_run`; its other columns empty), so a CSV says what was not run and why.

    ``routers``: the routers the table is about (default: those in ``table``).
    """
    routers = list(dict.fromkeys(table["router"])) if routers is None else list(routers)
    left = not_run(res, routers)
    out = table.assign(status="run", reason="")
    if left.empty:
        return out
    return pd.concat([out, left], ignore_index=True)


# ----- Table 1 ------------------------------------------------------------------------------
def table1_comparison(data, seed: int = 0) -> pd.DataFrame:
    """Per dataset and model (and the Oracle): ours on the 30% test split and the whole data beside Table 1.

    Columns dataset, model, quality_test, cost_test (scaled to the full dataset, see
    :func:`~routerlib.metrics.full_size_summary`), n, quality_all, cost_all, paper_name,
    quality_paper, cost_paper, d_quality_test, d_quality_all, cost_ratio (test / paper).
    """
    _, test = data.split(seed=seed)
    ours = full_size_summary(test, data).rename(columns={"quality": "quality_test", "total_cost": "cost_test"})
    whole = data.summary().rename(columns={"quality": "quality_all", "total_cost": "cost_all"})
    paper = table1_frame().rename(columns={"quality": "quality_paper", "total_cost": "cost_paper"})
    t1 = ours.merge(whole[["dataset", "model", "quality_all", "cost_all"]], on=["dataset", "model"])
    t1 = t1.merge(paper, on=["dataset", "model"], how="left")
    t1["paper_name"] = [short_name(m) if m != "oracle" else "Oracle" for m in t1.model]
    t1["d_quality_test"] = t1.quality_test - t1.quality_paper
    t1["d_quality_all"] = t1.quality_all - t1.quality_paper
    t1["cost_ratio"] = t1.cost_test / t1.cost_paper
    return t1


def table1_summary(t1: pd.DataFrame) -> pd.DataFrame:
    """Per dataset: the largest |quality difference| (test, whole data), the median cost ratio,
    and the Oracle's quality and cost beside Table 1's; asserts the Oracle beats every model."""
    models = t1[t1.model != "oracle"]
    orc = t1[t1.model == "oracle"].set_index("dataset")
    best = models.groupby("dataset").quality_test.max()
    assert (orc.quality_test >= best.reindex(orc.index) - 1e-12).all(), "the Oracle must beat every model"
    out = pd.DataFrame({
        "max_abs_dq_test": models.groupby("dataset").d_quality_test.apply(lambda s: s.abs().max()),
        "max_abs_dq_all": models.groupby("dataset").d_quality_all.apply(lambda s: s.abs().max()),
        "median_cost_ratio": models.groupby("dataset").cost_ratio.median(),
    })
    return out.join(orc[["quality_test", "quality_paper", "cost_test", "cost_paper"]].add_prefix("oracle_"))


# ----- Figure 3 -----------------------------------------------------------------------------
def oracle_vs_best(points: pd.DataFrame) -> pd.DataFrame:
    """Figure 3's reading, measured: the Oracle is at least as accurate as the best single model
    (true on any data: it takes the best answer per prompt) and costs no more than it (an
    empirical statement: where the best model is wrong the Oracle may pay a dearer model).

    ``points``: rows with columns paper_name, accuracy, total_cost, one of them ``"Oracle"`` (the
    left panel of :func:`routerlib.metrics.oracle_selection`). One number each, over all prompts,
    so the verdict is *holds* or *does not hold* (:func:`claim_verdict` of a point).

    >>> p = pd.DataFrame({"paper_name": ["A", "B", "Oracle"], "accuracy": [0.9, 0.5, 0.95],
    ...                   "total_cost": [1.0, 100.0, 6.0]})
    >>> oracle_vs_best(p)[["best_model", "cost_difference", "verdict"]].values.tolist()
    [['A', 5.0, 'does not hold']]
    """
    p = points.set_index("paper_name")
    o, models = p.loc["Oracle"], p.drop(index="Oracle")
    best = models.accuracy.idxmax()
    diff = float(o.total_cost - models.loc[best, "total_cost"])
    return pd.DataFrame([{"claim": "the Oracle costs no more than the most accurate model", "best_model": best,
                          "oracle_accuracy": float(o.accuracy), "best_accuracy": float(models.accuracy.max()),
                          "oracle_cost": float(o.total_cost), "best_cost": float(models.loc[best, "total_cost"]),
                          "cost_difference": diff, "verdict": claim_verdict(diff, diff, 1e-9, "below")}])


# ----- Figure 4 -----------------------------------------------------------------------------
_PAPER_TO_VERDICT = {"above": "above", "comparable": "within noise", "below": "below"}


def predictive_vs_paper_ci(leaderboard: pd.DataFrame, routers=("knn", "mlp"), metric: str = "aiq_minus_zero",
                           view: str = "stored") -> pd.DataFrame:
    """Section 5.3's verdict per dataset beside ours from the seeds: the 95% CI of the paired
    difference to the Zero router (``metric``) above 0, below 0, or within noise.

    The paper's "comparable" is read as "within noise".
    """
    lb = leaderboard[(leaderboard.metric == metric) & leaderboard.router.isin(routers) & (leaderboard.dataset != "all")]
    rows = [(view, r.dataset, r.router, PAPER_PREDICTIVE_VS_ZERO.get(r.dataset, "n/a"), r.mean, r.ci_low, r.ci_high,
             r.verdict) for r in lb.itertuples()]
    cmp = pd.DataFrame(rows, columns=["view", "dataset", "router", "paper", "ours: mean", "ci_low", "ci_high", "ours"])
    cmp["agrees"] = cmp["paper"].map(_PAPER_TO_VERDICT) == cmp["ours"]
    return cmp


def average_aiq_vs_paper(aiq_by_view: Mapping[str, pd.DataFrame], order=("zero", "knn", "mlp", "svm")) -> pd.DataFrame:
    """Average AIQ over the datasets present (paper convention) per view, beside the paper's 0.773 / 0.769 / 0.763.

    The average is over the datasets where KNN, MLP and the Zero router all have an AIQ, so the
    three are averaged alike when a router was left out of a dataset; the column name says how many
    datasets that is (``"<view> (k of n datasets)"``).
    """
    avg = {}
    for v, a in aiq_by_view.items():
        w = aiq_wide(a, "aiq", list(order)).drop(index="average").reindex(columns=["knn", "mlp", "zero"])
        common = w.dropna()
        avg[f"{v} ({len(common)} of {len(w)} datasets)"] = common.mean()
    avg = pd.DataFrame(avg)
    avg["paper (6 datasets)"] = [PAPER_AIQ["knn"], PAPER_AIQ["mlp"], PAPER_AIQ["zero"]]
    return avg


def selection_vs_paper(selected_by_view: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The configuration chosen on each training split beside Appendix B's best."""
    sel = pd.concat([s.assign(view=v) for v, s in selected_by_view.items()], ignore_index=True)
    sel["paper best"] = [param_str(PAPER_BEST.get(r, {})) for r in sel["router"]]
    sel["agrees"] = sel["params"] == sel["paper best"]
    return sel[["view", "dataset", "router", "params", "paper best", "agrees"]]


def check_router_result(res, routers=()) -> None:
    """Assert what every router evaluation must satisfy: the Oracle beats every model and every
    router's hull (AIQ <= the Oracle's quality); every AIQ lies in [0, 1]; the lowest knob value
    of a willingness-to-pay sweep sends every prompt to one model."""
    a = res.aiq
    assert a["aiq"].between(0, 1).all() and a["aiq_public"].between(0, 1).all(), "AIQ outside [0, 1]"
    for d, o in res.oracle.set_index("dataset").iterrows():
        mp = res.models[res.models["dataset"] == d]
        assert o["quality"] >= mp["quality"].max() - 1e-12, d
        assert a[a["dataset"] == d]["aiq"].max() <= o["quality"] + 1e-9, d
        for r in routers:
            s = res.sweeps[(res.sweeps["dataset"] == d) & (res.sweeps["router"] == r)]
            if len(s) and (s["knob"] == "willingness_to_pay").all():
                assert np.isclose(mp["cost"].to_numpy(), s["cost"].iloc[0], rtol=1e-9).any(), (d, r)


# ----- Figures 5 and 8 ----------------------------------------------------------------------
def _aiq_of(aiq: pd.DataFrame, dataset: str, system: str, variant: str = "", error_rate=None, col: str = "aiq"):
    sel = (aiq.dataset == dataset) & (aiq.system == system)
    if system == "cascade":
        sel &= (aiq.variant == variant) & np.isclose(aiq.error_rate, error_rate)
    return float(aiq.loc[sel, col].iloc[0])


def cascade_aiq_wide(study, col: str = "aiq") -> pd.DataFrame:
    """AIQ table for printing: one row per system (Zero router, Oracle, cascade per variant and
    error rate), one column per dataset, plus their mean."""
    a = study.aiq.copy()
    a["system_label"] = ["Zero router" if r.system == "zero" else "Oracle" if r.system == "oracle"
                         else f"cascade {r.variant} e={r.error_rate:g}" for r in a.itertuples()]
    order = list(dict.fromkeys(a.sort_values(["variant", "error_rate"], na_position="first").system_label))
    w = a.pivot(index="system_label", columns="dataset", values=col)
    w = w.reindex(index=order, columns=[d for d in study.datasets if d in w.columns])
    w["mean"] = w.mean(axis=1)
    w.index.name = col
    return w


def cascade_report(study) -> str:
    """What notebooks 06 and 07 print: the AIQ per system and error rate in both conventions,
    then :func:`cascade_claims` (one column per dataset)."""
    if not study.datasets:
        return "no dataset of this figure in the data: " + ", ".join(study.skipped)
    with pd.option_context("display.width", 200, "display.max_columns", 40):
        return "\n\n".join([
            "AIQ, paper convention:\n" + cascade_aiq_wide(study).round(3).to_string(),
            "AIQ, public code's convention:\n" + cascade_aiq_wide(study, "aiq_public").round(3).to_string(),
            "the paper's statements (paper variant):\n"
            + cascade_claims(study).set_index("dataset").T.to_string(float_format=lambda x: f"{x:.3f}")])


def cascade_claims(study, variant: str = "paper", margin: float = WIDE_MARGIN) -> pd.DataFrame:
    """The statements of section 5.3 on cascades, per dataset, measured.

    Columns: dataset, top_quality_e0 (zero-error cascade at the largest cap), oracle,
    gap_to_oracle, aiq_zero, aiq_e0, then per error rate ``margin_<e>`` = cascade AIQ minus Zero
    router AIQ (paper convention), and the three verdicts: ``approaches_oracle`` (gap < 0.02),
    ``wide_margin_to_0.1`` (every margin for e <= 0.1 exceeds ``margin``),
    ``falls_apart_past_0.2`` (every cascade with e > 0.2 has AIQ below the Zero router).
    """
    rows = []
    for d in study.datasets:
        s = study.sweep[(study.sweep.dataset == d) & (study.sweep.variant == variant)]
        e0 = s[s.error_rate == 0].sort_values("cap")
        o = study.points[(study.points.dataset == d) & (study.points.system == "oracle")].iloc[0]
        zero = _aiq_of(study.aiq, d, "zero")
        row = {"dataset": d, "top_quality_e0": float(e0.quality.iloc[-1]), "oracle": float(o.quality),
               "gap_to_oracle": float(o.quality - e0.quality.iloc[-1]), "aiq_zero": zero,
               "aiq_e0": _aiq_of(study.aiq, d, "cascade", variant, 0.0)}
        margins = {}
        for e in sorted(s.error_rate.unique()):
            margins[e] = _aiq_of(study.aiq, d, "cascade", variant, e) - zero
            row[f"margin_{e:g}"] = margins[e]
        row["approaches_oracle"] = row["gap_to_oracle"] < 0.02
        row["wide_margin_to_0.1"] = all(v > margin for e, v in margins.items() if e <= 0.1)
        row["falls_apart_past_0.2"] = all(v < 0 for e, v in margins.items() if e > 0.2)
        rows.append(row)
    return pd.DataFrame(rows)


def cascade_oracle_gaps(data, datasets, seeds, variant: str = "paper") -> pd.DataFrame:
    """Per seed and dataset, how far the zero-error cascade at its largest cap stays below the
    Oracle's quality on that seed's test split (the statement "it reaches the Oracle").

    Returns
    -------
    DataFrame with columns seed, dataset, oracle, top_quality_e0, value (Oracle minus the cascade)
    """
    from .protocol import parse_seeds

    rows = []
    for s in parse_seeds(seeds):
        st = evaluate_cascade(data, list(datasets), seed=s, error_rates=[0.0], variants=[variant])
        for d in st.datasets:
            e0 = st.sweep[st.sweep.dataset == d].sort_values("cap")
            o = float(st.points[(st.points.dataset == d) & (st.points.system == "oracle")].quality.iloc[0])
            top = float(e0.quality.iloc[-1])
            rows.append((s, d, o, top, o - top))
    return pd.DataFrame(rows, columns=["seed", "dataset", "oracle", "top_quality_e0", "value"])


def cascade_claims_ci(aiq_seeds: pd.DataFrame, variant: str = "paper", margin: float = WIDE_MARGIN,
                      level: float = 0.95, gaps: pd.DataFrame | None = None,
                      gap: float = ORACLE_GAP) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Section 5.3's cascade statements judged with intervals over seeds (:func:`claim_verdict`).

    ``aiq_seeds``: :func:`routerlib.protocol.cascade_over_seeds`. Per dataset and error rate, the
    paired difference cascade - Zero router (paper convention) with its CI; then per dataset the
    verdicts: ``wide_margin_to_0.1`` *holds* when for every error rate up to 0.1 the CI lies above
    ``margin``, *does not hold* when for one of them it lies below, else *within noise*;
    ``falls_apart_past_0.2`` *holds* when every cascade above 0.2 has its CI below 0, *does not
    hold* when one has it above 0, else *within noise*. With ``gaps``
    (:func:`cascade_oracle_gaps`), also ``approaches_oracle``: the Oracle's quality minus the
    zero-error cascade's at its largest cap, *holds* when its CI lies below ``gap``, with the
    gap's mean and CI (``gap_mean``, ``gap_ci_low``, ``gap_ci_high``).

    Returns
    -------
    (per error rate: dataset, error_rate, mean, ci_low, ci_high, n_seeds;
     per dataset: dataset, [approaches_oracle, gap_mean, gap_ci_low, gap_ci_high,]
     wide_margin_to_0.1, falls_apart_past_0.2)
    """
    a = aiq_seeds[(aiq_seeds.system.isin(["zero", "cascade"])) & (aiq_seeds.variant.isin(["", variant]))]
    zero = a[a.system == "zero"].set_index(["seed", "dataset"]).aiq
    c = a[a.system == "cascade"].copy()
    c["value"] = c.aiq.to_numpy() - zero.reindex(pd.MultiIndex.from_frame(c[["seed", "dataset"]])).to_numpy()
    per = summarize(c, ("dataset", "error_rate"), level=level)

    rows = []
    for d, g in per.groupby("dataset", sort=False):
        low, high = g[g.error_rate <= 0.1], g[g.error_rate > 0.2]
        rows.append({"dataset": d,
                     "wide_margin_to_0.1": all_hold(claim_verdict(r.ci_low, r.ci_high, margin, "above")
                                                    for r in low.itertuples()),
                     "falls_apart_past_0.2": all_hold(claim_verdict(r.ci_low, r.ci_high, 0.0, "below")
                                                      for r in high.itertuples())})
    verdicts = pd.DataFrame(rows, columns=["dataset", "wide_margin_to_0.1", "falls_apart_past_0.2"])
    if gaps is not None:
        gs = summarize(gaps, ("dataset",), level=level).set_index("dataset").reindex(verdicts.dataset)
        verdicts.insert(1, "approaches_oracle", [claim_verdict(lo, hi, gap, "below")
                                                 for lo, hi in zip(gs.ci_low, gs.ci_high)])
        for k, col in enumerate(("mean", "ci_low", "ci_high"), start=2):
            verdicts.insert(k, f"gap_{col}", gs[col].to_numpy())
    return per, verdicts


def check_cascade(study, data, seed: int = 0) -> list[str]:
    """Assert what must hold on every data, and return one summary line per dataset.

    * the Oracle is at least as good as every model (test split);
    * every AIQ, in both conventions, lies in [0, 1];
    * on binary scores, the zero-error cascade at the largest cap has exactly the Oracle's
      quality (both variants: it stops at the first right answer, or ends wrong when no model
      is right);
    * error rate 0 gives the same sweep whatever the seed of the judge's draws.
    """
    lines = []
    checks = cascade_claims(study).set_index("dataset") if study.datasets else None
    for d in study.datasets:
        _, te = data.subset(d).split(seed)
        s = study.sweep[study.sweep.dataset == d]
        a = study.aiq[study.aiq.dataset == d]
        oracle_q = te.quality.max(axis=1).mean()
        assert oracle_q >= te.quality.mean(axis=0).max() - 1e-12, d
        assert ((a.aiq >= 0) & (a.aiq <= 1) & (a.aiq_public >= 0) & (a.aiq_public <= 1)).all(), d
        if np.isin(te.quality, [0.0, 1.0]).all():
            for v in s.variant.unique():
                top = s[(s.variant == v) & (s.error_rate == 0)].sort_values("cap").quality.iloc[-1]
                assert abs(top - oracle_q) < 1e-12, (d, v, top, oracle_q)
        e0 = [evaluate_cascade(data.subset(d), [d], seed=seed, judge_seed=k, error_rates=[0.0], variants=["paper"])
              .sweep[["cap", "cost", "quality"]].to_numpy() for k in (seed, seed + 1)]
        assert np.array_equal(*e0), d
        r = checks.loc[d]
        lines.append(
            f"{d}: Oracle {oracle_q:.3f}; Zero AIQ {r.aiq_zero:.3f}; cascade AIQ e=0 {r.aiq_e0:.3f}, "
            f"e=0.1 {r.aiq_zero + r['margin_0.1']:.3f}, e=0.2 {r.aiq_zero + r['margin_0.2']:.3f}, "
            f"e=0.4 {r.aiq_zero + r['margin_0.4']:.3f} | approaches Oracle: {r.approaches_oracle}, "
            f"wide margin up to 0.1: {r['wide_margin_to_0.1']}, falls apart past 0.2: {r['falls_apart_past_0.2']}")
    return lines


# ----- model recall (the follow-up's mechanism 2) ---------------------------------------------
def model_recall(res, reference_model: str = "gpt-4-1106-preview", level: float = 0.95) -> pd.DataFrame:
    """Accuracy on the hard prompts (1-3 models right) against accuracy on all prompts, per router.

    ``res``: a :class:`routerlib.protocol.ProtocolResult`. Beside the routers: the reference model
    alone (GPT-4 by default, or the Best Single when absent), the Best Single and the Oracle
    (1 by definition). One row per (dataset, system) with mean and CI over seeds of ``acc`` and
    ``acc_hard``, and the mean share of hard and of no-model-right prompts in the test split.
    """
    ps = res.per_seed()
    # the Zero router's performance configuration is the Best Single; the hindsight Best Single has no hard-prompt number
    ps = ps[ps.metric.isin(["acc", "acc_hard"]) & (ps.dataset != "all")
            & ~ps.router.isin(["zero", "best_single (test hindsight)"])]
    m = res.models
    ref = reference_model if reference_model in set(m.model) else None
    if ref is not None:
        mm = m[m.model == ref]
        extra = pd.concat([mm.assign(metric="acc", value=mm.quality), mm.assign(metric="acc_hard", value=mm.quality_hard)])
        ps = pd.concat([ps, extra.assign(router=f"{ref} alone")[["seed", "dataset", "router", "metric", "value"]]])
    out = summarize(ps, ("dataset", "router", "metric"), level=level)
    wide = out.pivot_table(index=["dataset", "router"], columns="metric", values=["mean", "ci_low", "ci_high"])
    wide.columns = [f"{metric}{'' if stat == 'mean' else '_' + stat}" for stat, metric in wide.columns]
    shares = res.refs.assign(share_hard=res.refs.n_hard / res.refs.n_test, share_none=res.refs.n_none / res.refs.n_test)
    shares = shares.groupby("dataset")[["share_hard", "share_none"]].mean()
    wide = wide.reset_index().merge(shares.reset_index(), on="dataset", how="left")
    order = {d: i for i, d in enumerate(res.meta["datasets"])}
    return wide.iloc[np.argsort(wide.dataset.map(order).to_numpy(), kind="stable")].reset_index(drop=True)


def recall_claims(res, routers=("knn", "mlp", "svm"), level: float = 0.95) -> pd.DataFrame:
    """The follow-up's statement "a learned router is less accurate on the hard prompts (1-3 models
    right) than on all prompts", per dataset and router, measured over seeds.

    ``res``: a :class:`routerlib.protocol.ProtocolResult`. Per seed, the performance
    configuration's accuracy on the hard test prompts minus its accuracy on all of them (NaN when a
    split has no hard prompt: not counted in ``n_seeds``); the mean and interval over seeds; the
    verdict (:func:`claim_verdict`, *holds* when the interval lies below 0). A pair the protocol
    left out is a row with verdict :data:`NOT_RUN` and its reason.

    Returns
    -------
    DataFrame with columns dataset, router, claim, mean, ci_low, ci_high, n_seeds, verdict, reason
    """
    cols = ["dataset", "router", "claim", "mean", "ci_low", "ci_high", "n_seeds", "verdict", "reason"]
    claim = "accuracy on the hard prompts below accuracy on all prompts"
    ps = res.per_seed()
    p = ps[ps.metric.isin(["acc", "acc_hard"]) & ps.router.isin(list(routers)) & (ps.dataset != "all")]
    parts = []
    if len(p):
        w = p.set_index(["seed", "dataset", "router", "metric"])["value"].unstack("metric")
        w = w.reindex(columns=["acc", "acc_hard"])
        diff = (w["acc_hard"] - w["acc"]).rename("value").reset_index()
        out = summarize(diff, ("dataset", "router"), level=level)
        out["verdict"] = [claim_verdict(lo, hi, 0.0, "below") for lo, hi in zip(out.ci_low, out.ci_high)]
        parts.append(out.assign(claim=claim, reason=""))
    left = not_run(res, routers)
    if len(left):
        parts.append(left.rename(columns={"status": "verdict"}).assign(claim=claim, n_seeds=0))
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    d_rank = {d: i for i, d in enumerate(res.meta["datasets"])}
    r_rank = {r: i for i, r in enumerate(routers)}
    # dataset, then router, in the run's order (a name the run does not list goes last); lexsort is stable
    order = np.lexsort((out.router.map(r_rank).fillna(len(r_rank)).to_numpy(),
                        out.dataset.map(d_rank).fillna(len(d_rank)).to_numpy()))
    return out.iloc[order][cols].reset_index(drop=True)


def seed_coverage(table: pd.DataFrame, seeds) -> pd.DataFrame:
    """The readings of a summary (a column ``n_seeds``) that rest on fewer seeds than the run
    asked for (a split where the reading is not defined, or a pair left out on some seeds), so a
    notebook can say so instead of assuming every reading has every seed.

    >>> t = pd.DataFrame({"router": ["knn", "mlp"], "n_seeds": [2, 1]})
    >>> seed_coverage(t, "0,1").router.tolist()
    ['mlp']
    """
    from .protocol import parse_seeds

    n = len(parse_seeds(seeds))
    return table[table["n_seeds"] < n].assign(seeds_asked=n).reset_index(drop=True)


# ----- routers against their controls, and a real judge's error ----------------------------------
#: each router's random-score control: the same sweep with scores that know nothing of the prompt
CONTROLS = {"escalation": "escalation_random", "knn": "random_score", "mlp": "random_score", "svm": "random_score",
            "mf": "random_score", "avengers_pro": "random_score", "agreement": "random_score"}


def against_controls(res, controls: Mapping[str, str] = CONTROLS, level: float = 0.95) -> pd.DataFrame:
    """Each router of ``res`` (a :class:`routerlib.protocol.ProtocolResult`) against its control:
    the paired difference of its AIQ-minus-Zero to the control's (hindsight and held-out), per
    dataset and over datasets, with the 95% interval over seeds and a verdict.

    Returns
    -------
    DataFrame with columns dataset, router, control, metric, mean, ci_low, ci_high, n_seeds, verdict
    """
    parts = []
    for control in dict.fromkeys(controls.values()):
        if control not in res.routers:
            continue
        mine = [r for r, c in controls.items() if c == control and r in res.routers]
        v = res.versus(control, level=level)
        parts.append(v[v.router.isin(mine)].assign(control=control))
    if not parts:
        return pd.DataFrame(columns=["dataset", "router", "control", "metric", "mean", "ci_low", "ci_high", "n_seeds",
                                     "verdict"])
    out = pd.concat(parts, ignore_index=True)
    return out[["dataset", "router", "control", "metric", "mean", "ci_low", "ci_high", "n_seeds", "verdict"]]


def agreement_judge(data, seeds, level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The answer-agreement cascade's judge, measured: per seed and answerable dataset, the router
    fitted on the training split, in its best efficient configuration (highest training quality)
    among those where the judge decides (a chain longer than its rule k), its
    :meth:`~routerlib.routers.agreement.AgreementRouter.judge_error` on the test split; and the
    summary over seeds with the paper's error rate nearest to it. A split whose efficient
    configurations never judge (a single model is best) counts as no reading.

    Returns
    -------
    (per_seed, summary): per_seed has the columns of ``judge_error`` and ``seed``; summary one row per
    dataset: error_rate, accept_wrong, reject_right (mean, ci_low, ci_high), the most frequent chain,
    and ``nearest_paper_error_rate`` (of 0, 0.01, ..., 0.8, the grid of Figures 5 and 8)

    Cached in ``paths.cache_dir()/judge``, keyed by the data's fingerprint, the seeds, ``level``
    and routerlib's source (:func:`routerlib.memo.inputs_key`).
    """
    from .protocol import parse_seeds

    return disk_cache(_agreement_judge, "judge", ["data"], what="the judge study")(
        data, parse_seeds(seeds), float(level), inputs_key(data))


def _agreement_judge(data, seeds: tuple[int, ...], level: float, inputs: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`agreement_judge` computed; ``inputs`` is the cache key's part for the data."""
    from .routers import AgreementRouter, answerable_datasets
    from .routers.cascade import ERROR_RATES

    del inputs  # the cache key only
    rows = []
    for s in seeds:
        for d in answerable_datasets(data):
            sub = data.select(data.dataset == d)
            test = sub.split_mask(s)
            r = AgreementRouter().fit(sub.select(~test))
            ch = r.chains(d)
            judging = ch[ch.chain.str.count(" -> ") + 1 > ch.min_agree]
            if judging.empty:
                continue
            best = judging.sort_values(["train_quality", "budget"], ascending=[False, True]).iloc[0]
            rows.append(r.judge_error(sub.select(test), budget=best.budget).assign(seed=s))
    if not rows:
        return pd.DataFrame(), pd.DataFrame()
    per_seed = pd.concat(rows, ignore_index=True)
    long = per_seed.melt(id_vars=["seed", "dataset"], value_vars=["error_rate", "accept_wrong", "reject_right"],
                         var_name="metric").dropna(subset=["value"])
    sm = summarize(long, ("dataset", "metric"), level=level)
    wide = sm.pivot_table(index="dataset", columns="metric", values=["mean", "ci_low", "ci_high"], sort=False)
    wide.columns = [f"{m}{'' if stat == 'mean' else '_' + stat}" for stat, m in wide.columns]
    wide = wide.reset_index()
    chains = per_seed.groupby("dataset", sort=False)["chain"].agg(lambda c: c.value_counts().index[0])
    wide["chain"] = wide.dataset.map(chains)
    wide["nearest_paper_error_rate"] = [min(ERROR_RATES, key=lambda e: abs(e - x)) for x in wide["error_rate"]]
    wide["n_seeds"] = wide.dataset.map(per_seed.groupby("dataset").seed.nunique())
    return per_seed, wide


# ----- Figure 6 -----------------------------------------------------------------------------
def routing_shares(choices: np.ndarray, timely: np.ndarray, online) -> tuple[float, float]:
    """Share of time-sensitive and of timeless queries answered by an online model.

    ``choices`` (n,) model indices (-1: no answer, counted as not online).

    >>> routing_shares(np.array([0, 1, 1, -1]), np.array([True, True, False, False]), [1])
    (0.5, 0.5)
    """
    on = np.isin(choices, list(online))
    ts = float(on[timely].mean()) if timely.any() else float("nan")
    tl = float(on[~timely].mean()) if (~timely).any() else float("nan")
    return ts, tl


def rag_routing(res, data, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Section 5.4's statement measured: which queries each router answers with an online model.

    ``res``: an evaluation on the RAG data kept with its outcomes (``keep_outcomes=True``).

    Returns
    -------
    points : Figure 6's table: every sweep point (system ``router``) with the shares of
        time-sensitive and timeless test queries answered online, then the models and the Oracle
    shares : per router its point of highest quality (the cheapest such point), the Oracle and
        each model: kind, router, cost, quality, time_sensitive, timeless
    how : how "time-sensitive" was decided (the simulated label, or a keyword rule)
    """
    test = data.select(data.split_mask(seed))
    timely, how = time_sensitive(test)
    online = online_models(data.models)
    pts = res.points()
    pts["system"] = pts["kind"].map({"sweep": "router", "model": "model", "oracle": "oracle"})
    sh = np.full((len(pts), 2), np.nan)
    sweep_rows = np.flatnonzero(pts["kind"].to_numpy() == "sweep")
    k = 0
    for out in res.outcomes.values():
        for choice in out.choice:
            sh[sweep_rows[k]] = routing_shares(choice, timely, online)
            k += 1
    pts["share_time_sensitive_online"], pts["share_timeless_online"] = sh[:, 0], sh[:, 1]
    rows = []
    for r, g in pts[pts.kind == "sweep"].groupby("router", sort=False):
        best = g[g.quality >= g.quality.max() - 1e-12].sort_values("cost").iloc[0]
        rows.append(("router", r, best.cost, best.quality, best.share_time_sensitive_online,
                     best.share_timeless_online))
    o = pts[pts.kind == "oracle"].iloc[0]
    rows.append(("oracle", "Oracle", o.cost, o.quality, *routing_shares(test.oracle_choice(), timely, online)))
    for j, r in enumerate(pts[pts.kind == "model"].itertuples()):
        rows.append(("model", short_name(r.router), r.cost, r.quality, float(j in online), float(j in online)))
    shares = pd.DataFrame(rows, columns=["kind", "router", "cost", "quality", "time_sensitive", "timeless"])
    cols = ["dataset", "system", "router", "params"] + [c for c in ("willingness_to_pay", "cap") if c in pts.columns]
    return pts[cols + ["cost", "quality", "share_time_sensitive_online", "share_timeless_online"]], shares, how
