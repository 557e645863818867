"""Figures 5 and 8 (cascading routers): the computation and the panel both notebooks share;
and the pieces of Figure 6 (RAG), where the cascade meets the predictive routers.

* :func:`cascade_study` -- on the 70/30 split of ``data.split(seed)``: per dataset, the
  single models' and the Oracle's test points, the cascade sweep (every error rate over a
  log grid of caps, both variants) and the AIQ table on one shared domain per dataset.
* :func:`plot_cascade_panel` -- one dataset's panel: models, one dotted curve per error rate
  (increasing cap) with its NDCH (solid), the Zero router, the Oracle; AIQ of the Zero
  router and of the zero-error cascade in the legend.
* :func:`cascade_figure` -- a row of panels (one per present dataset).
* :func:`paper_checks` -- the paper's statements of section 5.3, measured.
* :func:`check_invariants` -- asserts what must hold on any data (for the check cells).
* Figure 6 (RAG): :func:`online_models`, :func:`time_sensitive`, :func:`routing_shares`,
  :func:`plot_rag_panel`, :func:`plot_shares`.
* :func:`merge_aiq_csv` -- write a notebook's rows into ``cascade_aiq.csv``, keeping the
  other notebook's rows (deterministic order; robust to either running alone).

AIQ domain: per dataset, the smallest and largest test-split total cost over every point
of every compared system (the 11 single models, the Oracle, every cascade point of both
variants), so all AIQs of a dataset (any error rate, either variant) share one domain.
Overgenerate-and-rerank is drawn as a point but left out of the domain (it always pays for
every model, so it would stretch the domain far to the right).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .hull import compare_aiq, ndch
from .paper import short_name
from .plots import cost_axis, model_color, model_marker, plot_hull, plot_sweep, source_note
from .routers.cascade import ERROR_RATES, OvergenerateRouter, cascade_sweep

__all__ = ["CascadeStudy", "cascade_study", "plot_cascade_panel", "cascade_figure", "paper_checks",
           "merge_aiq_csv", "aiq_wide", "check_invariants", "WIDE_MARGIN",
           "online_models", "time_sensitive", "routing_shares", "plot_rag_panel", "plot_shares"]

#: what "a significant margin" over the Zero router is taken to mean in the checks (AIQ units)
WIDE_MARGIN = 0.05


@dataclass
class CascadeStudy:
    """Everything a cascade figure shows, per dataset (test split only).

    Attributes
    ----------
    datasets : datasets studied (present in the data, in the order asked)
    skipped : datasets asked for but absent
    points : DataFrame dataset, system ("model", "oracle", "overgenerate"), name, cost, quality
    sweep : DataFrame from :func:`~routerlib.routers.cascade.cascade_sweep`, both variants
    aiq : DataFrame dataset, variant, system, error_rate, aiq, aiq_public, c_min, c_max
    label : the data source line for figures
    """

    datasets: list
    skipped: list
    points: pd.DataFrame
    sweep: pd.DataFrame
    aiq: pd.DataFrame
    label: str
    seed: int = 0
    meta: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """The numbers behind the figure: model/Oracle/overgenerate points and every sweep row."""
        pts = self.points.assign(router=self.points.system, params="", error_rate=np.nan, cap=np.nan,
                                 variant="", cap_rule="")
        sw = self.sweep.assign(name="cascade", system="cascade")
        cols = ["dataset", "system", "name", "router", "variant", "cap_rule", "params", "error_rate", "cap",
                "cost", "quality"]
        return pd.concat([pts[cols], sw[cols]], ignore_index=True)


def cascade_study(data, datasets: Sequence[str], seed: int = 0,
                  error_rates: Sequence[float] = ERROR_RATES,
                  variants: Sequence[str] = ("paper", "public"), n_caps: int = 20) -> CascadeStudy:
    """Single models, Oracle, overgenerate and the cascade sweeps on ``data.split(seed)``.

    Datasets of ``datasets`` absent from ``data`` are listed in ``skipped``.
    """
    present = [d for d in datasets if d in data.datasets]
    skipped = [d for d in datasets if d not in data.datasets]
    pts, sweeps, aiqs = [], [], []
    if present:
        train, test = data.subset(present).split(seed)
        for v in variants:
            sweeps.append(cascade_sweep(train, test, error_rates, variant=v, seed=seed, n_caps=n_caps))
    sweep = pd.concat(sweeps, ignore_index=True) if sweeps else pd.DataFrame(
        columns=["dataset", "router", "params", "error_rate", "cap", "cost", "quality", "variant", "cap_rule",
                 "n", "unanswered"])
    for d in present:
        t = test.subset(d)
        for j, mname in enumerate(t.models):
            pts.append((d, "model", mname, float(t.cost[:, j].sum()), float(t.quality[:, j].mean())))
        o = t.oracle_choice()
        rows = np.arange(t.n)
        pts.append((d, "oracle", "Oracle", float(t.cost[rows, o].sum()), float(t.quality[rows, o].mean())))
        oc, oq = OvergenerateRouter().fit(t).outcome(t)
        pts.append((d, "overgenerate", "Overgenerate", float(oc.sum()), float(oq.mean())))
    points = pd.DataFrame(pts, columns=["dataset", "system", "name", "cost", "quality"])
    for d in present:
        p = points[points.dataset == d]
        s = sweep[sweep.dataset == d]
        models = p[p.system == "model"]
        oracle = p[p.system == "oracle"]
        systems = {("", "zero", np.nan): (models.cost.to_numpy(), models.quality.to_numpy()),
                   ("", "oracle", np.nan): (oracle.cost.to_numpy(), oracle.quality.to_numpy())}
        for (v, e), g in s.groupby(["variant", "error_rate"], sort=False):
            systems[(v, "cascade", float(e))] = (g.cost.to_numpy(), g.quality.to_numpy())
        all_c = np.concatenate([c for c, _ in systems.values()])
        lo, hi = float(all_c.min()), float(all_c.max())
        res = compare_aiq(systems, c_min=lo, c_max=hi)
        for (v, sysname, e), r in res.items():
            aiqs.append((d, v, sysname, e, r["aiq"], r["aiq_public"], lo, hi))
    aiq = pd.DataFrame(aiqs, columns=["dataset", "variant", "system", "error_rate", "aiq", "aiq_public",
                                      "c_min", "c_max"])
    return CascadeStudy(present, skipped, points, sweep, aiq, data.label, seed,
                        meta={"error_rates": list(error_rates), "variants": list(variants)})


def _aiq_of(study, dataset, system, variant="", error_rate=None, col="aiq"):
    a = study.aiq
    sel = (a.dataset == dataset) & (a.system == system)
    if system == "cascade":
        sel &= (a.variant == variant) & np.isclose(a.error_rate, error_rate)
    return float(a.loc[sel, col].iloc[0])


def plot_cascade_panel(ax, study: CascadeStudy, dataset: str, variant: str = "paper", annotate: bool = True):
    """One dataset's panel of Figure 5/8 (log cost axis; points of cost 0 are not drawn)."""
    p = study.points[study.points.dataset == dataset]
    s = study.sweep[(study.sweep.dataset == dataset) & (study.sweep.variant == variant)]
    models = p[p.system == "model"]
    c_max = float(study.aiq.loc[study.aiq.dataset == dataset, "c_max"].iloc[0])
    rates = sorted(s.error_rate.unique())
    cmap = plt.get_cmap("plasma")
    for k, e in enumerate(rates):
        g = s[s.error_rate == e].sort_values("cap")
        col = cmap(0.85 * k / max(len(rates) - 1, 1))
        keep = g.cost > 0
        plot_sweep(ax, g.cost[keep], g.quality[keep], color=col)
        lab = f"cascade, error {e:g}"
        if e == 0:
            lab += f" (AIQ {_aiq_of(study, dataset, 'cascade', variant, 0.0):.3f})"
        h = ndch(g.cost.to_numpy(), g.quality.to_numpy())
        hc, hq = (h.cost, h.quality) if h.cost[0] > 0 else (h.cost[1:], h.quality[1:])
        if hc.size:
            plot_hull(ax, (hc, hq), c_max=c_max, color=col, label=lab, linewidth=1.1)
    zero = ndch(models.cost.to_numpy(), models.quality.to_numpy())
    plot_hull(ax, zero, c_max=c_max, color="k", linewidth=1.6,
              label=f"Zero router (AIQ {_aiq_of(study, dataset, 'zero'):.3f})")
    for i, r in enumerate(models.itertuples()):
        ax.scatter(r.cost, r.quality, color=model_color(r.name, i), marker=model_marker(r.name, i), s=36,
                   edgecolor="k", linewidth=0.4, zorder=4)
        if annotate:
            ax.annotate(short_name(r.name), (r.cost, r.quality), fontsize=5.5, xytext=(3, 2),
                        textcoords="offset points", color="0.3")
    o = p[p.system == "oracle"].iloc[0]
    ax.scatter(o.cost, o.quality, marker="*", s=160, color="gold", edgecolor="k", zorder=5,
               label=f"Oracle ({o.quality:.3f})")
    og = p[p.system == "overgenerate"].iloc[0]
    ax.scatter(og.cost, og.quality, marker="X", s=50, color="0.6", edgecolor="k", zorder=5,
               label="overgenerate-and-rerank")
    cost_axis(ax, log=True)
    ax.set_title(f"{dataset} (cascade: {variant} variant)")
    ax.set_ylim(max(0.0, float(min(models.quality.min(), s.quality[s.cost > 0].min() if len(s) else 1)) - 0.05), 1.02)
    ax.legend(loc="lower right", fontsize=5.5, ncol=1)
    return ax


