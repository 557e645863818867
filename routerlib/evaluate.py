"""Sweeps of routers over the willingness to pay, per dataset, as tidy tables.

* :func:`wtp_grid` -- a log grid of willingness-to-pay values from "always the cheapest
  model" to "always the best", from the training split's own cost and quality scales.
* :func:`sweep` -- one fitted router over a grid: (willingness_to_pay, cost, quality) with
  cost the TOTAL in USD over the rows (Table 1's convention on the test split) and quality
  the mean. Predictions are made once; every WTP value is a vectorised argmax.
* :func:`model_points`, :func:`oracle_points` -- each single model's and the Oracle's point.
* :func:`select_params` -- hyperparameters chosen on the training split only: an inner
  70/30 split of it, the configuration with the best AIQ there.
* :func:`evaluate_predictive` -- the paper's section 5.3 protocol (Figure 4): per dataset a
  70/30 split (``RoutingData.split(seed)``), each router family's configuration selected on
  the training split, refitted on all of it, swept on the test split; AIQ per router and
  dataset on the shared domain (:func:`routerlib.metrics.aiq_table`).
* :func:`evaluate_out_of_domain` -- Figure 9: train on every other dataset, evaluate on the
  held-out one's test split (and, for reference, the in-domain router).

Features are either a precomputed matrix ``X`` (n, d) row-aligned with the data
(sentence-transformers embeddings, see :mod:`routerlib.embed`) or an embedder object with
``fit``/``transform`` (e.g. :class:`routerlib.embed.TfidfEmbedder`), which is then fitted on
the training prompts of each split only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from .metrics import aiq_table
from .routers import ROUTERS
from .routers.baselines import zero_router_points

__all__ = [
    "GRIDS",
    "PAPER_BEST",
    "EvalResult",
    "wtp_grid",
    "sweep",
    "model_points",
    "oracle_points",
    "select_params",
    "evaluate_predictive",
    "evaluate_out_of_domain",
    "param_str",
]

#: hyperparameter grids of the paper's Appendix B (SVM: the public code's defaults)
GRIDS: dict[str, list[dict]] = {
    "knn": [{"n_neighbors": 5}, {"n_neighbors": 10}, {"n_neighbors": 40}],
    "mlp": [{"hidden_layer_sizes": (100,)}, {"hidden_layer_sizes": (100, 100)}],
    "svm": [{}],
}
#: the paper's best configurations (Appendix B)
PAPER_BEST: dict[str, dict] = {"knn": {"n_neighbors": 40}, "mlp": {"hidden_layer_sizes": (100, 100)}, "svm": {}}


def param_str(params: Mapping) -> str:
    """A compact, stable text form of a parameter dict, e.g. ``n_neighbors=40``."""
    if not params:
        return "default"
    return ",".join(f"{k}={v!r}".replace(" ", "") for k, v in sorted(params.items()))


@dataclass
class EvalResult:
    """Tidy outputs of an evaluation.

    Attributes
    ----------
    sweeps : DataFrame (dataset, router, params, willingness_to_pay, cost, quality)
        cost: total USD over the test split; quality: mean over it.
    models : DataFrame (dataset, model, cost, quality)
    oracle : DataFrame (dataset, cost, quality)
    aiq : DataFrame (dataset, router, aiq, aiq_public, c_min, c_max), Zero router included
    selection : DataFrame (dataset, router, params, inner_aiq, selected)
    """

    sweeps: pd.DataFrame
    models: pd.DataFrame
    oracle: pd.DataFrame
    aiq: pd.DataFrame
    selection: pd.DataFrame = field(default_factory=pd.DataFrame)

    def selected(self) -> pd.DataFrame:
        """The chosen configuration per dataset and router."""
        s = self.selection
        return s[s["selected"]].reset_index(drop=True) if len(s) else s


# ----- pieces -----------------------------------------------------------------------------
def wtp_grid(train, n: int = 40, widen: float = 10.0, min_quality_gap: float = 1e-3) -> np.ndarray:
    """Log-spaced willingness-to-pay values spanning every trade-off of ``train``.

    From (smallest positive gap between two models' mean cost per prompt) / (largest
    possible quality gap, 1) to (largest mean-cost gap) / (smallest positive mean-quality
    gap, floored at ``min_quality_gap``), widened by ``widen`` at both ends: at the low end
    every router picks the cheapest model, at the high end the best predicted one.

    Parameters
    ----------
    train : RoutingData
    n : int
        Number of values (>= 2).

    Returns
    -------
    ndarray of shape (n,), increasing
    """
    c = np.unique(train.cost.mean(axis=0))
    q = np.unique(train.quality.mean(axis=0))
    cg = np.diff(c)
    cg = cg[cg > 0]
    qg = np.diff(q)
    qg = qg[qg > 0]
    c_lo = cg.min() if cg.size else max(float(c.max()), 1e-12)
    c_hi = float(c.max() - c.min()) if c.size > 1 else max(float(c.max()), 1e-12)
    q_lo = max(float(qg.min()) if qg.size else min_quality_gap, min_quality_gap)
    lo = c_lo / 1.0 / widen
    hi = max(c_hi / q_lo * widen, lo * 10)
    return np.geomspace(lo, hi, int(n))


def _outcome_many(data, choices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total cost and mean quality of (w, n) route choices: two arrays of shape (w,)."""
    rows = np.arange(data.n)[None, :]
    cost = data.cost[rows, choices].sum(axis=1)
    quality = data.quality[rows, choices].mean(axis=1)
    return cost, quality


