"""The figures, each drawn from the tables its notebook saved (never from a computation).

Every function here takes the CSV tables of one figure (as DataFrames) and the data source's
label, and returns a matplotlib Figure. :func:`draw` reads the tables from a figure folder and
writes the PNG, so restyling a figure is editing its function here and calling ``draw`` again;
no embedding or sweep is rerun. :data:`FIGURES` maps each figure's file name to its function
and the CSVs it reads.

| figure file | function | tables |
|---|---|---|
| fig2_hull_aiq | :func:`hull_aiq_figure` | fig2_hull_aiq |
| table1 | :func:`table1_figure` | table1 |
| fig3_oracle | :func:`oracle_figure` | fig3_oracle |
| fig7_per_dataset | :func:`per_dataset_figure` | fig7_per_dataset |
| fig4_predictive_routers | :func:`predictive_figure` | fig4_predictive_routers, fig4_aiq_seed0, fig4_aiq |
| fig9_ood | :func:`out_of_domain_figure` | fig9_ood, fig9_aiq |
| fig5_cascade, fig8_cascade | :func:`cascade_figure` | fig5_cascade, fig5_aiq (fig8_...) |
| fig6_rag | :func:`rag_figure` | fig6_rag, fig6_aiq, fig6_shares |
| leaderboard | :func:`leaderboard_figure` | leaderboard |
| pools | :func:`pools_figure` | pools |
| model_recall | :func:`recall_figure` | model_recall |
| embedders | :func:`embedders_figure` | embedders |
| online_curves, online_scenarios, online_aiq | :mod:`.online` | online_curves; online_scenarios, online_adoption; online_aiq |

A (router, dataset) pair the protocol left out (``ProtocolResult.meta["refused"]``) is a row of
the figure's CSV with ``status`` "not run here" and its ``reason``
(:func:`routerlib.claims.mark_not_run`); the router figures write "not run here" where that
router's reading would be, and draw every other pair.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..hull import ndch
from ..paper import short_name
from .online import online_aiq_figure, online_curves_figure, online_scenarios_figure
from .panels import Curve, cost_quality_panel, heatmap, legend_only, plot_hull, plot_models
from .style import cost_axis, savefig, source_note

__all__ = ["FIGURES", "draw", "read_tables", "hull_aiq_figure", "table1_figure", "oracle_figure",
           "per_dataset_figure", "predictive_figure", "out_of_domain_figure", "cascade_figure", "rag_figure",
           "leaderboard_figure", "pools_figure", "recall_figure", "embedders_figure"]

ROUTER_COLORS = {"knn": "C0", "mlp": "C3", "svm": "C2"}
#: the status of a (router, dataset) pair left out by the protocol (the same as ``routerlib.claims.NOT_RUN``)
NOT_RUN = "not run here"


def not_run_pairs(table: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """``(dataset, router) -> reason`` for the rows of a saved table marked :data:`NOT_RUN` in
    its ``status`` column (none when the table has no such column).

    >>> t = pd.DataFrame({"dataset": ["a", "b"], "router": ["knn", "knn"], "status": ["run", NOT_RUN],
    ...                   "reason": [float("nan"), "too few rows"]})
    >>> not_run_pairs(t)
    {('b', 'knn'): 'too few rows'}
    """
    if table is None or "status" not in table.columns:
        return {}
    left = table[table["status"] == NOT_RUN]
    reasons = left["reason"] if "reason" in left.columns else pd.Series("", index=left.index)
    return {(str(d), str(r)): ("" if pd.isna(w) else str(w)) for d, r, w in zip(left.dataset, left.router, reasons)}


def _runs(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a saved table that hold readings (not the :data:`NOT_RUN` rows)."""
    return table[table["status"] != NOT_RUN] if "status" in table.columns else table