def cascade_figure(study: CascadeStudy, title: str, variants: Sequence[str] = ("paper", "public")):
    """Panels of :func:`plot_cascade_panel`: one column per present dataset, one row per
    variant (a note instead when no dataset is present)."""
    k = max(len(study.datasets), 1)
    fig, axes = plt.subplots(len(variants), k, figsize=(5.2 * k, 4.4 * len(variants)), squeeze=False)
    for r, v in enumerate(variants):
        for ax, d in zip(axes[r], study.datasets):
            plot_cascade_panel(ax, study, d, v)
    if not study.datasets:
        for ax in axes.ravel():
            ax.text(0.5, 0.5, "none of " + ", ".join(study.skipped) + "\nin this data", ha="center",
                    va="center", transform=ax.transAxes)
            ax.set_axis_off()
    fig.suptitle(f"{title}: {study.label}", y=1.0)
    note = study.label + f"; 30% test split (seed {study.seed})"
    if study.skipped:
        note += "; absent here: " + ", ".join(study.skipped)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    source_note(fig, note)
    return fig


def aiq_wide(study: CascadeStudy, col: str = "aiq") -> pd.DataFrame:
    """AIQ table for printing: one row per system (Zero router, Oracle, cascade per variant
    and error rate), one column per dataset, plus their mean."""
    a = study.aiq.copy()
    a["system_label"] = [
        "Zero router" if r.system == "zero" else "Oracle" if r.system == "oracle"
        else f"cascade {r.variant} e={r.error_rate:g}" for r in a.itertuples()
    ]
    order = list(dict.fromkeys(a.sort_values(["variant", "error_rate"], na_position="first").system_label))
    w = a.pivot(index="system_label", columns="dataset", values=col)
    w = w.reindex(index=order, columns=[d for d in study.datasets if d in w.columns])
    w["mean"] = w.mean(axis=1)
    w.index.name = col
    return w


