"""Statistics over seeds: means with confidence intervals, paired differences, verdicts.

A protocol run gives one value per (seed, dataset, router, metric); each seed is its own random
70/30 split of the same prompts. Two intervals are reported:

* **corrected** (the one verdicts use): the t-interval of Nadeau and Bengio's corrected
  resampled t-test, standard error ``s * sqrt(1/n + n_test/n_train)``. Repeated random splits
  share most of their prompts, so seeds are not independent samples and the naive interval is
  too narrow (Nadeau & Bengio 2003, *Inference for the generalization error*; Bouckaert & Frank
  2004). With 5 seeds and a 30% test split it is 1.77 times the naive width.
* **naive**: the textbook t-interval ``s / sqrt(n)``, for comparison.

Both use Student's t with ``n - 1`` degrees of freedom; one seed gives no interval (NaN).

* :func:`mean_ci` -- mean, std and both intervals of one sample
* :func:`summarize` -- the same for every group of a tidy per-seed table (the leaderboard's long format)
* :func:`paired_differences` -- router minus a reference (the Zero router), paired by seed and dataset
* :func:`verdict` -- ``above`` / ``below`` / ``within noise`` from an interval
* :func:`ci_table` -- a summary as a printable table of ``mean [low, high] verdict`` cells
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["TEST_SHARE", "Interval", "mean_ci", "summarize", "paired_differences", "verdict", "ci_table"]

#: the test share of every split of the protocol (the paper's 70/30)
TEST_SHARE = 0.3


class Interval(NamedTuple):
    mean: float
    std: float
    ci_low: float
    ci_high: float
    ci_low_naive: float
    ci_high_naive: float
    n: int


def mean_ci(values: Sequence[float], level: float = 0.95, test_share: float = TEST_SHARE) -> Interval:
    """Mean, sample std (ddof 1) and the corrected and naive t-intervals of ``values``.

    Parameters
    ----------
    values : sequence of float, shape (n,)
        One value per seed; NaN values are left out (and not counted in ``n``).
    level : float
        Coverage of the intervals.
    test_share : float in (0, 1)
        Share of the prompts in each test split (the correction's ``n_test / n_train`` is
        ``test_share / (1 - test_share)``).

    >>> r = mean_ci([0.1, 0.2, 0.3, 0.4, 0.5])
    >>> round(r.mean, 6), round(r.std, 6), r.n
    (0.3, 0.158114, 5)
    >>> round(float(r.ci_high_naive - r.mean), 4), round(float(r.ci_high - r.mean), 4)  # t(0.975, 4) = 2.776
    (0.1963, 0.348)
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = int(v.size)
    if n == 0:
        return Interval(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 0)
    m = float(v.mean())
    if n == 1:
        return Interval(m, np.nan, np.nan, np.nan, np.nan, np.nan, 1)
    s = float(v.std(ddof=1))
    t = float(_st.t.ppf(0.5 + level / 2, n - 1))
    half_naive = float(t * s / np.sqrt(n))
    half = float(t * s * np.sqrt(1.0 / n + test_share / (1.0 - test_share)))
    return Interval(m, s, m - half, m + half, m - half_naive, m + half_naive, n)


def verdict(ci_low: float, ci_high: float) -> str:
    """``above`` when the whole interval is above 0, ``below`` when below, else ``within noise``.

    >>> verdict(0.001, 0.01), verdict(-0.02, 0.01), verdict(-0.03, -0.001)
    ('above', 'within noise', 'below')
    """
    if np.isnan(ci_low) or np.isnan(ci_high):
        return "n/a"
    if ci_low > 0:
        return "above"
    if ci_high < 0:
        return "below"
    return "within noise"


def summarize(per_seed: pd.DataFrame, by: Sequence[str] = ("dataset", "router", "metric"), value: str = "value",
              level: float = 0.95, test_share: float = TEST_SHARE) -> pd.DataFrame:
    """One row per group of ``by``: mean, std, the corrected CI, the naive CI, n_seeds.

    ``per_seed`` holds one row per seed and group, the number in column ``value``. Groups keep
    their first-appearance order.

    Returns
    -------
    DataFrame with columns *by, mean, std, ci_low, ci_high, ci_low_naive, ci_high_naive, n_seeds
    """
    by = list(by)
    rows = []
    for key, g in per_seed.groupby(by, sort=False):
        r = mean_ci(g[value].to_numpy(float), level, test_share)
        rows.append((*(key if isinstance(key, tuple) else (key,)), r.mean, r.std, r.ci_low, r.ci_high,
                     r.ci_low_naive, r.ci_high_naive, r.n))
    cols = by + ["mean", "std", "ci_low", "ci_high", "ci_low_naive", "ci_high_naive", "n_seeds"]
    return pd.DataFrame(rows, columns=cols)


def paired_differences(per_seed: pd.DataFrame, metrics: Sequence[str], reference: str = "zero",
                       value: str = "value") -> pd.DataFrame:
    """Each router's value minus the reference router's, paired by seed and dataset.

    ``per_seed``: columns seed, dataset, router, metric, ``value``. Returns rows of the same
    shape with metric ``<metric>_minus_<reference>`` for every router but the reference.
    """
    p = per_seed[per_seed["metric"].isin(metrics)]
    ref = p[p["router"] == reference].set_index(["seed", "dataset", "metric"])[value]
    other = p[p["router"] != reference].copy()
    key = pd.MultiIndex.from_frame(other[["seed", "dataset", "metric"]])
    other[value] = other[value].to_numpy(float) - ref.reindex(key).to_numpy(float)
    other["metric"] = other["metric"] + f"_minus_{reference}"
    return other.reset_index(drop=True)


def ci_table(summary: pd.DataFrame, index: str | Sequence[str] = "router", columns: str = "dataset") -> pd.DataFrame:
    """A summary (columns mean, ci_low, ci_high and optionally verdict) as a printable table of
    ``"+0.012 [-0.003, +0.027] within noise"`` cells, ``index`` by ``columns`` (first-appearance order).

    >>> t = pd.DataFrame({"router": ["knn"], "dataset": ["arc"], "mean": [0.01], "ci_low": [-0.02], "ci_high": [0.04]})
    >>> ci_table(t).loc["knn", "arc"]
    '+0.010 [-0.020, +0.040]'
    """
    f = "{:+.3f}".format
    cell = summary["mean"].map(f) + " [" + summary["ci_low"].map(f) + ", " + summary["ci_high"].map(f) + "]"
    if "verdict" in summary:
        cell = (cell + " " + summary["verdict"].fillna("")).str.rstrip()
    out = summary.assign(cell=cell).pivot(index=index, columns=columns, values="cell")
    return out.reindex(columns=list(dict.fromkeys(summary[columns])))
