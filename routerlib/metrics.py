"""AIQ over routing systems, as tidy tables.

* :func:`aiq_table` -- per dataset, the AIQ of every system (each router's sweep points
  and the Zero router, i.e. the single models' points) on one shared domain
  (:func:`routerlib.hull.shared_domain`: the smallest and largest cost over all compared
  systems' points, the single models included). Both conventions of
  :func:`routerlib.hull.compare_aiq` (the paper's and the public code's).
* :func:`aiq_wide` -- that table pivoted: one row per dataset plus their ``average``, one
  column per system.
* :func:`vs_zero` -- each router's AIQ minus the Zero router's, with a verdict
  (``above``/``comparable``/``below``) for comparison with the paper's section 5.3.
* :func:`full_size_summary` -- per dataset and model, test-split totals scaled to the full
  dataset (Table 1, Figure 7); :func:`oracle_selection` -- Figure 3's numbers;
  :func:`hull_demo_table` -- Figure 2's numbers from toy points.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .hull import compare_aiq, interpolate, ndch, shared_domain
from .paper import short_name

__all__ = ["aiq_table", "aiq_wide", "aiq_wide_both", "vs_zero", "full_size_summary", "oracle_selection", "hull_demo_table"]


def aiq_table(sweeps: pd.DataFrame, models: pd.DataFrame, zero_name: str = "zero") -> pd.DataFrame:
    """AIQ per dataset and system on the shared domain.

    Parameters
    ----------
    sweeps : DataFrame with columns dataset, router, cost, quality
        Every router's points (all willingness-to-pay values).
    models : DataFrame with columns dataset, model, cost, quality
        The single models' points (the Zero router is their NDCH).

    Returns
    -------
    DataFrame with columns dataset, router, aiq, aiq_public, c_min, c_max
    """
    rows = []
    for d, mp in models.groupby("dataset", sort=False):
        systems = {zero_name: (mp["cost"].to_numpy(float), mp["quality"].to_numpy(float))}
        sw = sweeps[sweeps["dataset"] == d]
        for r, g in sw.groupby("router", sort=False):
            systems[str(r)] = (g["cost"].to_numpy(float), g["quality"].to_numpy(float))
        lo, hi = shared_domain(systems)
        res = compare_aiq(systems, lo, hi)
        for name, v in res.items():
            rows.append((d, name, v["aiq"], v["aiq_public"], lo, hi))
    return pd.DataFrame(rows, columns=["dataset", "router", "aiq", "aiq_public", "c_min", "c_max"])


def aiq_wide(aiq: pd.DataFrame, value: str = "aiq", order: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per dataset plus ``average`` (mean over datasets), one column per system."""
    w = aiq.pivot(index="dataset", columns="router", values=value)
    ds = list(dict.fromkeys(aiq["dataset"]))
    w = w.loc[ds]
    if order is not None:
        w = w[[c for c in order if c in w.columns] + [c for c in w.columns if c not in order]]
    w.loc["average"] = w.mean(axis=0)
    w.columns.name = None
    return w


