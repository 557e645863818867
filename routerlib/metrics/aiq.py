"""AIQ over routing systems, as tidy tables (the paper's section 3.3 and the public code's convention).

* :func:`aiq_table` -- per dataset, the AIQ of every system (each router's sweep points
  and the Zero router, i.e. the single models' points) on one shared domain
  (:func:`routerlib.hull.shared_domain`: the smallest and largest cost over all compared
  systems' points, the single models included). Both conventions of
  :func:`routerlib.hull.compare_aiq` (the paper's and the public code's).
* :func:`aiq_wide` -- that table pivoted: one row per dataset plus their ``average``, one
  column per system.
* :func:`vs_zero` -- each router's AIQ minus the Zero router's, with a verdict
  (``above``/``comparable``/``below``) for comparison with the paper's section 5.3.
* :func:`heldout_aiq` -- the AIQ of a curve through configurations chosen on another split.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..hull import aiq, compare_aiq, curve, public_end, shared_domain

__all__ = ["aiq_table", "aiq_wide", "aiq_wide_both", "vs_zero", "heldout_aiq"]


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
    DataFrame with columns dataset, router, aiq, aiq_public, c_min, c_max (the paper's shared
    domain), c_public (the public convention's end, :func:`routerlib.hull.public_end`)
    """
    rows = []
    for d, mp in models.groupby("dataset", sort=False):
        systems = {zero_name: (mp["cost"].to_numpy(float), mp["quality"].to_numpy(float))}
        sw = sweeps[sweeps["dataset"] == d]
        for r, g in sw.groupby("router", sort=False):
            systems[str(r)] = (g["cost"].to_numpy(float), g["quality"].to_numpy(float))
        lo, hi = shared_domain(systems)
        c_pub = public_end(systems)
        res = compare_aiq(systems, lo, hi)
        for name, v in res.items():
            rows.append((d, name, v["aiq"], v["aiq_public"], lo, hi, c_pub))
    return pd.DataFrame(rows, columns=["dataset", "router", "aiq", "aiq_public", "c_min", "c_max", "c_public"])


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


def heldout_aiq(cost, quality, c_min: float, c_max: float) -> float:
    """AIQ (paper convention) of the curve through the given test points, without a hull.

    The points are the test outcomes of the configurations a router's hull held on the
    validation split (:func:`routerlib.hull.curve`: sorted by cost, linear between them, flat
    after the last, the null router's line before the first). No point is dropped for being
    below the others on the test split: that choice was made on validation, so the value carries
    no hindsight.

    >>> round(heldout_aiq([1.0, 2.0, 3.0], [0.6, 0.4, 0.8], 1.0, 3.0), 6)
    0.55
    """
    return float(aiq(curve(cost, quality), c_min, c_max))
