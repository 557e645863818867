"""The figures of online routing (notebook 13), each drawn from its saved tables.

| figure file | function | tables |
|---|---|---|
| online_curves | :func:`online_curves_figure` | online_curves |
| online_scenarios | :func:`online_scenarios_figure` | online_scenarios, online_adoption |
| online_aiq | :func:`online_aiq_figure` | online_aiq |
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import source_note

__all__ = ["online_curves_figure", "online_scenarios_figure", "online_aiq_figure"]

_CURVE_PANELS = (("quality", "cumulative mean quality of the chosen models"),
                 ("cost", "cumulative mean cost (USD per prompt)"),
                 ("regret_best_fixed", "cumulative regret vs the best fixed model"),
                 ("regret_oracle", "cumulative regret vs the Oracle"))


def _colors(names) -> dict:
    return {n: f"C{i % 10}" for i, n in enumerate(dict.fromkeys(names))}


def online_curves_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Learning curves at one lambda: cumulative mean quality and cost, cumulative regret against the
    best fixed model and the Oracle, against the step; mean over orders with its naive 95% t-band (a
    running mean over the first t steps is not a 70/30 split, so the split correction is not applied
    here; the CSV holds both)."""
    c = t["online_curves"]
    col = _colors(c.policy)
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.0), squeeze=False)
    for ax, (metric, title) in zip(axes[0], _CURVE_PANELS):
        for pol, g in c[c.metric == metric].groupby("policy", sort=False):
            ls = "--" if "full information" in pol else "-"
            ax.plot(g.step, g["mean"], ls, color=col[pol], lw=1.2, label=pol)
            ax.fill_between(g.step, g.ci_low_naive, g.ci_high_naive, color=col[pol], alpha=0.15, lw=0)
        ax.set_xscale("log")
        if metric == "quality":
            ax.set_ylim(0, 1)
        elif metric == "cost":
            ax.set_ylim(bottom=0)
        ax.set_xlabel("step (prompts seen)")
        unit = "USD" if "cost" in metric else "quality points" if metric == "quality" else "reward (USD)"
        ax.set_ylabel(f"{title.split(' vs')[0]} ({unit})" if "regret" in metric else title)
        ax.set_title(title)
    if "regret" in _CURVE_PANELS[2][0]:
        axes[0, 2].axhline(0, color="k", lw=0.8)
    h, lab = axes[0, 0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=min(len(lab), 7), frameon=False)
    lam = float(c["lambda"].iloc[0]) if len(c) else float("nan")
    n = int(c.n_seeds.max()) if len(c) else 0
    fig.suptitle(f"Online routing, learning curves at lambda = {lam:.3g} USD per quality point "
                 f"(mean, naive 95% t-band over {n} stream orders); {label}", y=1.02)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    source_note(fig, label)
    return fig


def online_scenarios_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """Per scenario (a model arrives, its price drops), the share of routes to the changed model over
    a sliding window against the step, per policy (mean, 95% band over orders), the event marked, and
    each policy's adoption lag in the legend."""
    s, lags = t["online_scenarios"], t["online_adoption"]
    scen = list(dict.fromkeys(s.scenario))
    col = _colors(s.policy)
    fig, axes = plt.subplots(1, max(len(scen), 1), figsize=(7.5 * max(len(scen), 1), 4.4), squeeze=False)
    for ax, sc in zip(axes[0], scen):
        g = s[s.scenario == sc]
        lg = lags[lags.scenario == sc].set_index("policy")
        for pol, h in g.groupby("policy", sort=False):
            r = lg.loc[pol]
            lag = (f"lag median {r.lag_median:,.0f} (range {r.lag_min:,.0f}-{r.lag_max:,.0f}) steps, "
                   if np.isfinite(r.lag_median) else "")
            ls = "--" if "full information" in pol else "-"
            ax.plot(h.step, h["mean"], ls, color=col[pol], lw=1.2,
                    label=f"{pol} ({lag}adopted in {int(r.adopted)}/{int(r.n_seeds)} orders)")
            ax.fill_between(h.step, h.ci_low, h.ci_high, color=col[pol], alpha=0.12, lw=0)
        ev = int(g.event_step.iloc[0])
        ax.axvline(ev, color="k", lw=0.8, ls=":")
        ax.text(ev, 1.0, " event", va="top", fontsize=7)
        ax.set_xlabel("step (prompts seen)")
        ax.set_ylabel(f"share of routes to {g.model.iloc[0]} (sliding window)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{sc}: {g.model.iloc[0]}")
        ax.legend(loc="upper left", fontsize=6)
    n = int(s.n_seeds.max()) if len(s) else 0
    ratio = float(lags.ratio.iloc[0]) if len(lags) else float("nan")
    fig.suptitle(f"Online routing beyond a fixed pool: adoption of a changed model (lag: steps until a policy routes "
                 f"to it at least {ratio:.0%} as often as the full-information learner, for good; mean, 95% band over "
                 f"{n} orders); {label}", y=1.02, fontsize=9)
    fig.tight_layout()
    source_note(fig, label)
    return fig