def paper_checks(study: CascadeStudy, variant: str = "paper", margin: float = WIDE_MARGIN) -> pd.DataFrame:
    """The statements of section 5.3 on cascades, per dataset, measured.

    Columns: dataset, top_quality_e0 (zero-error cascade at the largest cap), oracle,
    gap_to_oracle, aiq_zero, aiq_e0, then per error rate ``margin_<e>`` = cascade AIQ minus
    Zero router AIQ (paper convention), and the three verdicts: ``approaches_oracle``
    (gap < 0.02), ``wide_margin_to_0.1`` (every margin for e <= 0.1 exceeds ``margin``),
    ``falls_apart_past_0.2`` (every cascade with e > 0.2 has AIQ below the Zero router).
    """
    rows = []
    for d in study.datasets:
        s = study.sweep[(study.sweep.dataset == d) & (study.sweep.variant == variant)]
        e0 = s[s.error_rate == 0].sort_values("cap")
        o = study.points[(study.points.dataset == d) & (study.points.system == "oracle")].iloc[0]
        zero = _aiq_of(study, d, "zero")
        row = {"dataset": d, "top_quality_e0": float(e0.quality.iloc[-1]), "oracle": float(o.quality),
               "gap_to_oracle": float(o.quality - e0.quality.iloc[-1]), "aiq_zero": zero,
               "aiq_e0": _aiq_of(study, d, "cascade", variant, 0.0)}
        margins = {}
        for e in sorted(s.error_rate.unique()):
            margins[e] = _aiq_of(study, d, "cascade", variant, e) - zero
            row[f"margin_{e:g}"] = margins[e]
        row["approaches_oracle"] = row["gap_to_oracle"] < 0.02
        row["wide_margin_to_0.1"] = all(v > margin for e, v in margins.items() if e <= 0.1)
        row["falls_apart_past_0.2"] = all(v < 0 for e, v in margins.items() if e > 0.2)
        rows.append(row)
    return pd.DataFrame(rows)