def read_tables(folder: str | Path, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The CSVs ``<folder>/<name>.csv`` as DataFrames (empty strings read as NaN)."""
    return {n: pd.read_csv(Path(folder) / f"{n}.csv") for n in names}


# ----- Figure 2 ---------------------------------------------------------------------------
def hull_aiq_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Figure 2: interpolation of two routers, the NDCH of A..E, AIQ of two systems on a shared domain."""
    tab = t["fig2_hull_aiq"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    ip = tab[tab.panel == "interpolation"].set_index("point")
    (ca, qa), (cb, qb), (cc, qc) = (ip.loc[k, ["cost", "quality"]].to_numpy(float) for k in "ABC")
    ts = np.linspace(0, 1, 11)
    ax = axes[0]
    ax.plot(ts * ca + (1 - ts) * cb, ts * qa + (1 - ts) * qb, ":", color="0.5", label="R_int(t), t in [0, 1]")
    ax.scatter([ca, cb], [qa, qb], color="C0", zorder=3)
    ax.scatter(cc, qc, color="C3", zorder=3, label="C = R_int(t=0.5)")
    for name, r in ip.iterrows():
        ax.annotate(name, (r.cost, r.quality), xytext=(4, -10), textcoords="offset points")
    ax.set_title("Linear interpolation of two routers")

    ax = axes[1]
    nd = tab[tab.panel == "ndch"]
    ax.scatter(nd.cost, nd.quality, color="C0", zorder=3)
    for r in nd.itertuples():
        ax.annotate(r.point, (r.cost, r.quality), xytext=(4, -10), textcoords="offset points")
    grid = np.linspace(0, 1.0, 201)
    vertices = ", ".join(nd.point[nd.on_hull.astype(bool)])
    ax.plot(grid, ndch(nd.cost, nd.quality)(grid), "-", color="C2", label=f"NDCH (vertices {vertices})")
    ax.set_title("Non-decreasing convex hull of A..E")

    ax = axes[2]
    sy = tab[tab.panel.str.startswith("aiq-")]
    c_min, c_max = float(sy.cost.min()), float(sy.cost.max())
    g = np.linspace(c_min, c_max, 201)
    for (panel, s), col in zip(sy.groupby("panel", sort=False), ["C0", "C1"]):
        h = ndch(s.cost, s.quality)
        ax.plot(g, h(g), "-", color=col, label=f"{panel[4:]}: AIQ = {s.aiq.iloc[0]:.3f}")
        ax.fill_between(g, h(g), alpha=0.12, color=col)
        ax.scatter(s.cost, s.quality, color=col, zorder=3)
        for r in s.itertuples():
            ax.annotate(r.point, (r.cost, r.quality), xytext=(4, -10), textcoords="offset points")
    for x in (c_min, c_max):
        ax.axvline(x, color="0.6", lw=0.8, ls="--")
    ax.set_title(f"AIQ on the shared domain [{c_min:g}, {c_max:g}]")
    for ax in axes:
        ax.set_xlabel("cost (USD, toy units)")
        ax.set_ylabel("quality")
        ax.set_xlim(0, 1.0)
        ax.set_ylim(0, 1.0)
        ax.legend(loc="lower right")
    fig.suptitle("Figure 2 (toy points, routerlib.hull): interpolation, NDCH, AIQ", y=1.02)
    source_note(fig, label)
    return fig


# ----- Table 1, Figures 3 and 7 ---------------------------------------------------------------
def table1_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Table 1 against the paper: quality differences (whole data) and cost ratios (test split)."""
    t1 = t["table1"]
    datasets = list(dict.fromkeys(t1.dataset))
    order = list(dict.fromkeys(t1.model))
    names = [short_name(m) if m != "oracle" else "Oracle" for m in order]
    dq = t1.pivot(index="model", columns="dataset", values="d_quality_all").reindex(index=order, columns=datasets)
    cr = t1.pivot(index="model", columns="dataset", values="cost_ratio").reindex(index=order, columns=datasets)
    fig, axes = plt.subplots(1, 2, figsize=(4 + 1.3 * len(datasets) * 2, 5.2))
    lcr = np.log2(cr.to_numpy(float))
    panels = [(axes[0], dq.to_numpy(float), [[f"{v:+.3f}" for v in row] for row in dq.to_numpy(float)],
               "quality: ours (whole data) - Table 1", "RdBu", 0.15, "difference"),
              (axes[1], lcr, [[f"x{v:.2f}" for v in row] for row in cr.to_numpy(float)],
               "cost: ours (30% test split) / Table 1", "PuOr", 1.0, "log2 ratio")]
    for ax, mat, text, title, cmap, vlim, cbar in panels:
        im = heatmap(ax, mat, names, datasets, text, cmap=cmap, vmin=-vlim, vmax=vlim)
        ax.set_title(title)
        fig.colorbar(im, ax=ax, shrink=0.8).set_label(cbar)
    fig.suptitle(f"Table 1 against the paper: {label}")
    source_note(fig, label)
    fig.tight_layout()
    return fig


def oracle_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Figure 3: every model and the Oracle over all prompts; how often the Oracle picks each model."""
    tab = t["fig3_oracle"]
    pts = tab[tab.panel == "left"]
    models = pts[pts.system != "oracle"]
    o = pts[pts.system == "oracle"].iloc[0]
    freq = tab[tab.panel == "right"].pivot(index="dataset", columns="paper_name", values="oracle_share")
    freq = freq.reindex(index=list(dict.fromkeys(tab[tab.panel == "right"].dataset)),
                        columns=list(dict.fromkeys(tab[tab.panel == "right"].paper_name)))
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1, 1.25]})
    c, q = models.total_cost.to_numpy(float), models.accuracy.to_numpy(float)
    plot_models(ax, c, q, models.system.tolist())
    ax.scatter(o.total_cost, o.accuracy, marker="*", s=160, color="gold", edgecolor="k", zorder=4, label="Oracle")
    ax.annotate("Oracle", (o.total_cost, o.accuracy), xytext=(4, 4), textcoords="offset points", fontsize=7)
    plot_hull(ax, (c, q), c_max=c.max(), label="Zero router (NDCH of the models)", color="0.3")
    cost_axis(ax, unit="total cost over all prompts (USD, log scale)")
    ax.set_ylabel("accuracy (mean quality over all prompts)")
    ax.set_title("All LLMs and the Oracle")
    ax.legend(handles=ax.get_legend_handles_labels()[0][-2:], fontsize=7, loc="lower right")
    v = freq.to_numpy(float)
    im = heatmap(ax2, v, list(freq.index), list(freq.columns), [[f"{x:.2f}" for x in row] for row in v],
                 vmin=0, vmax=max(0.5, float(np.nanmax(v))), fontsize=6.5, dark_below=0.3)
    ax2.set_xticks(range(freq.shape[1]), freq.columns, rotation=45, ha="right")
    fig.colorbar(im, ax=ax2, shrink=0.8).set_label("share of the dataset's prompts")
    ax2.set_title("Oracle selection frequency per dataset")
    fig.suptitle(f"Figure 3: {label}")
    source_note(fig, label)
    fig.tight_layout()
    return fig


