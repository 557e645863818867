"""The evaluation protocols: one sweep over any router's knob, the splits, training-only selection.

* :func:`sweep` -- one fitted router over its knob's values (:attr:`Router.knob`: willingness to
  pay, cost cap, ...): a table of (knob, value, cost, quality), cost = the TOTAL in USD over the
  rows (Table 1's convention on the test split), quality = the mean. Every family is swept by
  this one function; each computes its outcomes for all values at once
  (:meth:`Router.sweep_outcomes`).
* :class:`RouterSpec` -- a router to evaluate: a name, a registry family or an estimator, fixed
  parameters, and a grid of hyperparameters to select among.
* :func:`select_params` -- hyperparameters chosen on training rows only: an inner 70/30 split of
  them, the configuration with the best AIQ there.
* :func:`evaluate_split` -- one split: given training and test rows, select (optional), fit on
  the training rows, sweep on the test rows, with the single models' and the Oracle's test points
  and the AIQ table (:func:`routerlib.metrics.aiq_table`). The notebooks score routers through the
  multi-seed protocol (:mod:`routerlib.protocol`) except where it does not fit, which is what keeps
  this function: Figure 9's out-of-domain split (training rows from the other datasets, notebook
  05) and Figure 6's per-prompt routes (which prompts go to an online model, notebook 08; the
  protocol keeps points and AIQs, not routes).
* :func:`evaluate_predictive` -- Figure 4 (section 5.3): per dataset, its own 70/30 split.
* :func:`evaluate_out_of_domain` -- Figure 9: train on every other dataset, test on the held-out
  one's test split (and the in-domain router beside it).
* :func:`evaluate_cascade` -- Figures 5 and 8: the cascade at every judge error rate and
  variant, per dataset, plus the Oracle and overgenerate-and-rerank points.

Features are either a precomputed matrix ``X`` (n, d) row-aligned with the data (sentence
embeddings, see :mod:`routerlib.embed`) or an unfitted embedder (a scikit-learn transformer of
prompts, e.g. :class:`routerlib.embed.TfidfEmbedder`), which is then cloned and fitted on the
training prompts of each split only. A matrix must have exactly one finite row per prompt
(:func:`check_features`): more or fewer rows would misalign every prompt with its features.

Routers get read-only views of the data and features (:func:`routerlib.routers.base.read_only`),
and what they return is checked (:func:`routerlib.routers.base.check_outcomes`); a broken
contract raises :class:`~routerlib.routers.base.RouteError` naming the router, the seed and the
dataset.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from .fingerprint import content_hash
from .memo import disk_cache, inputs_key
from .metrics import aiq_table
from .paper import PAPER_BEST, PAPER_GRIDS
from .routers import ROUTERS, OvergenerateRouter
from .routers.base import RouteError, as_router, check_outcomes, read_only
from .routers.cascade import ERROR_RATES

__all__ = [
    "RouterSpec",
    "EvalResult",
    "CascadeStudy",
    "sweep",
    "features",
    "param_str",
    "paper_specs",
    "select_params",
    "evaluate_split",
    "points_by",
    "evaluate_predictive",
    "evaluate_out_of_domain",
    "evaluate_cascade",
    "check_features",
    "split_sizes",
    "too_small",
    "MIN_TRAIN",
]

_SWEEP_COLS = ["dataset", "router", "params", "knob", "value", "cost", "quality"]
#: the purpose key of the inner (train-in / validation) split (:meth:`RoutingData.split_mask`)
INNER = "inner/"
#: training rows :func:`select_params` needs to split off a validation part (fewer: nothing is scored)
MIN_TRAIN = 10


def check_features(X, data, prompts=None):
    """``X`` when it can be used with ``data``: None, an embedder (``fit``/``transform``), or a numeric
    matrix of shape (n, d) with one finite row per prompt; ``prompts`` (optional) one per prompt.

    Raises
    ------
    ValueError
        Naming both row counts when they differ, or how many rows hold NaN/inf and the first one's
        row, sample id and dataset (nothing is dropped or filled in).
    """
    if prompts is not None and len(prompts) != data.n:
        raise ValueError(f"prompts has {len(prompts)} entries but the data has {data.n} prompts; give one per prompt")
    if X is None or (hasattr(X, "fit") and hasattr(X, "transform")):
        return X
    A = np.asarray(X)
    if A.ndim != 2:
        raise ValueError(f"X has shape {A.shape}; expected ({data.n}, d), one row of features per prompt")
    if A.shape[0] != data.n:
        raise ValueError(f"X has {A.shape[0]} rows but the data has {data.n} prompts; X needs exactly one row per "
                         "prompt, in the data's order")
    if A.dtype.kind not in "fiu":
        raise ValueError(f"X has dtype {A.dtype}; expected numbers")
    bad = ~np.isfinite(A).all(axis=1) if A.dtype.kind == "f" else np.zeros(A.shape[0], dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"X has {int(bad.sum())} row(s) with NaN or inf; the first is row {i} (sample id "
                         f"{data.sample_id[i]!r}, dataset {data.dataset[i]!r}); embed those prompts again or leave "
                         "their rows out of the data")
    return A


def split_sizes(n_ids: int, test_size: float = 0.3) -> tuple[int, int]:
    """(training, test) sample ids of a dataset with ``n_ids`` ids under
    :meth:`RoutingData.split_mask`'s rule: ``round(test_size * n_ids)`` test ids, at least one on
    each side (with two or more ids). The same for every seed.

    >>> split_sizes(13), split_sizes(14), split_sizes(9)
    ((9, 4), (10, 4), (6, 3))
    """
    n_test = int(round(test_size * n_ids))
    if n_ids >= 2:
        n_test = min(max(n_test, 1), n_ids - 1)
    return n_ids - n_test, n_test


def too_small(spec: "RouterSpec", n_ids: int) -> tuple[str | None, tuple]:
    """Whether a dataset of ``n_ids`` sample ids is too small for ``spec`` under the protocol's
    splits (70/30, then 70/30 of the training part into train-in and validation).

    Two rules, decided before anything runs (the split sizes depend only on ``n_ids``):

    * every router needs :data:`MIN_TRAIN` training ids, so that a validation split exists (the
      held-out configurations are chosen on it);
    * a router that declares ``min_train_rows()`` (the fewest rows its ``fit`` can learn from) needs
      that many train-in ids. Grid entries that ask for more are dropped from the grid for this
      dataset; when none is left, the pair is too small. (Size parameters that a family caps, such
      as KNN's ``n_neighbors`` or Avengers-Pro's ``n_clusters`` at the training rows, do not make
      an entry infeasible: the family documents the cap, and dropping ``n_neighbors=40`` would
      change which k's compete on datasets as large as MT-Bench.)

    Returns
    -------
    why : str or None
        Why the pair cannot run, or None.
    grid : tuple of dict
        The grid entries that can run (all of ``spec.grid`` when none is dropped).
    """
    n_train, _ = split_sizes(n_ids)
    if n_train < MIN_TRAIN:
        need = next(k for k in range(n_ids, 10 * MIN_TRAIN) if split_sizes(k)[0] >= MIN_TRAIN)
        return (f"{n_ids} sample ids leave {n_train} for training, too few for a validation split (it needs "
                f"{MIN_TRAIN} training ids, i.e. {need} sample ids)"), ()
    n_train_in = n_train - split_sizes(n_train)[1]
    ok = []
    for params in spec.grid:
        need = _min_train_rows(spec.make(params))
        if n_train_in >= need:
            ok.append(params)
    if not ok:
        need = min(_min_train_rows(spec.make(p)) for p in spec.grid)
        return (f"{n_ids} sample ids leave {n_train_in} train-in rows; the router needs at least {need} to fit"), ()
    return None, tuple(ok)


def _min_train_rows(router) -> int:
    f = getattr(router, "min_train_rows", None)
    if f is None:
        return 1
    v = f() if callable(f) else f
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{type(router).__name__}.min_train_rows gave {v!r}; expected an integer >= 1")
    return int(v)


@contextlib.contextmanager
def naming(name: str, seed, dataset):
    """Errors raised inside carry the router's name, the seed and the dataset: a broken router
    contract (:class:`RouteError`) in its message, anything else as a note on the exception."""
    where = f"router {name!r} on seed {seed}, dataset {dataset!r}"
    try:
        yield
    except RouteError as e:
        raise RouteError(f"{where}: {e}") from e
    except Exception as e:
        e.add_note(f"raised by {where}")
        raise


def param_str(params: Mapping) -> str:
    """A compact, stable text form of a parameter dict, e.g. ``n_neighbors=40``.

    >>> param_str({"n_neighbors": 40}), param_str({})
    ('n_neighbors=40', 'default')
    """
    if not params:
        return "default"
    return ",".join(f"{k}={v!r}".replace(" ", "") for k, v in sorted(params.items()))


# ----- the one sweep ----------------------------------------------------------------------
def sweep(router, data, X=None, values=None, dataset: str | None = None, n: int | None = None,
          return_outcomes: bool = False, who: str | None = None):
    """Points of a fitted router over its knob.

    Parameters
    ----------
    router : fitted Router
    data : RoutingData (usually one dataset's test split), n rows
    X : ndarray of shape (n, d), optional
    values : array_like of shape (k,), optional
        Knob values; default the router's own :meth:`~Router.knob_grid` (from its training
        data, for ``dataset``, ``n`` values). Ignored (one point, value NaN) without a knob.
    return_outcomes : bool
        Also return the per-prompt :class:`~routerlib.routers.base.Outcomes` (k, n).
    who : str, optional
        The router's name in errors (default: its class name).

    The router sees read-only views of ``data`` and ``X``; its outcomes are checked
    (:func:`~routerlib.routers.base.check_outcomes`: one valid model index or -1, one finite cost
    >= 0 and one quality in [0, 1] per prompt and value).

    Returns
    -------
    DataFrame with columns knob, value, cost (total USD), quality (mean); one row per value
    """
    if router.knob is None:
        vals = np.array([np.nan])
    elif values is None:
        vals = router.knob_grid(n, dataset=dataset)
    else:
        vals = np.atleast_1d(np.asarray(values, dtype=float))
    out = router.sweep_outcomes(read_only(data), read_only(X), None if router.knob is None else vals)
    out = check_outcomes(out, len(vals), data.n, data.m, who or type(router).__name__)
    df = pd.DataFrame({"knob": router.knob or "", "value": vals, "cost": out.cost.sum(axis=1),
                       "quality": out.quality.mean(axis=1)})
    return (df, out) if return_outcomes else df


def features(X, data, train_idx: np.ndarray, test_idx: np.ndarray, prompts: np.ndarray | None = None):
    """(X_train, X_test): rows of a matrix, or an embedder cloned and fitted on the training prompts.

    ``prompts`` (n,) are the texts an embedder sees (default ``data.prompt``; e.g.
    :func:`routerlib.embed.prompt_view`). None gives (None, None).
    """
    if X is None:
        return None, None
    if hasattr(X, "fit") and hasattr(X, "transform"):
        p = data.prompt if prompts is None else np.asarray(prompts, dtype=object)
        train, test = p[train_idx], p[test_idx]
        if not type(X).__module__.startswith("routerlib."):  # a user's embedder: fitted every time
            emb = clone(X).fit(train)
            return emb.transform(train), emb.transform(test)
        # routerlib's embedders are deterministic: the routers of one (seed, dataset) share one fit
        key = content_hash(type(X).__qualname__, X.get_params(), train, test)
        if key not in _FITTED:
            emb = clone(X)
            _FITTED[key] = (read_only(emb.fit_transform(train)), read_only(emb.transform(test)))
            while len(_FITTED) > _FITTED_MAX:
                _FITTED.pop(next(iter(_FITTED)))
        return _FITTED[key]
    X = np.asarray(X)
    return X[train_idx], X[test_idx]


#: features of routerlib's embedders fitted in this process, by (embedder, training texts, test
#: texts): the last few only (a protocol job's splits), read-only as the routers see them anyway
_FITTED: dict[str, tuple] = {}
_FITTED_MAX = 6


# ----- what to evaluate -------------------------------------------------------------------
@dataclass(frozen=True)
class RouterSpec:
    """One router to evaluate.

    Attributes
    ----------
    name : str
        Its name in every table.
    router : str or estimator
        A key of :data:`routerlib.routers.ROUTERS`, or an unfitted object with ``fit``/``route``
        (cloned for every fit).
    params : dict
        Fixed parameters (e.g. ``{"error_rate": 0.2}``).
    grid : tuple of dict
        Hyperparameters to select among on the training rows (one entry: no selection).
    """

    name: str
    router: object
    params: Mapping = field(default_factory=dict)
    grid: tuple = ({},)

    def make(self, params: Mapping | None = None, seed: int | None = None):
        """An unfitted router with the fixed parameters and ``params``.

        ``seed`` becomes the router's ``random_state`` or ``seed`` (MLP initialisation, random
        draws, a cascade's judge errors) unless the spec fixes one, so a protocol over seeds varies
        the model with the split.
        """
        kw = dict(self.params)
        kw.update(params or {})
        if isinstance(self.router, str):
            r = ROUTERS[self.router](**kw)
        elif hasattr(self.router, "get_params"):
            r = as_router(clone(self.router).set_params(**kw))
        else:  # a plain object with fit/route (bring your own router)
            if kw:
                raise ValueError(f"{self.name}: parameters {sorted(kw)} need a router with get_params/set_params")
            r = as_router(self.router)
        if seed is not None:
            for name in ("random_state", "seed"):
                if name in r.get_params() and name not in kw:
                    r.set_params(**{name: seed})
        return r


def paper_specs(families: Sequence[str] = ("knn", "mlp", "svm"), select: bool = True,
                base: Mapping[str, Mapping] | None = None) -> list[RouterSpec]:
    """Specs of the paper's predictive routers: Appendix B's grids (``select``) or its best
    configurations; ``base`` adds fixed parameters per family."""
    base = dict(base or {})
    out = []
    for f in families:
        grid = tuple(PAPER_GRIDS.get(f, [{}])) if select else (dict(PAPER_BEST.get(f, {})),)
        out.append(RouterSpec(f, f, dict(base.get(f, {})), grid))
    return out


# ----- selection on training rows ---------------------------------------------------------
def _inner_sweeps(spec: RouterSpec, data, rows: np.ndarray, X, prompts, seed: int, n_knob) -> dict[str, pd.DataFrame]:
    """Each grid entry fitted on the inner 70% of ``rows`` and swept on the inner 30% (validation)."""
    sub = data.select(rows)
    inner_test = sub.split_mask(seed=seed, purpose=INNER)
    tr_idx, va_idx = rows[~inner_test], rows[inner_test]
    tr, va = read_only(data.select(tr_idx)), read_only(data.select(va_idx))
    Xtr, Xva = (read_only(a) for a in features(X, data, tr_idx, va_idx, prompts))
    out = {}
    label = str(va.datasets[0]) if va.datasets else None
    with naming(spec.name, seed, label if len(va.datasets) == 1 else "/".join(va.datasets)):
        for params in spec.grid:
            r = spec.make(params, seed).fit(tr, Xtr)
            out[param_str(params)] = sweep(r, va, Xva, n=n_knob, dataset=label, who=spec.name)
    out["__models__"] = va.model_points()
    return out


def _inner_aiq(sweeps: dict[str, pd.DataFrame], grid) -> list[float]:
    """AIQ of each grid entry's validation sweep, on the shared domain with the single models."""
    pts = [s.assign(dataset="inner", router=k) for k, s in sweeps.items() if k != "__models__"]
    a = aiq_table(pd.concat(pts, ignore_index=True), sweeps["__models__"].assign(dataset="inner"))
    a = a[a["router"] != "zero"].set_index("router")["aiq"]
    return [float(a[param_str(p)]) for p in grid]


def select_params(spec: RouterSpec, data, rows: np.ndarray | None = None, X=None, seed: int = 0,
                  n_knob: int | None = None, prompts: np.ndarray | None = None,
                  keep_sweeps: bool = False) -> tuple[dict, pd.DataFrame]:
    """Choose among ``spec.grid`` on training rows only.

    An inner 70/30 split of ``rows`` (by sample_id, per dataset; its own seeded draw,
    ``split_mask(seed, purpose="inner/")``): each configuration is fitted on the inner 70%
    (train-in), swept on the inner 30% (validation), and the one with the best AIQ (paper
    convention, shared domain with the single models) wins; ties go to the earlier entry. With
    one entry, or fewer than 10 rows, the first entry is taken unscored.

    Parameters
    ----------
    spec : RouterSpec
    data : RoutingData
    rows : ndarray of int, optional
        The training rows (default: all of ``data``).
    X : ndarray of shape (n, d) or embedder, optional
    keep_sweeps : bool
        Sweep every entry on validation even when there is nothing to choose, and attach the
        sweeps to the table as ``table.attrs["sweeps"]`` (param string -> DataFrame), for the
        held-out protocol (:mod:`routerlib.protocol`).

    Returns
    -------
    best : dict
    table : DataFrame (router, params, inner_aiq, selected)
    """
    check_features(X, data, prompts)
    rows = np.arange(data.n) if rows is None else np.asarray(rows)
    grid = list(spec.grid)
    sweeps = None
    if (len(grid) > 1 or keep_sweeps) and rows.size >= MIN_TRAIN:
        sweeps = _inner_sweeps(spec, data, rows, X, prompts, seed, n_knob)
    if len(grid) == 1 or sweeps is None:
        scores, best = [np.nan] * len(grid), 0
    else:
        scores = _inner_aiq(sweeps, grid)
        best = int(np.nanargmax(scores))
    tab = pd.DataFrame({"router": spec.name, "params": [param_str(p) for p in grid], "inner_aiq": scores,
                        "selected": [i == best for i in range(len(grid))]})
    if keep_sweeps:
        if sweeps is None:
            raise ValueError(f"{spec.name}: {rows.size} training rows are too few for a validation split (it needs "
                             f"{MIN_TRAIN}; the protocol leaves such a pair out beforehand, see too_small)")
        tab.attrs["sweeps"] = {k: v for k, v in sweeps.items() if k != "__models__"}
    return dict(grid[best]), tab


# ----- results ----------------------------------------------------------------------------
@dataclass
class EvalResult:
    """Tidy outputs of an evaluation.

    Attributes
    ----------
    sweeps : DataFrame (dataset, router, params, knob, value, cost, quality)
        cost: total USD over the test rows; quality: mean over them.
    models : DataFrame (dataset, model, cost, quality)
    oracle : DataFrame (dataset, cost, quality)
    aiq : DataFrame (dataset, router, aiq, aiq_public, c_min, c_max), Zero router included
    selection : DataFrame (dataset, router, params, inner_aiq, selected)
    outcomes : dict (dataset, router) -> Outcomes (k, n) on the test rows (when asked for)
    """

    sweeps: pd.DataFrame
    models: pd.DataFrame
    oracle: pd.DataFrame
    aiq: pd.DataFrame
    selection: pd.DataFrame = field(default_factory=pd.DataFrame)
    outcomes: dict = field(default_factory=dict)

    def selected(self) -> pd.DataFrame:
        """The chosen configuration per dataset and router."""
        s = self.selection
        return s[s["selected"]].reset_index(drop=True) if len(s) else s

    def points(self) -> pd.DataFrame:
        """Every point behind a cost-quality figure: sweeps, then models, then the Oracle.

        Columns kind (sweep / model / oracle), dataset, router (the model's name for a model),
        params, one column per knob swept (e.g. willingness_to_pay), cost, quality.
        """
        sw = self.sweeps.assign(kind="sweep")
        knobs = [k for k in dict.fromkeys(sw["knob"]) if k]
        for k in knobs:
            sw[k] = np.where(sw["knob"] == k, sw["value"], np.nan)
        parts = [sw, self.models.rename(columns={"model": "router"}).assign(kind="model", params=""),
                 self.oracle.assign(kind="oracle", router="oracle", params="")]
        return pd.concat(parts, ignore_index=True)[["kind", "dataset", "router", "params", *knobs, "cost", "quality"]]


def points_by(points: Mapping[str, pd.DataFrame], column: str = "view") -> pd.DataFrame:
    """Points tables (:meth:`EvalResult.points`) of several evaluations of the same splits (e.g.
    one per prompt view) as one: every table's sweeps labelled in ``column``, then the first
    table's models and Oracle (the same in all) with an empty label."""
    items = list(points.items())
    first = items[0][1]
    sweeps = [p.query("kind == 'sweep'").assign(**{column: k}) for k, p in items]
    rest = first[first.kind != "sweep"].assign(**{column: ""})
    out = pd.concat(sweeps + [rest], ignore_index=True)
    return out[["kind", column] + [c for c in first.columns if c != "kind"]]


def _result(sweeps, mps, ops, sels, outcomes=None) -> EvalResult:
    sw = pd.concat(sweeps, ignore_index=True)[_SWEEP_COLS] if sweeps else pd.DataFrame(columns=_SWEEP_COLS)
    mp = pd.concat(mps, ignore_index=True) if mps else pd.DataFrame(columns=["dataset", "model", "cost", "quality"])
    op = pd.concat(ops, ignore_index=True) if ops else pd.DataFrame(columns=["dataset", "cost", "quality"])
    sel = pd.concat(sels, ignore_index=True) if sels else pd.DataFrame()
    a = aiq_table(sw, mp) if len(mp) else pd.DataFrame(columns=["dataset", "router", "aiq", "aiq_public", "c_min", "c_max"])
    return EvalResult(sweeps=sw, models=mp, oracle=op, aiq=a, selection=sel, outcomes=outcomes or {})


# ----- the protocols ----------------------------------------------------------------------
def evaluate_split(data, train_idx: np.ndarray, test_idx: np.ndarray, specs: Sequence[RouterSpec], X=None,
                   dataset: str | None = None, seed: int = 0, n_knob: int | None = None, select: bool = True,
                   prompts: np.ndarray | None = None, name_suffix: str = "", keep_outcomes: bool = False):
    """Select, fit on ``train_idx`` and sweep on ``test_idx`` of ``data``, every spec.

    ``dataset`` labels the rows (default: the test rows' only dataset) and picks per-dataset
    knob grids. Returns (sweeps, selection, outcomes) frames/dict for :class:`EvalResult`.
    """
    check_features(X, data, prompts)
    train, test = read_only(data.select(train_idx)), read_only(data.select(test_idx))
    label = dataset if dataset is not None else str(test.datasets[0]) if test.datasets else ""
    Xtr, Xte = (read_only(a) for a in features(X, data, train_idx, test_idx, prompts))
    sweeps, sels, outs = [], [], {}
    for spec in specs:
        if select:
            params, tab = select_params(spec, data, train_idx, X, seed, n_knob, prompts)
        else:
            params = dict(spec.grid[0])
            tab = pd.DataFrame({"router": spec.name, "params": [param_str(params)], "inner_aiq": [np.nan],
                                "selected": [True]})
        tab["router"] = spec.name + name_suffix
        tab.insert(0, "dataset", label)
        sels.append(tab)
        with naming(spec.name + name_suffix, seed, label):
            r = spec.make(params, seed).fit(train, Xtr)
            s, o = sweep(r, test, Xte, dataset=label, n=n_knob, return_outcomes=True, who=spec.name + name_suffix)
        s.insert(0, "params", param_str(params))
        s.insert(0, "router", spec.name + name_suffix)
        s.insert(0, "dataset", label)
        sweeps.append(s)
        if keep_outcomes:
            outs[(label, spec.name + name_suffix)] = o
    return sweeps, sels, outs


def _progress(items, progress: bool, desc: str):
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc)