def check_invariants(study: CascadeStudy, data, seed: int = 0) -> list[str]:
    """Assert what must hold on every data, and return one summary line per dataset.

    * the Oracle is at least as good as every model (test split);
    * every AIQ, in both conventions, lies in [0, 1];
    * on binary scores, the zero-error cascade at the largest cap has exactly the Oracle's
      quality (both variants: it stops at the first right answer, or ends wrong when no
      model is right);
    * error rate 0 gives the same sweep whatever the seed of the judge's draws.

    Raises AssertionError when one fails.
    """
    lines = []
    checks = paper_checks(study).set_index("dataset") if study.datasets else None
    for d in study.datasets:
        tr, te = data.subset(d).split(seed)
        s = study.sweep[study.sweep.dataset == d]
        a = study.aiq[study.aiq.dataset == d]
        oracle_q = te.quality.max(axis=1).mean()
        assert oracle_q >= te.quality.mean(axis=0).max() - 1e-12, d
        assert ((a.aiq >= 0) & (a.aiq <= 1) & (a.aiq_public >= 0) & (a.aiq_public <= 1)).all(), d
        if np.isin(te.quality, [0.0, 1.0]).all():
            for v in s.variant.unique():
                top = s[(s.variant == v) & (s.error_rate == 0)].sort_values("cap").quality.iloc[-1]
                assert abs(top - oracle_q) < 1e-12, (d, v, top, oracle_q)
        e0 = [cascade_sweep(tr, te, [0.0], seed=k)[["cost", "quality"]].to_numpy() for k in (seed, seed + 1)]
        assert np.array_equal(*e0), d
        r = checks.loc[d]
        lines.append(
            f"{d}: Oracle {oracle_q:.3f}; Zero AIQ {r.aiq_zero:.3f}; cascade AIQ e=0 {r.aiq_e0:.3f}, "
            f"e=0.1 {r.aiq_zero + r['margin_0.1']:.3f}, e=0.2 {r.aiq_zero + r['margin_0.2']:.3f}, "
            f"e=0.4 {r.aiq_zero + r['margin_0.4']:.3f} | approaches Oracle: {r.approaches_oracle}, "
            f"wide margin up to 0.1: {r['wide_margin_to_0.1']}, falls apart past 0.2: {r['falls_apart_past_0.2']}")
    return lines


def merge_aiq_csv(path: str | Path, aiq: pd.DataFrame, figure: str, extra: dict | None = None) -> pd.DataFrame:
    """Write ``aiq`` (tagged ``figure``) into ``path``, replacing that figure's old rows and
    keeping the others; rows sorted by figure, dataset, variant, system, error rate."""
    path = Path(path)
    new = aiq.assign(figure=figure, **(extra or {}))
    old = None
    if path.exists():
        try:
            old = pd.read_csv(path, keep_default_na=False, na_values=[""])
        except (pd.errors.EmptyDataError, pd.errors.ParserError):
            old = None
    if old is not None and "figure" in old.columns:
        old = old[old.figure != figure]
        out = pd.concat([old, new], ignore_index=True)
    else:
        out = new
    out["variant"] = out["variant"].fillna("")
    sys_rank = out.system.map({"zero": 0, "oracle": 1, "cascade": 2}).fillna(3)
    out = (out.assign(_s=sys_rank).sort_values(["figure", "dataset", "variant", "_s", "error_rate"], na_position="first")
           .drop(columns="_s").reset_index(drop=True))
    cols = ["figure", "dataset", "variant", "system", "error_rate", "aiq", "aiq_public", "c_min", "c_max"]
    out = out[cols + [c for c in out.columns if c not in cols]]
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, float_format="%.6g")
    return out