def _grid(n: int, ncol_max: int, w: float, h: float):
    ncol = max(1, min(ncol_max, n))
    nrow = int(np.ceil(max(n, 1) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(w * ncol, h * nrow), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes


def per_dataset_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Figure 7: per dataset, each model's cost and accuracy on the test split, the Oracle, the Zero router."""
    summ = t["fig7_per_dataset"]
    datasets = list(dict.fromkeys(summ.dataset))
    fig, axes = _grid(len(datasets), 4, 4.2, 3.6)
    for ax, d in zip(axes.flat, datasets):
        s = summ[summ.dataset == d]
        mod, orc = s[s.model != "oracle"], s[s.model == "oracle"].iloc[0]
        plot_models(ax, mod.total_cost.to_numpy(), mod.quality.to_numpy(), mod.model.tolist(), annotate=False)
        plot_hull(ax, ndch(mod.total_cost, mod.quality), c_max=mod.total_cost.max(), color="0.3", label="Zero router")
        ax.scatter(orc.total_cost, orc.quality, marker="*", s=150, color="gold", edgecolor="k", zorder=4,
                   label="Oracle")
        cost_axis(ax, unit="total cost, 30% test split (USD)")
        ax.set_title(f"{d} (n test = {int(orc.n)})")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=7, fontsize=7)
    fig.suptitle(f"Figure 7: accuracy vs total cost per dataset ({label})")
    fig.tight_layout(rect=(0, 0.07 if axes.shape[0] == 1 else 0.04, 1, 1))
    source_note(fig, label)
    return fig


# ----- the router figures ---------------------------------------------------------------------
def _c_max(points: pd.DataFrame, d: str) -> float:
    """End of a dataset's shared AIQ domain: the largest cost over its models and router points."""
    return float(points.loc[(points.dataset == d) & points.kind.isin(["sweep", "model"]), "cost"].max())


def _with_embedder(label: str, table: pd.DataFrame) -> str:
    """A router figure's source note: the data label and the embedder its CSV records (when it does)."""
    if "embedder" in table.columns and table["embedder"].notna().any():
        return f"{label}; embeddings: {table['embedder'].dropna().iloc[0]}"
    return label


def _model_legend(fig, axes, ncol: int, anchor: float):
    h, lab = legend_only(axes.ravel()[0], lambda x: "AIQ" not in x and x != "Oracle")
    fig.legend(h, lab, loc="lower center", ncol=ncol, bbox_to_anchor=(0.5, anchor), frameon=False)


def predictive_figure(t: dict[str, pd.DataFrame], label: str, title: str = "Figure 4: KNN, MLP and Zero routers",
                      routers: Sequence[str] = ("knn", "mlp")) -> plt.Figure:
    """Figure 4: per dataset, the models, the Zero router and each router's sweep and NDCH, AIQs in the
    legend; a router the protocol left out of a dataset (``fig4_aiq``'s "not run here" rows) is named
    in the panel instead of drawn."""
    pts = t["fig4_predictive_routers"]
    pts = pts[(pts.kind != "sweep") | (pts.view == "stored")]
    aiq = t["fig4_aiq_seed0"].set_index("dataset")
    left = not_run_pairs(t.get("fig4_aiq"))
    ds = list(dict.fromkeys(pts.loc[pts.kind == "model", "dataset"]))
    fig, axes = _grid(len(ds), 3, 5.2, 4.2)
    for ax, d in zip(axes.ravel(), ds):
        p = pts[pts.dataset == d]
        curves, notes = [], []
        for r in routers:
            s = p[(p.kind == "sweep") & (p.router == r)]
            if s.empty:
                if (d, r) not in left:
                    raise ValueError(f"no points of {r} on {d}, and the tables do not mark it as not run")
                notes.append(f"{r.upper()}: {NOT_RUN}" + (f"\n({left[(d, r)]})" if left[(d, r)] else ""))
                continue
            curves.append(Curve(s.cost, s.quality, f"{r.upper()} ({s.params.iloc[0]}): AIQ {aiq.loc[d, r]:.3f}",
                                ROUTER_COLORS.get(r, "C4"), sweep_alpha=0.6))
        o = p[p.kind == "oracle"].iloc[0]
        cost_quality_panel(ax, p[p.kind == "model"].rename(columns={"router": "model"}), curves,
                           f"Zero router: AIQ {aiq.loc[d, 'zero']:.3f}", _c_max(p, d), (o.cost, o.quality),
                           models_in_legend=True)
        if notes:
            ax.text(0.98, 0.3, "\n".join(notes), transform=ax.transAxes, ha="right", va="bottom", fontsize=6.5,
                    color="0.3", zorder=6, bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.85})
        ax.set_title(d)
        ax.legend(*legend_only(ax, lambda x: "AIQ" in x or x == "Oracle"), loc="lower right")
    _model_legend(fig, axes, 11, -0.04)
    fig.suptitle(f"{title}; {label}", y=1.0)
    source_note(fig, _with_embedder(label, t["fig4_aiq_seed0"]))
    fig.tight_layout()
    return fig