def evaluate_predictive(data, X=None, specs: Sequence[RouterSpec] | None = None,
                        datasets: Sequence[str] | None = None, seed: int = 0, n_knob: int | None = None,
                        select: bool = True, prompts: np.ndarray | None = None, progress: bool = False,
                        keep_outcomes: bool = False) -> EvalResult:
    """The paper's Figure 4 protocol: per dataset its own 70/30 split, each router selected
    on the training split (or not), fitted on it, swept on the test split.

    Parameters
    ----------
    data : RoutingData with n rows
    X : ndarray of shape (n, d), or an unfitted embedder, or None
    specs : list of RouterSpec (default :func:`paper_specs`: KNN, MLP, SVM over Appendix B's grids)
    datasets : which datasets (default: every one present)
    seed : int
        The 70/30 split (``data.split_mask(seed)``) and the inner selection split (its own draw).
    n_knob : int, optional
        Knob values per sweep (default: each family's own, 40 willingness-to-pay values).

    Returns
    -------
    EvalResult
    """
    specs = paper_specs() if specs is None else list(specs)
    check_features(X, data, prompts)
    test_mask = data.split_mask(seed)
    sweeps, sels, mps, ops, outs = [], [], [], [], {}
    for d in _progress(list(data.datasets if datasets is None else datasets), progress, "datasets"):
        in_d = data.dataset == d
        tr_idx, te_idx = np.flatnonzero(in_d & ~test_mask), np.flatnonzero(in_d & test_mask)
        s, sel, o = evaluate_split(data, tr_idx, te_idx, specs, X, d, seed, n_knob, select, prompts,
                                   keep_outcomes=keep_outcomes)
        sweeps += s
        sels += sel
        outs.update(o)
        test = data.select(te_idx)
        mps.append(test.model_points())
        ops.append(test.oracle_points())
    return _result(sweeps, mps, ops, sels, outs)