def aiq_wide_both(aiq: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`aiq_wide` in both conventions side by side (public code's columns suffixed ``_public``),
    the dataset as a column."""
    a = aiq_wide(aiq, "aiq", order)
    b = aiq_wide(aiq, "aiq_public", order).add_suffix("_public")
    return pd.concat([a, b], axis=1).reset_index()


def vs_zero(aiq: pd.DataFrame, tol: float = 0.005, zero_name: str = "zero", value: str = "aiq") -> pd.DataFrame:
    """Each router's AIQ minus the Zero router's, per dataset, with a verdict.

    Returns
    -------
    DataFrame with columns dataset, router, delta, verdict (``above`` if delta > tol,
    ``below`` if delta < -tol, else ``comparable``)
    """
    z = aiq[aiq["router"] == zero_name].set_index("dataset")[value]
    r = aiq[aiq["router"] != zero_name].copy()
    r["delta"] = r[value].to_numpy() - z.loc[r["dataset"]].to_numpy()
    r["verdict"] = np.where(r["delta"] > tol, "above", np.where(r["delta"] < -tol, "below", "comparable"))
    return r[["dataset", "router", "delta", "verdict"]].reset_index(drop=True)


# ----- benchmark summaries (Table 1, Figures 3 and 7) -----------------------------------------
def full_size_summary(test, data) -> pd.DataFrame:
    """``test.summary()`` with each dataset's total cost scaled back to the full dataset's size.

    Table 1's costs are totals over a 30% split of the whole dataset. A run on a share of the
    rows (``scale < 1``, or the simulation's minimum of 40 rows per dataset) divides each
    dataset's totals by the share of its rows that ``data`` holds (``data.meta["row_share"]``,
    1 when absent), so the totals stay comparable with the paper's.

    Returns
    -------
    DataFrame with columns dataset, model, quality, total_cost, n
    """
    out = test.summary()
    share = data.meta.get("row_share", {}) or {}
    out["total_cost"] = out["total_cost"] / out["dataset"].map(lambda d: float(share.get(d, 1.0)))
    return out


def oracle_selection(data) -> pd.DataFrame:
    """Figure 3's numbers: each model's and the Oracle's point over all prompts, and per dataset
    the share of prompts on which the Oracle picks each model (prompts no model solves counted
    apart as ``none correct``: every model ties on them).

    Returns
    -------
    DataFrame with rows of two panels: ``left`` (system, paper_name, total_cost, accuracy) and
    ``right`` (dataset, paper_name, oracle_share)
    """
    choice = data.oracle_choice()
    oc, oq = data.oracle_outcome()
    none_correct = data.quality.max(axis=1) <= 0
    names = [short_name(m) for m in data.models]
    freq = pd.DataFrame(0.0, index=data.datasets, columns=names + ["none correct"])
    for d in data.datasets:
        mask = data.dataset == d
        picks = np.where(none_correct[mask], data.m, choice[mask])
        freq.loc[d] = np.bincount(picks, minlength=data.m + 1) / mask.sum()
    points = pd.DataFrame({"system": list(data.models) + ["oracle"], "paper_name": names + ["Oracle"],
                           "total_cost": np.r_[data.cost.sum(axis=0), oc.sum()],
                           "accuracy": np.r_[data.quality.mean(axis=0), oq.mean()]})
    shares = freq.reset_index(names="dataset").melt(id_vars="dataset", var_name="paper_name",
                                                    value_name="oracle_share")
    return pd.concat([points.assign(panel="left"), shares.assign(panel="right")])


def hull_demo_table(interpolation: dict, points: dict, systems: dict[str, dict]) -> pd.DataFrame:
    """Figure 2's numbers from toy points: an interpolation, which points are NDCH vertices, AIQs.

    Parameters
    ----------
    interpolation : {"A": (c, q), "B": (c, q)}; C is their midpoint (t = 0.5)
    points : name -> (c, q), the points of the NDCH panel
    systems : system name -> {point name -> (c, q)}, compared on their shared domain

    Returns
    -------
    DataFrame (panel, point, cost, quality, on_hull, aiq)
    """
    (a, pa), (b, pb) = interpolation.items()
    ip = {a: pa, b: pb, "C": interpolate(pa, pb, 0.5)}
    c5 = np.array([p[0] for p in points.values()])
    q5 = np.array([p[1] for p in points.values()])
    h = ndch(c5, q5)
    on_hull = [k for k, (c, q) in points.items() if np.any((h.cost == c) & (h.quality == q))]
    arrays = {s: tuple(map(np.array, zip(*pts.values()))) for s, pts in systems.items()}
    res = compare_aiq(arrays)
    rows = ([("interpolation", k, *p, True, np.nan) for k, p in ip.items()]
            + [("ndch", k, c, q, k in on_hull, np.nan) for k, (c, q) in points.items()]
            + [("aiq-" + s, k, *p, True, res[s]["aiq"]) for s, pts in systems.items() for k, p in pts.items()])
    return pd.DataFrame(rows, columns=["panel", "point", "cost", "quality", "on_hull", "aiq"])