def out_of_domain_figure(t: dict[str, pd.DataFrame], label: str, missing: Sequence[str] = ()) -> plt.Figure:
    """Figure 9: per held-out dataset, KNN and MLP trained on the other datasets (solid) and in domain (dashed)."""
    pts = t["fig9_ood"]
    aiq = t["fig9_aiq"].set_index(["dataset", "router"])["aiq"]
    ds = list(dict.fromkeys(pts.loc[pts.kind == "model", "dataset"]))
    fig, axes = plt.subplots(1, len(ds), figsize=(5.2 * len(ds), 4.2), squeeze=False)
    for ax, d in zip(axes.ravel(), ds):
        p = pts[pts.dataset == d]
        curves = []
        for r in ("knn", "mlp"):
            s = p[(p.kind == "sweep") & (p.router == r)]
            s2 = p[(p.kind == "sweep") & (p.router == r + "-in-domain")]
            col = ROUTER_COLORS[r]
            curves.append(Curve(s.cost, s.quality, f"{r.upper()} out of domain: AIQ {aiq[(d, r)]:.3f}", col,
                                sweep_alpha=0.6))
            curves.append(Curve(s2.cost, s2.quality, f"{r.upper()} in domain: AIQ {aiq[(d, r + '-in-domain')]:.3f}",
                                col, sweep=False, hull_kw={"linestyle": "--", "linewidth": 0.9, "alpha": 0.7}))
        o = p[p.kind == "oracle"].iloc[0]
        cost_quality_panel(ax, p[p.kind == "model"].rename(columns={"router": "model"}), curves,
                           f"Zero router: AIQ {aiq[(d, 'zero')]:.3f}", _c_max(p, d), (o.cost, o.quality),
                           models_in_legend=True)
        ax.set_title(f"held out: {d}")
        ax.legend(*legend_only(ax, lambda x: "AIQ" in x or x == "Oracle"), loc="lower right")
    _model_legend(fig, axes, 6, -0.12)
    note = f"; absent: {', '.join(missing)}" if missing else ""
    fig.suptitle(f"Figure 9: KNN and MLP trained on the other datasets{note}; {label}", y=1.02)
    fig.tight_layout()
    source_note(fig, _with_embedder(label, t["fig9_aiq"]))
    return fig