def evaluate_out_of_domain(data, X=None, held_out: Sequence[str] = ("mt-bench", "mbpp", "gsm8k"),
                           specs: Sequence[RouterSpec] | None = None, seed: int = 0, n_knob: int | None = None,
                           in_domain: bool = True, prompts: np.ndarray | None = None) -> EvalResult:
    """Figure 9: train on all other datasets, evaluate on a held-out one.

    For each held-out dataset present in ``data``, each router (default: the paper's best KNN and
    MLP) is fitted on every row of the other datasets and swept on the held-out dataset's test
    split (the same 30% as in :func:`evaluate_predictive`, so costs are Table 1 totals). With
    ``in_domain`` the same configuration trained on the held-out dataset's own training split is
    added as ``<router>-in-domain``. Absent held-out datasets are skipped (the caller reports
    them); with fewer than two datasets nothing can be held out and the result is empty.

    With the default routers (``specs`` None) the result is cached in
    ``paths.cache_dir()/out_of_domain``, keyed by the data's and the features' fingerprints, the
    other arguments and routerlib's source (:func:`routerlib.memo.inputs_key`).
    """
    check_features(X, data, prompts)
    args = (tuple(held_out), seed, n_knob, bool(in_domain))
    key = inputs_key(data, X, prompts) if specs is None else None
    if key is None:
        return _out_of_domain(data, X, prompts, specs, *args)
    return disk_cache(_out_of_domain, "out_of_domain", ("data", "X", "prompts"),
                      what="the out-of-domain study")(data, X, prompts, None, *args, key)