def sweep(router, data, X=None, wtps: np.ndarray | None = None) -> pd.DataFrame:
    """Points of a fitted router over a willingness-to-pay grid.

    Parameters
    ----------
    router : fitted Router
    data : RoutingData (usually the test split), n rows
    X : ndarray of shape (n, d), optional
    wtps : ndarray of shape (w,), optional
        Ignored (one point, ``willingness_to_pay`` NaN) for routers without one.

    Returns
    -------
    DataFrame with columns willingness_to_pay, cost (total USD), quality (mean)
    """
    if getattr(router, "uses_wtp", False) and wtps is not None:
        w = np.asarray(wtps, dtype=float).ravel()
        choices = router.route_many(data, X, w)
        cost, quality = _outcome_many(data, choices)
        return pd.DataFrame({"willingness_to_pay": w, "cost": cost, "quality": quality})
    c, q = router.outcome(data, X)
    return pd.DataFrame({"willingness_to_pay": [np.nan], "cost": [float(np.sum(c))], "quality": [float(np.mean(q))]})


def model_points(data) -> pd.DataFrame:
    """Each single model's point per dataset: total cost (USD) and mean quality.

    Returns
    -------
    DataFrame with columns dataset, model, cost, quality (m rows per dataset)
    """
    frames = []
    for d in data.datasets:
        c, q = zero_router_points(data.subset(d))
        frames.append(pd.DataFrame({"dataset": d, "model": data.models, "cost": c, "quality": q}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["dataset", "model", "cost", "quality"])


def oracle_points(data) -> pd.DataFrame:
    """The Oracle's point per dataset (best quality per prompt, cheapest among ties)."""
    rows = []
    for d in data.datasets:
        sub = data.subset(d)
        o = sub.oracle_choice()
        r = np.arange(sub.n)
        rows.append((d, float(sub.cost[r, o].sum()), float(sub.quality[r, o].mean())))
    return pd.DataFrame(rows, columns=["dataset", "cost", "quality"])


def _features(X, train, test, train_idx, test_idx, prompts=None):
    """(X_train, X_test) from a matrix (row-indexed) or an embedder (fitted on train only)."""
    if X is None:
        return None, None
    if hasattr(X, "fit") and hasattr(X, "transform"):
        p_all = prompts
        p_tr = train.prompt if p_all is None else p_all[train_idx]
        p_te = test.prompt if p_all is None else p_all[test_idx]
        emb = clone_embedder(X).fit(p_tr)
        return emb.transform(p_tr), emb.transform(p_te)
    X = np.asarray(X)
    return X[train_idx], X[test_idx]


def clone_embedder(e):
    """A fresh, unfitted copy of an embedder (same constructor arguments)."""
    try:
        return clone(e)
    except Exception:
        return e


def _make(family: str, params: Mapping, base: Mapping | None = None):
    kw = dict(base or {})
    kw.update(params)
    return ROUTERS[family](**kw)


def _inner_select(family, grid, data, rows, X, prompts, seed, n_wtp, base):
    """AIQ of each configuration on an inner 70/30 split of ``rows`` (training rows only)."""
    sub = data.select(rows)
    inner_test = sub.split_mask(seed=seed + 1)
    tr_idx, va_idx = rows[~inner_test], rows[inner_test]
    tr, va = data.select(tr_idx), data.select(va_idx)
    Xtr, Xva = _features(X, tr, va, tr_idx, va_idx, prompts)
    wtps = wtp_grid(tr, n_wtp)
    pts = []
    for params in grid:
        r = _make(family, params, base).fit(tr, Xtr)
        s = sweep(r, va, Xva, wtps)
        s["dataset"], s["router"] = "inner", param_str(params)
        pts.append(s)
    sw = pd.concat(pts, ignore_index=True)
    mp = model_points(va)
    mp["dataset"] = "inner"
    a = aiq_table(sw, mp)
    a = a[a["router"] != "zero"].set_index("router")["aiq"]
    return [float(a[param_str(p)]) for p in grid]


def select_params(family: str, data, X=None, grid: Sequence[Mapping] | None = None, seed: int = 0,
                  n_wtp: int = 40, prompts: np.ndarray | None = None, base: Mapping | None = None
                  ) -> tuple[dict, pd.DataFrame]:
    """Choose a router family's configuration on training data only.

    An inner 70/30 split of ``data`` (by sample_id, per dataset, seed ``seed + 1``); each
    configuration is fitted on the inner 70%, swept on the inner 30%, and the one with the
    best AIQ (paper convention, shared domain with the single models) wins; ties go to the
    earlier configuration in ``grid``.

    Parameters
    ----------
    family : str
        A key of ``ROUTERS`` (``knn``, ``mlp``, ``svm``).
    data : RoutingData
        The (outer) training split.
    X : ndarray of shape (n, d) or embedder, optional

    Returns
    -------
    best : dict
    table : DataFrame (router, params, inner_aiq, selected)
    """
    grid = list(GRIDS[family] if grid is None else grid)
    return _select_rows(family, data, np.arange(data.n), X, grid, seed, n_wtp, prompts, base)


# ----- protocols --------------------------------------------------------------------------
def evaluate_predictive(
    data,
    X=None,
    routers: Sequence[str] = ("knn", "mlp", "svm"),
    grids: Mapping[str, Sequence[Mapping]] | None = None,
    datasets: Sequence[str] | None = None,
    seed: int = 0,
    n_wtp: int = 40,
    select: bool = True,
    prompts: np.ndarray | None = None,
    base: Mapping[str, Mapping] | None = None,
    progress: bool = False,
) -> EvalResult:
    """The paper's Figure 4 protocol, per dataset.

    Parameters
    ----------
    data : RoutingData with n rows
    X : ndarray of shape (n, d), or an embedder with fit/transform, or None
        Prompt features (None only for routers that need none).
    routers : sequence of ROUTERS keys
    grids : mapping family -> list of parameter dicts (default :data:`GRIDS`)
    datasets : which datasets (default: every one present)
    seed : int
        The 70/30 split (``data.split_mask(seed)``); the inner selection split uses ``seed + 1``.
    n_wtp : int
        Willingness-to-pay values per sweep (log grid, :func:`wtp_grid`).
    select : bool
        Select each family's configuration on the training split; if False, use
        :data:`PAPER_BEST` (or the first grid entry).
    prompts : ndarray of shape (n,), optional
        The prompt texts an embedder sees (e.g. :func:`routerlib.embed.prompt_view`).
    base : mapping family -> fixed parameters (e.g. ``{"knn": {"cost_model": "knn"}}``)

    Returns
    -------
    EvalResult
    """
    grids = dict(GRIDS if grids is None else grids)
    base = dict(base or {})
    test_mask = data.split_mask(seed)
    ds = list(data.datasets if datasets is None else datasets)
    sweeps, sels, mps, ops = [], [], [], []
    it = ds
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(ds, desc="datasets")
    for d in it:
        in_d = data.dataset == d
        tr_idx = np.flatnonzero(in_d & ~test_mask)
        te_idx = np.flatnonzero(in_d & test_mask)
        train, test = data.select(tr_idx), data.select(te_idx)
        Xtr, Xte = _features(X, train, test, tr_idx, te_idx, prompts)
        wtps = wtp_grid(train, n_wtp)
        for fam in routers:
            grid = grids.get(fam, [{}])
            if select:
                params, tab = _select_rows(fam, data, tr_idx, X, grid, seed, n_wtp, prompts, base.get(fam))
            else:
                params = PAPER_BEST.get(fam, grid[0]) if fam in PAPER_BEST else grid[0]
                tab = pd.DataFrame({"router": fam, "params": [param_str(params)], "inner_aiq": [np.nan],
                                    "selected": [True]})
            tab.insert(0, "dataset", d)
            sels.append(tab)
            r = _make(fam, params, base.get(fam)).fit(train, Xtr)
            s = sweep(r, test, Xte, wtps)
            s.insert(0, "params", param_str(params))
            s.insert(0, "router", fam)
            s.insert(0, "dataset", d)
            sweeps.append(s)
        mp = model_points(test)
        mps.append(mp)
        ops.append(oracle_points(test))
    return _result(sweeps, mps, ops, sels)


def _select_rows(fam, data, rows, X, grid, seed, n_wtp, prompts, base):
    """Select among ``grid`` using only ``rows`` of ``data`` (an inner split of them)."""
    grid = list(grid)
    if len(grid) == 1 or rows.size < 10:
        scores, best = [np.nan] * len(grid), 0
    else:
        scores = _inner_select(fam, grid, data, rows, X, prompts, seed, n_wtp, base)
        best = int(np.nanargmax(scores))
    tab = pd.DataFrame({"router": fam, "params": [param_str(p) for p in grid], "inner_aiq": scores,
                        "selected": [i == best for i in range(len(grid))]})
    return dict(grid[best]), tab


def _result(sweeps, mps, ops, sels) -> EvalResult:
    cols = ["dataset", "router", "params", "willingness_to_pay", "cost", "quality"]
    sw = pd.concat(sweeps, ignore_index=True)[cols] if sweeps else pd.DataFrame(columns=cols)
    mp = pd.concat(mps, ignore_index=True) if mps else pd.DataFrame(columns=["dataset", "model", "cost", "quality"])
    op = pd.concat(ops, ignore_index=True) if ops else pd.DataFrame(columns=["dataset", "cost", "quality"])
    sel = pd.concat(sels, ignore_index=True) if sels else pd.DataFrame()
    a = aiq_table(sw, mp) if len(mp) else pd.DataFrame(columns=["dataset", "router", "aiq", "aiq_public", "c_min", "c_max"])
    return EvalResult(sweeps=sw, models=mp, oracle=op, aiq=a, selection=sel)


def evaluate_out_of_domain(
    data,
    X=None,
    held_out: Sequence[str] = ("mt-bench", "mbpp", "gsm8k"),
    routers: Sequence[str] = ("knn", "mlp"),
    params: Mapping[str, Mapping] | None = None,
    seed: int = 0,
    n_wtp: int = 40,
    in_domain: bool = True,
    prompts: np.ndarray | None = None,
) -> EvalResult:
    """Figure 9: train on all other datasets, evaluate on a held-out one.

    For each held-out dataset present in ``data``, each router is fitted on every row of the
    other datasets and swept on the held-out dataset's test split (the same 30% as in
    :func:`evaluate_predictive`, so costs are Table 1 totals). With ``in_domain`` the same
    configuration trained on the held-out dataset's own training split is added as
    ``<router>-in-domain`` for reference. Held-out datasets that are absent are skipped (the
    caller reports them); with fewer than two datasets nothing can be held out and an empty
    result is returned.

    Returns
    -------
    EvalResult (its ``selection`` lists the configuration used, ``params`` default :data:`PAPER_BEST`)
    """
    params = dict(PAPER_BEST if params is None else params)
    test_mask = data.split_mask(seed)
    present = [d for d in held_out if d in set(data.datasets)]
    sweeps, sels, mps, ops = [], [], [], []
    if len(data.datasets) < 2:
        return _result([], [], [], [])
    for d in present:
        in_d = data.dataset == d
        te_idx = np.flatnonzero(in_d & test_mask)
        test = data.select(te_idx)
        settings = [("", np.flatnonzero(~in_d))]
        if in_domain:
            settings.append(("-in-domain", np.flatnonzero(in_d & ~test_mask)))
        for suffix, tr_idx in settings:
            train = data.select(tr_idx)
            Xtr, Xte = _features(X, train, test, tr_idx, te_idx, prompts)
            wtps = wtp_grid(train, n_wtp)
            for fam in routers:
                p = dict(params.get(fam, {}))
                r = _make(fam, p).fit(train, Xtr)
                s = sweep(r, test, Xte, wtps)
                s.insert(0, "params", param_str(p))
                s.insert(0, "router", fam + suffix)
                s.insert(0, "dataset", d)
                sweeps.append(s)
                sels.append(pd.DataFrame({"dataset": [d], "router": [fam + suffix], "params": [param_str(p)],
                                          "inner_aiq": [np.nan], "selected": [True]}))
        mps.append(model_points(test))
        ops.append(oracle_points(test))
    return _result(sweeps, mps, ops, sels)