def cascade_figure(t: dict[str, pd.DataFrame], label: str, name: str = "fig5_cascade",
                   title: str = "Figure 5: cascading routers",
                   seed: int = 0, skipped: Sequence[str] = (), variants: Sequence[str] = ("paper", "public")
                   ) -> plt.Figure:
    """Figures 5 and 8: per dataset (columns) and variant (rows), one curve per judge error rate."""
    tab, aiq = t[name], t[name.replace("_cascade", "_aiq")]
    ds = list(dict.fromkeys(tab.dataset))
    k = max(len(ds), 1)
    fig, axes = plt.subplots(len(variants), k, figsize=(5.2 * k, 4.4 * len(variants)), squeeze=False)
    cmap = plt.get_cmap("plasma")
    for row, v in enumerate(variants):
        for ax, d in zip(axes[row], ds):
            p, a = tab[tab.dataset == d], aiq[aiq.dataset == d]
            s = p[(p.system == "cascade") & (p.variant == v)]
            rates = sorted(s.error_rate.unique())
            zero = float(a.loc[a.system == "zero", "aiq"].iloc[0])
            curves = []
            for i, e in enumerate(rates):
                g = s[s.error_rate == e].sort_values("cap")
                lab = f"cascade, error {e:g}"
                if e == 0:
                    e0 = a[(a.system == "cascade") & (a.variant == v) & np.isclose(a.error_rate, 0.0)]
                    lab += f" (AIQ {float(e0.aiq.iloc[0]):.3f})"
                curves.append(Curve(g.cost, g.quality, lab, cmap(0.85 * i / max(len(rates) - 1, 1)),
                                    positive_only=True, hull_kw={"linewidth": 1.1}))
            o = p[p.system == "oracle"].iloc[0]
            og = p[p.system == "overgenerate"].iloc[0]
            models = p[p.system == "model"].rename(columns={"name": "model"})
            cost_quality_panel(ax, models, curves, f"Zero router (AIQ {zero:.3f})", float(a.c_max.iloc[0]),
                               (o.cost, o.quality), f"Oracle ({o.quality:.3f})",
                               [(og.cost, og.quality, "X", 50, "0.6", "overgenerate-and-rerank")],
                               annotate=True, model_size=36, zero_width=1.6)
            ax.set_title(f"{d} (cascade: {v} variant)")
            low = min(models.quality.min(), s.quality[s.cost > 0].min() if len(s) else 1)
            ax.set_ylim(max(0.0, float(low) - 0.05), 1.02)
            ax.legend(loc="lower right", fontsize=5.5, ncol=1)
    if not ds:
        for ax in axes.ravel():
            ax.text(0.5, 0.5, "none of " + ", ".join(skipped) + "\nin this data", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
    fig.suptitle(f"{title} ({', '.join(ds) or 'no dataset present'}): {label}", y=1.0)
    note = label + f"; 30% test split (seed {seed})"
    if skipped:
        note += "; absent here: " + ", ".join(skipped)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    source_note(fig, note)
    return fig


def rag_figure(t: dict[str, pd.DataFrame], label: str, error_rate: float = 0.2) -> plt.Figure:
    """Figure 6: the RAG panel (models, KNN, MLP, cascade, Zero router) and who answers with an online model."""
    pts, aiq, shares = t["fig6_rag"], t["fig6_aiq"].set_index("router")["aiq"], t["fig6_shares"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.6, 1]})
    sw = pts[pts.system == "router"]
    models = pts[pts.system == "model"].rename(columns={"router": "model"})
    o = pts[pts.system == "oracle"].iloc[0]
    c_max = float(max(sw.cost.max(), models.cost.max()))
    curves = [Curve(g.cost, g.quality, f"{r} (AIQ {aiq[r]:.3f})", f"C{[0, 2, 3][k % 3]}", positive_only=True)
              for k, (r, g) in enumerate(sw.groupby("router", sort=False))]
    cost_quality_panel(axes[0], models, curves, f"Zero router (AIQ {aiq['zero']:.3f})", c_max, (o.cost, o.quality),
                       f"Oracle ({o.quality:.3f})", model_size=40, models_in_legend=True, model_offset=11,
                       zero_width=1.6)
    axes[0].legend(loc="lower right", fontsize=6)
    axes[0].set_title(f"RAG: five models, KNN, MLP, cascade (error {error_rate:g}), Zero router")
    ax = axes[1]
    bars = shares[shares.kind.isin(["router", "oracle"])]
    x = np.arange(len(bars))
    ax.bar(x - 0.2, bars.time_sensitive, 0.4, label="time-sensitive queries", color="C3")
    ax.bar(x + 0.2, bars.timeless, 0.4, label="timeless queries", color="C0")
    ax.set_xticks(x, bars.router, rotation=20, ha="right", fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share answered by an online model")
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title("who answers with an online model (sonar-*, You.com)")
    fig.suptitle(f"Figure 6: routing on a RAG benchmark (30% test split): {label}", y=1.0)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    source_note(fig, _with_embedder(label, t["fig6_aiq"]))
    return fig


# ----- the leaderboard ---------------------------------------------------------------------------
#: routers left out of the forest plot: upper bounds and fixed baselines, far from the Zero router
FOREST_SKIP = ("oracle", "overgenerate", "random", "best_single")


def leaderboard_figure(t: dict[str, pd.DataFrame], label: str, skip: Sequence[str] = FOREST_SKIP) -> plt.Figure:
    """A forest plot: per dataset (and over all datasets), each router's AIQ minus the Zero router's
    with its 95% CI over seeds, hindsight (circle) and held-out (square); a router is above the
    Zero router only where its interval is right of 0."""
    lb = t["leaderboard"]
    left = {k: w for k, w in not_run_pairs(lb).items() if k[1] not in skip}
    lb = _runs(lb)
    d = lb[lb.metric.isin(["aiq_minus_zero", "aiq_heldout_minus_zero"]) & ~lb.router.isin(skip)]
    datasets = [x for x in dict.fromkeys([*d.dataset, *(k[0] for k in left)]) if x != "all"] + ["all"]
    routers = list(dict.fromkeys([*d.router, *(k[1] for k in left)]))
    partial = {r for _, r in left}
    fig, axes = _grid(len(datasets), 4, 3.6, 0.45 * len(routers) + 1.6)
    y = np.arange(len(routers))
    for ax, ds in zip(axes.flat, datasets):
        for off, (metric, marker, name) in zip((-0.15, 0.15), (("aiq_minus_zero", "o", "hindsight hull"),
                                                                ("aiq_heldout_minus_zero", "s", "held-out"))):
            g = d[(d.dataset == ds) & (d.metric == metric)].set_index("router").reindex(routers)
            col = np.where(g.ci_low > 0, "C2", np.where(g.ci_high < 0, "C3", "0.35"))
            for yi, (_, lo, hi, c) in enumerate(zip(g["mean"], g.ci_low, g.ci_high, col)):
                ax.plot([lo, hi], [yi + off] * 2, color=c, lw=1.2)
            ax.scatter(g["mean"], y + off, c=list(col), marker=marker, s=22, zorder=3, label=name)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y, routers if ax in axes[:, 0] else [""] * len(routers))
        ax.set_ylim(len(routers) - 0.5, -0.5)  # top to bottom, with room for the first and last rows' notes
        ax.set_title("mean over datasets" if ds == "all" else ds)
        ax.set_xlabel("AIQ minus the Zero router's")
        ax.xaxis.set_major_locator(plt.MaxNLocator(5))
        missing = [r for r in routers if not ((d.dataset == ds) & (d.router == r)).any()]
        for r in missing:  # left out of the dataset by the protocol (or, over datasets, of some of them)
            if "status" in t["leaderboard"].columns and (ds, r) not in left and not (ds == "all" and r in partial):
                raise ValueError(f"no reading of {r} on {ds}, and leaderboard.csv does not mark it as not run")
            ax.text(0.5, routers.index(r), NOT_RUN if ds != "all" else "not run on every dataset",
                    transform=ax.get_yaxis_transform(), ha="center", va="center", fontsize=7, color="0.45")
    n = int(lb.n_seeds.max()) if len(lb) else 0
    by_dataset: dict[str, list[str]] = {}
    for x, r in left:
        by_dataset.setdefault(x, []).append(r)
    if by_dataset:
        fig.text(0.005, 0.03, "not run here (the reasons are in leaderboard.csv, column reason): " + "; ".join(
            f"{x}: {', '.join(rs)}" for x, rs in by_dataset.items()), fontsize=7, color="0.35", ha="left",
            va="bottom", wrap=True)
    proxies = [plt.Line2D([], [], color="0.35", marker=m, linestyle="-", markersize=5) for m in ("o", "s")]
    fig.legend(proxies, [f"{x} (95% CI over {n} seeds)" for x in ("hindsight hull", "held-out")], loc="lower right",
               ncol=2, frameon=False)
    fig.suptitle(f"Leaderboard: routers against the Zero router (green: above, red: below, grey: within noise); {label}",
                 y=1.0)
    fig.tight_layout(rect=(0, 0.09 if by_dataset else 0.05, 1, 1))
    source_note(fig, label + "; Oracle, overgenerate, Random and Best Single rows: leaderboard.csv")
    return fig