def _out_of_domain(data, X, prompts, specs, held_out, seed, n_knob, in_domain, inputs: str = "") -> EvalResult:
    """:func:`evaluate_out_of_domain` computed; ``inputs`` is the cache key's part for the data,
    features and texts."""
    del inputs  # part of the cache key only
    specs = paper_specs(("knn", "mlp"), select=False) if specs is None else list(specs)
    test_mask = data.split_mask(seed)
    sweeps, sels, mps, ops = [], [], [], []
    if len(data.datasets) < 2:
        return _result([], [], [], [])
    for d in [d for d in held_out if d in set(data.datasets)]:
        in_d = data.dataset == d
        te_idx = np.flatnonzero(in_d & test_mask)
        settings = [("", np.flatnonzero(~in_d))]
        if in_domain:
            settings.append(("-in-domain", np.flatnonzero(in_d & ~test_mask)))
        for suffix, tr_idx in settings:
            s, sel, _ = evaluate_split(data, tr_idx, te_idx, specs, X, d, seed, n_knob, False, prompts, suffix)
            sweeps += s
            sels += sel
        test = data.select(te_idx)
        mps.append(test.model_points())
        ops.append(test.oracle_points())
    return _result(sweeps, mps, ops, sels)


# ----- cascades (Figures 5 and 8) ---------------------------------------------------------
@dataclass
class CascadeStudy:
    """Everything a cascade figure shows, per dataset (test split only).

    Attributes
    ----------
    datasets : datasets studied (present in the data, in the order asked)
    skipped : datasets asked for but absent
    points : DataFrame dataset, system ("model", "oracle", "overgenerate"), name, cost, quality
    sweep : DataFrame dataset, router, params, error_rate, cap, cost, quality, variant, cap_rule,
        n (test rows), unanswered (share of queries with no answer)
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

    def tables(self, figure: str) -> dict[str, pd.DataFrame]:
        """The CSVs of the figure: ``<figure>_cascade`` (:meth:`table`) and ``<figure>_aiq``."""
        return {f"{figure}_cascade": self.table(), f"{figure}_aiq": self.aiq}

    def table(self) -> pd.DataFrame:
        """The numbers behind the figure: model/Oracle/overgenerate points and every sweep row."""
        pts = self.points.assign(router=self.points.system, params="", error_rate=np.nan, cap=np.nan,
                                 variant="", cap_rule="")
        sw = self.sweep.assign(name="cascade", system="cascade")
        cols = ["dataset", "system", "name", "router", "variant", "cap_rule", "params", "error_rate", "cap",
                "cost", "quality"]
        return pd.concat([pts[cols], sw[cols]], ignore_index=True)


_CASCADE_SWEEP_COLS = ["dataset", "router", "params", "error_rate", "cap", "cost", "quality", "variant", "cap_rule",
                       "n", "unanswered"]


def evaluate_cascade(data, datasets: Sequence[str], seed: int = 0, error_rates: Sequence[float] = ERROR_RATES,
                     variants: Sequence[str] = ("paper", "public"), n_caps: int = 20,
                     judge_seed: int | None = None) -> CascadeStudy:
    """The cascade at every (variant, error rate) over its caps, per dataset, on ``data.split(seed)``.

    Each dataset's cascade is fitted on its training split (model order, judge threshold and the
    cap grid, :meth:`~routerlib.routers.CascadeRouter.knob_grid`) and swept on its test split,
    the judge's errors seeded by ``judge_seed`` (default ``seed``). The AIQ domain of a dataset is shared by the single
    models, the Oracle and every cascade of both variants (:func:`routerlib.metrics.aiq_table`);
    overgenerate-and-rerank is a point outside it (it pays for every model). Datasets of
    ``datasets`` absent from ``data`` are listed in ``skipped``.
    """
    present = [d for d in datasets if d in data.datasets]
    skipped = [d for d in datasets if d not in data.datasets]
    test_mask = data.split_mask(seed)
    pts, rows = [], []
    specs = [(v, float(e), RouterSpec(f"cascade[{v},{float(e):g}]", "cascade",
                                     {"variant": v, "error_rate": float(e),
                                      "seed": seed if judge_seed is None else judge_seed}))
             for v in variants for e in error_rates]
    for d in present:
        in_d = data.dataset == d
        tr_idx, te_idx = np.flatnonzero(in_d & ~test_mask), np.flatnonzero(in_d & test_mask)
        test = data.select(te_idx)
        sweeps, _, outs = evaluate_split(data, tr_idx, te_idx, [s for _, _, s in specs], None, d, seed, n_caps,
                                         select=False, keep_outcomes=True)
        for (v, e, spec), s in zip(specs, sweeps):
            router = spec.make()
            rule = router.cap_rule or {"paper": "total", "public": "public"}[v]
            unanswered = (outs[(d, spec.name)].choice < 0).mean(axis=1)
            rows.append(pd.DataFrame({
                "dataset": d, "router": "cascade",
                "params": [f"variant={v},cap_rule={rule},error_rate={e:g},cap={T:.6g}" for T in s["value"]],
                "error_rate": e, "cap": s["value"].to_numpy(float), "cost": s["cost"], "quality": s["quality"],
                "variant": v, "cap_rule": rule, "n": test.n, "unanswered": unanswered}))
        mp = test.model_points()
        pts += [(d, "model", m, float(c), float(q)) for m, c, q in zip(mp["model"], mp["cost"], mp["quality"])]
        op = test.oracle_points()
        pts.append((d, "oracle", "Oracle", float(op["cost"].iloc[0]), float(op["quality"].iloc[0])))
        oc, oq = OvergenerateRouter().fit(test).outcome(test)
        pts.append((d, "overgenerate", "Overgenerate", float(oc.sum()), float(oq.mean())))
    points = pd.DataFrame(pts, columns=["dataset", "system", "name", "cost", "quality"])
    sw = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=_CASCADE_SWEEP_COLS)
    if len(sw):  # variant by variant, then dataset by dataset (stable: error rates and caps keep their order)
        rank = sw["variant"].map({v: i for i, v in enumerate(variants)}) * len(present) + sw["dataset"].map(
            {d: i for i, d in enumerate(present)})
        sw = sw.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)
    aiq = _cascade_aiq(points, sw)
    return CascadeStudy(present, skipped, points, sw, aiq, data.label, seed,
                        meta={"error_rates": list(error_rates), "variants": list(variants)})


def _cascade_aiq(points: pd.DataFrame, sw: pd.DataFrame) -> pd.DataFrame:
    cols = ["dataset", "variant", "system", "error_rate", "aiq", "aiq_public", "c_min", "c_max"]
    if points.empty:
        return pd.DataFrame(columns=cols)
    models = points[points.system == "model"].rename(columns={"name": "model"})
    systems = pd.concat([points[points.system == "oracle"].assign(router="oracle"),
                         sw.assign(router=sw["variant"] + "|" + sw["error_rate"].map(repr))], ignore_index=True)
    a = aiq_table(systems, models)
    is_casc = a["router"].str.contains("|", regex=False)
    split = a["router"].str.split("|", n=1, expand=True) if is_casc.any() else None
    a["variant"] = np.where(is_casc, split[0] if split is not None else "", "")
    a["system"] = np.where(is_casc, "cascade", a["router"])
    a["error_rate"] = np.where(is_casc, pd.to_numeric(split[1], errors="coerce") if split is not None else np.nan,
                               np.nan)
    return a[cols].reset_index(drop=True)
