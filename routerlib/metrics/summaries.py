"""Summaries of a benchmark (no router involved): Table 1, Figures 2, 3 and 7.

* :func:`full_size_summary` -- per dataset and model, test-split totals scaled to the full
  dataset (Table 1, Figure 7)
* :func:`oracle_selection` -- Figure 3's numbers
* :func:`hull_demo_table` -- Figure 2's numbers from toy points
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..hull import compare_aiq, interpolate, ndch
from ..paper import short_name

__all__ = ["full_size_summary", "oracle_selection", "hull_demo_table"]


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