# ----- the follow-up's questions ----------------------------------------------------------------
def recall_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Model recall: per dataset, each system's accuracy on all test prompts and on the hard ones
    (1-3 models right), with 95% CIs over seeds; a router the protocol left out of a dataset is a
    row "not run here"."""
    full = t["model_recall"]
    left = not_run_pairs(full)
    r = _runs(full)
    datasets = list(dict.fromkeys(full.dataset))
    systems = list(dict.fromkeys(full.router))  # one row order in every panel
    fig, axes = _grid(len(datasets), 4, 4.4, 4.2)
    for ax, d in zip(axes.flat, datasets):
        g = full[full.dataset == d].set_index("router").reindex(systems).reset_index()
        ran = np.array([(d, x) not in left for x in g.router]) & g["acc"].notna().to_numpy()
        y = np.arange(len(g))
        for off, m, col in ((-0.18, "acc", "C0"), (0.18, "acc_hard", "C3")):
            h = g[ran]
            ax.barh(y[ran] + off, h[m], 0.36, color=col,
                    label={"acc": "all prompts", "acc_hard": "hard prompts (1-3 models right)"}[m])
            ax.errorbar(h[m], y[ran] + off, xerr=[h[m] - h[f"{m}_ci_low"], h[f"{m}_ci_high"] - h[m]], fmt="none",
                        ecolor="k", elinewidth=0.8, capsize=1.5)
        for yi in y[~ran]:
            ax.text(0.5, yi, NOT_RUN if (d, g.router[yi]) in left else "no reading", ha="center", va="center",
                    fontsize=7, color="0.35")
        ax.set_yticks(y, g.router if ax in axes[:, 0] else [""] * len(g), fontsize=7)
        ax.set_ylim(len(g) - 0.5, -0.5)  # top to bottom, with room for the first and last rows' notes
        ax.set_xlim(0, 1.02)
        ax.set_xlabel("accuracy (performance configuration, test split)")
        sh = r[r.dataset == d]
        ax.set_title(f"{d} (hard: {sh.share_hard.iloc[0]:.0%} of prompts, none right: {sh.share_none.iloc[0]:.0%})",
                     fontsize=8)
    h, lab = axes.flat[0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower right", ncol=2, frameon=False)
    fig.suptitle(f"Model recall: accuracy on the prompts only 1-3 models get right; {label}", y=1.0)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    source_note(fig, label + ("; not run here: the reasons are in model_recall.csv, column reason" if left else ""))
    return fig


def embedders_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Embedder ablation: per router (panels) and dataset (rows), each embedder's held-out AIQ minus
    the same router's with the reference embedder (column ``reference``; MiniLM-L6 by default), with
    95% CIs over seeds; a router the protocol left out of a dataset is marked "not run here" in its row."""
    a = t["embedders"]
    left = not_run_pairs(a)
    a = _runs(a)
    ref = str(a["reference"].dropna().iloc[0]) if "reference" in a.columns and a["reference"].notna().any() \
        else "all-MiniLM-L6-v2"
    a = a[a.metric == "aiq_heldout"]
    routers = list(dict.fromkeys([*a.router, *(k[1] for k in left)]))
    datasets = [d for d in dict.fromkeys([*a.dataset, *(k[0] for k in left)]) if d != "all"] + ["all"]
    labels = list(dict.fromkeys(a.run))
    fig, axes = plt.subplots(1, max(len(routers), 1), figsize=(4.4 * max(len(routers), 1), 0.42 * len(datasets) * len(labels) + 1.6),
                             squeeze=False)
    y = np.arange(len(datasets))
    for ax, r in zip(axes[0], routers):
        for k, lab in enumerate(labels):
            g = a[(a.router == r) & (a.run == lab)].set_index("dataset").reindex(datasets)
            off = (k - (len(labels) - 1) / 2) * 0.22
            ax.errorbar(g["mean"], y + off, xerr=[g["mean"] - g.ci_low, g.ci_high - g["mean"]], fmt="o", ms=3.5,
                        color=f"C{k}", elinewidth=1, capsize=1.5, label=lab)
        for yi, d in enumerate(datasets):
            if (d, r) in left or (d == "all" and any(k[1] == r for k in left)):
                ax.text(0.5, yi, NOT_RUN if d != "all" else "not run on every dataset",
                        transform=ax.get_yaxis_transform(), ha="center", va="center", fontsize=7, color="0.45")
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y, [("mean over datasets" if d == "all" else d) for d in datasets] if ax is axes[0, 0]
                      else [""] * len(datasets))
        ax.invert_yaxis()
        ax.set_title(r)
        ax.set_xlabel(f"held-out AIQ minus {ref}'s")
    axes[0, 0].legend(loc="lower left", fontsize=7)
    n = int(a.n_seeds.max()) if len(a) else 0
    fig.suptitle(f"Embedder ablation: each embedder against {ref} (95% CI over {n} seeds); {label}", y=1.02)
    fig.tight_layout()
    source_note(fig, label)
    return fig