# ----- Figure 6 (RAG): predictive routers and the cascade side by side ---------------------
_TIME_WORDS = (r"\b(?:20[2-9]\d|current(?:ly)?|latest|today|tonight|this (?:week|weekend|month|year|season)|"
               r"right now|now|recent(?:ly)?|upcoming|yesterday)\b")


def online_models(models) -> list[int]:
    """Indices of the models with live retrieval (Perplexity ``sonar-*-online``, You.com)."""
    return [j for j, m in enumerate(models) if "online" in str(m).lower() or "you.com" in str(m).lower()]


def time_sensitive(data) -> tuple[np.ndarray, str]:
    """Per row: is the query time-sensitive? And how that was decided.

    The simulated RAG set records it in its sample ids
    (:func:`routerlib.simulate.is_time_sensitive`); any other data falls back to a keyword
    rule (a year from 2020 on, "current", "latest", "this week", "right now", ...).
    """
    if data.simulated:
        from .simulate import is_time_sensitive

        return is_time_sensitive(data), "simulated label"
    pat = pd.Series(data.prompt.astype(str)).str.contains(_TIME_WORDS, case=False, regex=True)
    return pat.to_numpy(bool), "keyword rule"


def routing_shares(choices: np.ndarray, timely: np.ndarray, online: Sequence[int]) -> tuple[float, float]:
    """Share of time-sensitive and of timeless queries whose answer comes from an online model.

    ``choices`` (n,) model indices (-1: no answer, counted as not online).
    """
    on = np.isin(choices, list(online))
    ts = float(on[timely].mean()) if timely.any() else float("nan")
    tl = float(on[~timely].mean()) if (~timely).any() else float("nan")
    return ts, tl


def plot_rag_panel(ax, sweeps: pd.DataFrame, models: pd.DataFrame, oracle: tuple[float, float],
                   aiq: pd.DataFrame, colors: dict | None = None):
    """Figure 6's cost-quality panel: the models, each router's points (dotted, in sweep
    order) and NDCH (solid), the Zero router, the Oracle; AIQ in the legend.

    ``sweeps``: router, cost, quality (in sweep order); ``models``: model, cost, quality;
    ``aiq``: router, aiq (``zero`` for the Zero router).
    """
    colors = colors or {}
    c_max = float(max(sweeps.cost.max(), models.cost.max()))
    a = aiq.set_index("router")["aiq"]
    for k, (name, g) in enumerate(sweeps.groupby("router", sort=False)):
        col = colors.get(name, f"C{k}")
        keep = g.cost > 0
        plot_sweep(ax, g.cost[keep], g.quality[keep], color=col)
        plot_hull(ax, (g.cost.to_numpy(), g.quality.to_numpy()), c_max=c_max, color=col,
                  label=f"{name} (AIQ {a[name]:.3f})")
    plot_hull(ax, (models.cost.to_numpy(), models.quality.to_numpy()), c_max=c_max, color="k", linewidth=1.6,
              label=f"Zero router (AIQ {a['zero']:.3f})")
    for i, r in enumerate(models.itertuples()):
        # in the legend, not annotated: the online models sit close together
        ax.scatter(r.cost, r.quality, color=model_color(r.model, i + 11), marker=model_marker(r.model, i + 11),
                   s=40, edgecolor="k", linewidth=0.4, zorder=4, label=short_name(r.model).split("/")[-1])
    ax.scatter(*oracle, marker="*", s=160, color="gold", edgecolor="k", zorder=5, label=f"Oracle ({oracle[1]:.3f})")
    cost_axis(ax, log=True)
    ax.legend(loc="lower right", fontsize=6)
    return ax


def plot_shares(ax, shares: pd.DataFrame):
    """Bars: per router, the share of time-sensitive and of timeless queries sent to online models."""
    x = np.arange(len(shares))
    ax.bar(x - 0.2, shares.time_sensitive, 0.4, label="time-sensitive queries", color="C3")
    ax.bar(x + 0.2, shares.timeless, 0.4, label="timeless queries", color="C0")
    ax.set_xticks(x, shares.router, rotation=20, ha="right", fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share answered by an online model")
    ax.legend(fontsize=7, loc="upper right")
    return ax