def online_aiq_figure(t: dict[str, pd.DataFrame], label: str) -> plt.Figure:
    """End-of-stream AIQ (the last 30% of each order) of every online policy, the full-information
    learner, the offline routers trained on the first 70%, the Zero router and the per-lambda Oracle
    (left), and each online policy's AIQ minus the Zero router's, paired by order (right); 95% intervals."""
    a = t["online_aiq"]
    systems = list(dict.fromkeys(a.system))
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.42 * len(systems) + 1.8), squeeze=False)
    y = np.arange(len(systems))
    kinds = a.drop_duplicates("system").set_index("system")["kind"]
    kcol = {"online": "C0", "full information": "C1", "baseline": "0.3", "bound": "C2"}
    ax = axes[0, 0]
    g = a[a.metric == "aiq"].set_index("system").reindex(systems)
    for yi, (sname, r) in enumerate(g.iterrows()):
        cc = kcol.get(kinds[sname], "C4")
        ax.plot([r.ci_low, r.ci_high], [yi, yi], color=cc, lw=1.4)
        ax.scatter([r["mean"]], [yi], color=cc, s=22, zorder=3)
    ax.axvline(float(g.loc["zero", "mean"]) if "zero" in g.index else np.nan, color="0.5", lw=0.8, ls="--")
    ax.set_yticks(y, systems)
    ax.set_ylim(len(systems) - 0.5, -0.5)
    ax.set_xlabel("AIQ over the last 30% of the stream (mean quality over the Zero router's cost range)")
    ax.set_title("AIQ (dashed: the Zero router)")
    for kind, cc in kcol.items():
        ax.scatter([], [], color=cc, label=kind)
    ax.scatter([], [], color="C4", label="offline (trained on the first 70%)")
    ax.legend(loc="lower left", fontsize=7)
    ax = axes[0, 1]
    d = a[a.metric == "aiq_minus_zero"].set_index("system").reindex(systems)
    for yi, (_, r) in enumerate(d.iterrows()):
        if not np.isfinite(r["mean"]):
            continue
        cc = "C2" if r.ci_low > 0 else "C3" if r.ci_high < 0 else "0.35"
        ax.plot([r.ci_low, r.ci_high], [yi, yi], color=cc, lw=1.4)
        ax.scatter([r["mean"]], [yi], color=cc, s=22, zorder=3)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y, [""] * len(systems))
    ax.set_ylim(len(systems) - 0.5, -0.5)
    ax.set_xlabel("AIQ minus the Zero router's (paired by order)")
    ax.set_title("against the Zero router (green above, red below, grey within noise)")
    n = int(a.n_seeds.max()) if len(a) else 0
    fig.suptitle(f"Online routing: end-of-stream AIQ with 95% intervals over {n} stream orders; {label}", y=1.02)
    fig.tight_layout()
    source_note(fig, label)
    return fig