def pools_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Pool curation: the Oracle's accuracy, the Zero router's AIQ and the KNN router's AIQ against
    the pool size, greedy pools (chosen on training) against random pools, with 95% CI bands."""
    s = t["pools"]
    metrics = [("oracle_acc", "Oracle accuracy (macro over datasets)"), ("zero_aiq", "Zero router AIQ"),
               ("knn_aiq", "KNN router AIQ (k = 40)")]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), squeeze=False)
    for ax, (m, title) in zip(axes[0], metrics):
        for kind, col in (("greedy", "C0"), ("random", "C1")):
            g = s[(s.metric == m) & (s.kind == kind)].sort_values("size")
            ax.plot(g["size"], g["mean"], marker="o", ms=3, color=col,
                    label=f"{kind} pools" + (" (chosen on training)" if kind == "greedy" else ""))
            ax.fill_between(g["size"], g.ci_low, g.ci_high, color=col, alpha=0.15, lw=0)
        ax.set_xlabel("models in the pool")
        ax.set_ylabel(title)
        ax.set_title(title)
        ax.legend(loc="lower right")
    n = int(s.n_seeds.max()) if len(s) else 0
    fig.suptitle(f"Model-pool curation: greedy against random pools (mean, 95% CI over {n} seeds); {label}", y=1.02)
    fig.tight_layout()
    source_note(fig, label)
    return fig


# ----- the registry -----------------------------------------------------------------------------
FIGURES: dict[str, tuple[Callable, tuple[str, ...]]] = {
    "fig2_hull_aiq": (hull_aiq_figure, ("fig2_hull_aiq",)),
    "table1": (table1_figure, ("table1",)),
    "fig3_oracle": (oracle_figure, ("fig3_oracle",)),
    "fig7_per_dataset": (per_dataset_figure, ("fig7_per_dataset",)),
    "fig4_predictive_routers": (predictive_figure, ("fig4_predictive_routers", "fig4_aiq_seed0", "fig4_aiq")),
    "fig9_ood": (out_of_domain_figure, ("fig9_ood", "fig9_aiq")),
    "fig5_cascade": (cascade_figure, ("fig5_cascade", "fig5_aiq")),
    "fig8_cascade": (cascade_figure, ("fig8_cascade", "fig8_aiq")),
    "fig6_rag": (rag_figure, ("fig6_rag", "fig6_aiq", "fig6_shares")),
    "leaderboard": (leaderboard_figure, ("leaderboard",)),
    "pools": (pools_figure, ("pools",)),
    "model_recall": (recall_figure, ("model_recall",)),
    "embedders": (embedders_figure, ("embedders",)),
    "online_curves": (online_curves_figure, ("online_curves",)),
    "online_scenarios": (online_scenarios_figure, ("online_scenarios", "online_adoption")),
    "online_aiq": (online_aiq_figure, ("online_aiq",)),
}


def draw(name: str, folder: str | Path, label: str | None = None, show: bool = True, **kw) -> Path:
    """Draw figure ``name`` from its saved tables in ``folder`` and write ``<folder>/<name>.png``.

    ``label`` (the data source line) defaults to the ``label`` column the tables carry (their
    provenance); ``kw`` goes to the figure's function (titles, skipped datasets). Returns the
    PNG's path.
    """
    fn, names = FIGURES[name]
    if fn is cascade_figure:
        kw.setdefault("name", name)
    tables = read_tables(folder, names)
    if label is None:
        first = tables[names[0]]
        if "label" not in first.columns or first.empty:
            raise ValueError(f"{Path(folder) / (names[0] + '.csv')} has no 'label' column; pass label=")
        label = str(first["label"].iloc[0])
    fig = fn(tables, label, **kw)
    path = savefig(fig, Path(folder) / f"{name}.png")
    if show:
        plt.show()
    else:
        plt.close(fig)
    return path
