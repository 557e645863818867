"""The multi-seed protocol: any routers, any data, seeds x datasets, hindsight and held-out AIQ.

:func:`run_protocol` evaluates routers the way the follow-up benchmark (LLMRouterBench) does and
beyond: for every seed (default 0-4) and dataset, a 70/30 split by sample id; an inner 70/30
split of the training part into *train-in* and *validation*; then for every router

1. **selection** -- each hyperparameter configuration of its grid is fitted on train-in and
   swept over its knob on validation; the configuration with the best AIQ there wins
   (:func:`routerlib.evaluate.select_params`'s rule);
2. **hindsight** -- the winner, refitted on the whole training part, is swept on the test split
   over the knob values it was swept over on validation (the train-in router's own grid, from
   training data only); the hull of those points is the paper's AIQ (and the public code's);
3. **held-out** -- the knob values whose validation points are vertices of the validation hull
   are the router's configurations; only those are run on the test split, and the AIQ of the
   curve through their test points (no hull, :func:`routerlib.metrics.heldout_aiq`) is the
   held-out AIQ. The Zero router gets the same treatment: the models on the hull of the
   *training* split are its configurations.

AIQ domains: every router is compared with the Zero router, on the shared domain of the two
(:func:`routerlib.hull.shared_domain`, :func:`routerlib.hull.public_end`), so a router's AIQ does
not depend on which other routers are in the run, and the difference to the Zero router is
paired by seed on one domain.

A router that cannot route a dataset (:meth:`routerlib.routers.Router.refuses`: the agreement
cascade on MBPP's code) is left out of that dataset with a warning, recorded in
``meta["refused"]``; it then has no reading over datasets (``all``), which would average others.
A (router, dataset) pair that the dataset is too small for is left out the same way, decided
before anything runs (:func:`routerlib.evaluate.too_small`: fewer than 10 training ids leave no
validation split; a router's own ``min_train_rows``), with one warning naming every such pair
and why. A dataset with fewer than :data:`MIN_IDS` sample ids is skipped altogether.

What a router sees and returns is guarded: it gets read-only views of the data and features, its
routes and outcomes are checked (:func:`routerlib.routers.base.check_outcomes`), and any error
names the router, the seed and the dataset. Router names may not repeat or take the name of a
row the protocol adds itself (:data:`RESERVED_NAMES`); ``X`` must have one finite row per prompt.

Every (seed, dataset, router) is a job; jobs run in parallel with joblib (``n_jobs``; each worker
limited to one BLAS/OpenMP thread), and are cached on disk (``joblib.Memory`` in
``paths.cache_dir()/protocol``, keyed by the data, features, spec, seed, the routerlib source and
the code of a router from outside routerlib, :func:`router_code`), so notebooks that share
routers and seeds share the work. A finished run is also kept whole, with its per-seed readings
(``paths.cache_dir()/protocol_runs``, keyed by every job's key and the run's datasets, seeds and
routers), so a rerun reads one file: it neither reads the jobs nor reaches the cluster. A cache
folder that cannot be written is read (finished jobs found there are reused) and the rest is
computed without caching, with one warning naming it. The same jobs run on a Dask
cluster with ``scheduler="local:N"`` or ``"tcp://host:port"`` (:mod:`routerlib.scheduler`,
docs/cluster.md), with the same results and the same cache.

:class:`ProtocolResult` holds tidy tables; :meth:`ProtocolResult.per_seed` turns them into one
value per (seed, dataset, router, metric) and :meth:`ProtocolResult.leaderboard` into means with
confidence intervals over seeds (:mod:`routerlib.metrics.stats`).
"""

from __future__ import annotations

import hashlib
import inspect
import numbers
import sys
import time
import types
import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple, Sequence

import joblib
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from joblib.memory import MemorizedFunc
from threadpoolctl import threadpool_limits

from .evaluate import RouterSpec, check_features, evaluate_cascade, features, param_str, select_params, too_small
from .fingerprint import content_hash, source_hash
from .hull import compare_aiq, ndch, public_end, shared_domain
from .memo import ReadOnlyCache, disk_cache, inputs_key
from .metrics import followup as F
from .metrics.aiq import aiq_table, heldout_aiq
from .metrics.stats import paired_differences, summarize, verdict
from .routers.base import RouteError, check_outcomes, read_only
from .scheduler import check_scheduler, connect, scheduler_setting
from .seeds import SEED_LIMIT

if TYPE_CHECKING:
    from .data import RoutingData

__all__ = ["DEFAULT_SEEDS", "MIN_IDS", "RESERVED_NAMES", "SEED_LIMIT", "ProtocolResult", "run_protocol",
           "parse_seeds", "registry_specs", "router_code", "cascade_over_seeds", "compare_runs"]

DEFAULT_SEEDS = (0, 1, 2, 3, 4)
#: a dataset with fewer sample ids cannot be split 70/30 and then 70/30 again; it is skipped
MIN_IDS = 10
#: rows the protocol adds to every table itself; a router may not take their names
RESERVED_NAMES = ("zero", "oracle (analytic)", "random (expected)", "best_single (test hindsight)")


def _seed(v, token) -> int:
    """One seed, checked: an integer (not a bool, not a float, not a string) in [0, 2**32)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise ValueError(f"seed {token!r} is not an integer ({type(v).__name__}); seeds are integers in "
                         f"[0, {SEED_LIMIT})")
    v = int(v)
    if v < 0:
        raise ValueError(f"seed {v} is negative; seeds are integers in [0, {SEED_LIMIT})")
    if v >= SEED_LIMIT:
        raise ValueError(f"seed {v} is too large; seeds are integers in [0, {SEED_LIMIT}) (2**32: larger ones would "
                         "repeat the splits of smaller ones)")
    return v


def parse_seeds(seeds) -> tuple[int, ...]:
    """Seeds from a sequence of integers or a comma-separated string (``"0,1,2,3,4"``), checked.

    Each seed must be an integer in ``[0, 2**32)`` (:data:`SEED_LIMIT`): not a bool, a float (not
    even ``1.0``), a string inside a sequence, or a negative number; seeds may not repeat, and at
    least one is needed. Distinct seeds in that range give distinct splits:
    :func:`routerlib.seeds.stable_seed` maps ``seed`` to ``(seed * 1000003 + crc32(key)) mod 2**32``,
    and 1000003 is odd, so the map is one-to-one on ``[0, 2**32)``.

    >>> parse_seeds("0, 1,2"), parse_seeds([3])
    ((0, 1, 2), (3,))

    Raises
    ------
    ValueError
        Naming the bad token or value (``seed 'a' is not an integer``).
    """
    if isinstance(seeds, str):
        vals = []
        for i, tok in enumerate(seeds.split(",")):
            t = tok.strip()
            if not t:
                if seeds.strip():
                    raise ValueError(f"seed #{i + 1} of {seeds!r} is empty; give integers separated by commas")
                continue
            if not t.lstrip("+-").isdigit() or not t.isascii():
                raise ValueError(f"seed {t!r} is not an integer; give integers separated by commas, e.g. 0,1,2,3,4")
            vals.append(_seed(int(t), t))
        seeds = tuple(vals)
    elif isinstance(seeds, (numbers.Number, bytes)) or not hasattr(seeds, "__iter__"):
        raise ValueError(f"seeds must be a sequence of integers or a comma-separated string; got {seeds!r} "
                         f"({type(seeds).__name__}); for one seed give [{seeds!r}] or '{seeds}'")
    else:
        seeds = tuple(_seed(v, v) for v in seeds)
    if not seeds:
        raise ValueError("no seeds given: the protocol needs at least one (default 0,1,2,3,4)")
    dup = sorted({s for s in seeds if seeds.count(s) > 1})
    if dup:
        raise ValueError(f"duplicate seeds {dup}: each seed is one split, counted once")
    return seeds


def registry_specs(names: Sequence[str] | None = None, error_rate: float = 0.2) -> list[RouterSpec]:
    """Specs of registry routers by name (default: every entry), with Appendix B's grids for the
    paper's predictive routers, each other family's own ``param_grid``, and a judge error rate for
    the cascade."""
    from .paper import PAPER_GRIDS
    from .routers import ROUTERS

    out = []
    for n in (list(ROUTERS) if names is None else names):
        params = {"error_rate": error_rate} if n == "cascade" else {}
        if n not in ROUTERS:
            raise ValueError(f"unknown router {n!r}; known: {', '.join(ROUTERS)}")
        grid = PAPER_GRIDS.get(n, ROUTERS[n].param_grid)
        out.append(RouterSpec(n, n, params, tuple(dict(g) for g in grid)))
    return out


def _source_hash() -> str:
    """A fingerprint of routerlib's source, so cached jobs are redone when the code changes."""
    return source_hash()


_INSTALLED = tuple(p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages")))


def _code_fingerprint(code: types.CodeType, h) -> None:
    """What a code object runs: its bytecode, names and constants (nested code recursively;
    frozensets sorted, so string hashing does not matter). No addresses, no line numbers."""
    h.update(code.co_code)
    h.update(repr((code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars)).encode())
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _code_fingerprint(c, h)
        elif isinstance(c, frozenset):
            h.update(repr(sorted(map(repr, c))).encode())
        else:
            h.update(repr(c).encode())


def _functions_of(obj):
    """The plain functions held by a class or module namespace (methods, static/class methods, properties)."""
    for v in vars(obj).values():
        if isinstance(v, (staticmethod, classmethod)):
            v = v.__func__
        if isinstance(v, property):
            yield from (f for f in (v.fget, v.fset, v.fdel) if f is not None)
        elif isinstance(v, types.FunctionType):
            yield v


def router_code(router) -> str | None:
    """A fingerprint of the code of a router from outside routerlib, for the protocol's cache key.

    For a registry name or a routerlib class: ``""`` (:func:`_source_hash` covers routerlib). For any
    other object: the code as loaded in this process -- the bytecode and constants of every
    function of its class and of the classes it derives from (routerlib's, the standard
    library's and installed packages' left out), of every function and class defined in those
    classes' modules, and the module-level numbers and strings there -- plus the module file's text
    when there is one. So editing the router's ``route`` (and re-importing it) changes the key,
    also in a notebook, where the module is ``__main__`` and has no file.

    Returns None when the code cannot be read (an object without a Python class); the protocol
    then runs that router without caching and says so.
    """
    if isinstance(router, str):
        return ""
    cls = type(router)
    mods = {}
    classes = [c for c in cls.__mro__ if not _foreign(c)]
    if not classes:
        return ""
    h = hashlib.blake2b(digest_size=12)
    try:
        for c in classes:
            h.update(f"{c.__module__}.{c.__qualname__}".encode())
            for f in _functions_of(c):
                _code_fingerprint(f.__code__, h)
            mods[c.__module__] = sys.modules.get(c.__module__)
        for name, mod in sorted(mods.items()):
            if mod is None:
                continue
            h.update(name.encode())
            for k, v in sorted(vars(mod).items()):
                if isinstance(v, types.FunctionType) and v.__module__ == name:
                    _code_fingerprint(v.__code__, h)
                elif isinstance(v, type) and v.__module__ == name:
                    for f in _functions_of(v):
                        _code_fingerprint(f.__code__, h)
                elif isinstance(v, (bool, int, float, str, bytes, tuple)) and not k.startswith("__"):
                    h.update(f"{k}={v!r}".encode())
            try:
                h.update(inspect.getsource(mod).encode())
            except (OSError, TypeError):  # no file (a notebook's __main__, a REPL): the loaded code above decides
                pass
    except (AttributeError, TypeError):
        return None
    return h.hexdigest()


def _foreign(c: type) -> bool:
    """True for classes whose code the cache key need not carry: routerlib's (the source hash),
    builtins and the standard library's, and installed packages'."""
    mod = c.__module__ or ""
    if mod == "builtins" or mod.split(".")[0] == "routerlib" or mod.split(".")[0] in sys.stdlib_module_names:
        return True
    f = getattr(sys.modules.get(mod), "__file__", None) or ""
    return bool(_INSTALLED) and f.startswith(_INSTALLED)


#: the job's arguments the cache does not hash on every call (hashing a dataset's rows, texts included,
#: takes a quarter of a second): their hash is made once per dataset and passed as ``inputs``
UNHASHED = ["sub", "X", "prompts"]


def _protocol_job(cache: bool):
    """The job function: cached in ``paths.cache_dir()/protocol`` (:func:`routerlib.memo.disk_cache`:
    read-only there when the folder cannot be written, plain when it cannot be made), or plain."""
    return disk_cache(_run_job, "protocol", UNHASHED, what="the protocol", stacklevel=4) if cache else _run_job


# ----- one job: a router on one dataset and one seed ---------------------------------------------
def _config_rows(out, hard, none, dearest, values) -> pd.DataFrame:
    """Per configuration (knob value): total cost, mean quality, quality on the hard and the
    no-model-right prompts, and the share of prompts answered by the dearest model."""
    q = out.quality
    return pd.DataFrame({
        "value": values, "cost": out.cost.sum(axis=1), "quality": q.mean(axis=1),
        "quality_hard": q[:, hard].mean(axis=1) if hard.any() else np.nan,
        "quality_none": q[:, none].mean(axis=1) if none.any() else np.nan,
        "share_dearest": (out.choice == dearest).mean(axis=1),
    })


def _vertex_values(values: np.ndarray, cost: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """The knob values whose points are vertices of the NDCH of (cost, quality) (the first value per vertex)."""
    h = ndch(cost, quality)
    out = []
    for c, q in zip(h.cost, h.quality):
        out.append(values[np.flatnonzero((cost == c) & (quality == q))[0]])
    return np.asarray(out)


def _outcomes(router, test, Xte, values, who: str):
    """``router.sweep_outcomes`` on read-only inputs, checked (one valid outcome per prompt and value)."""
    out = router.sweep_outcomes(test, Xte, values)
    return check_outcomes(out, 1 if values is None else len(values), test.n, test.m, who)


def _run_job(sub, X, prompts, spec: RouterSpec, seed: int, n_knob, src: str, inputs: str = "") -> dict:
    """Selection, hindsight sweep and held-out configurations of ``spec`` on one dataset ``sub``.

    ``src`` (the code) and ``inputs`` (the hash of ``sub``, ``X`` and ``prompts``) are the cache key's
    parts for what the cache does not hash itself (:func:`_protocol_job`)."""
    del src, inputs  # parts of the cache key only
    with threadpool_limits(1):
        test_mask = sub.split_mask(seed)
        tr_idx, te_idx = np.flatnonzero(~test_mask), np.flatnonzero(test_mask)
        train, test = read_only(sub.select(tr_idx)), read_only(sub.select(te_idx))
        d = str(sub.datasets[0])
        # 1. selection on train-in -> validation (every grid entry is swept on validation)
        params, selection = select_params(spec, sub, tr_idx, X, seed, n_knob, prompts, keep_sweeps=True)
        val_sweep = selection.attrs.pop("sweeps")[param_str(params)]
        # 2. hindsight: the winner refitted on the training split, swept on the test split
        Xtr, Xte = (read_only(a) for a in features(X, sub, tr_idx, te_idx, prompts))
        router = spec.make(params, seed).fit(train, Xtr)
        hard, none = F.recall_masks(test.quality)
        dearest = int(np.argmax(train.cost.mean(axis=0)))
        if router.knob is None:
            grid = np.array([np.nan])
            out = _outcomes(router, test, Xte, None, spec.name)
        else:  # the knob values swept on validation, so the held-out ones are among them
            grid = val_sweep["value"].to_numpy(float)
            out = _outcomes(router, test, Xte, grid, spec.name)
        points = _config_rows(out, hard, none, dearest, grid)
        # 3. held-out: the validation hull's configurations, run on the test split
        val_value, val_cost, val_quality = (val_sweep[k].to_numpy(float) for k in ("value", "cost", "quality"))
        if router.knob is None:
            held = points.copy()
        else:
            held_values = _vertex_values(val_value, val_cost, val_quality)
            held = _config_rows(_outcomes(router, test, Xte, held_values, spec.name), hard, none, dearest,
                                held_values)
        val_at = pd.DataFrame({"value": val_value, "val_cost": val_cost, "val_quality": val_quality}).drop_duplicates(
            "value")
        held = held.merge(val_at, on="value", how="left") if router.knob is not None else held.assign(
            val_cost=val_cost[:1], val_quality=val_quality[:1])
        # the performance configuration: best validation quality, cheapest among ties
        best_val = val_at.sort_values(["val_quality", "val_cost"], ascending=[False, True]).iloc[0]
        if router.knob is None:
            perf = points.iloc[0]
        else:
            perf = _config_rows(_outcomes(router, test, Xte, [best_val["value"]], spec.name), hard, none, dearest,
                                np.array([best_val["value"]])).iloc[0]
    tag = dict(seed=seed, dataset=d, router=spec.name, params=param_str(params), knob=router.knob or "",
               reads_quality=bool(getattr(router, "reads_quality", False)))
    return {"points": points.assign(**tag), "heldout": held.assign(**tag),
            "perf": pd.DataFrame([perf]).assign(**tag), "selection": selection.assign(seed=seed, dataset=d)}


# ----- baselines of one (seed, dataset): models, Zero router, Oracle, Random, Best Single -------
def _baselines(sub, seed: int) -> dict:
    test_mask = sub.split_mask(seed)
    train, test = sub.select(~test_mask), sub.select(test_mask)
    d = str(sub.datasets[0])
    hard, none = F.recall_masks(test.quality)
    tr_c, tr_q = train.cost.sum(axis=0), train.quality.mean(axis=0)
    on_train_hull = np.isin(np.arange(sub.m), _vertex_values(np.arange(sub.m), tr_c, tr_q))
    models = pd.DataFrame({"seed": seed, "dataset": d, "model": sub.models, "cost": test.cost.sum(axis=0),
                           "quality": test.quality.mean(axis=0),
                           "quality_hard": test.quality[hard].mean(axis=0) if hard.any() else np.nan,
                           "train_cost": tr_c, "train_quality": tr_q, "on_train_hull": on_train_hull})
    oc, oq = test.oracle_outcome()
    bs_train = int(np.lexsort((train.cost.mean(axis=0), -tr_q))[0])
    bs_test = int(np.lexsort((test.cost.mean(axis=0), -test.quality.mean(axis=0)))[0])
    refs = {"seed": seed, "dataset": d, "n_test": test.n, "n_hard": int(hard.sum()), "n_none": int(none.sum()),
            "oracle_cost": float(oc.sum()), "oracle_quality": float(oq.mean()),
            "oracle_quality_hard": float(oq[hard].mean()) if hard.any() else np.nan,
            "random_cost": float(test.cost.mean(axis=1).sum()), "random_quality": float(test.quality.mean()),
            "random_quality_hard": float(test.quality[hard].mean()) if hard.any() else np.nan,
            "bs_model": str(sub.models[bs_train]), "bs_cost": float(test.cost[:, bs_train].sum()),
            "bs_quality": float(test.quality[:, bs_train].mean()),
            "bs_quality_hard": float(test.quality[hard, bs_train].mean()) if hard.any() else np.nan,
            "bs_test_model": str(sub.models[bs_test]), "bs_test_quality": float(test.quality[:, bs_test].mean()),
            "bs_test_cost": float(test.cost[:, bs_test].sum())}
    return {"models": models, "refs": refs}


# ----- the result ------------------------------------------------------------------------------
@dataclass
class ProtocolResult:
    """Tidy outputs of :func:`run_protocol`.

    Attributes
    ----------
    points : every hindsight configuration on the test split: seed, dataset, router, params,
        knob, value, cost (total USD), quality (mean), quality_hard, quality_none, share_dearest
    heldout : the configurations chosen on validation, with their val_cost, val_quality and their
        test cost, quality, ... (same columns as ``points``)
    perf : per (seed, dataset, router) the performance configuration (best validation quality)
        on the test split
    models : seed, dataset, model, cost, quality, quality_hard (test), train_cost, train_quality,
        on_train_hull (the Zero router's held-out configurations)
    refs : per (seed, dataset): n_test, n_hard, n_none, and the Oracle's, the Random router's
        (expected), the Best Single's (chosen on train: bs_*) and the hindsight Best Single's
        (chosen on test: bs_test_*) cost and quality
    aiq : per (seed, dataset, router) its AIQ in three conventions beside the Zero router's on the
        same domain: aiq, aiq_public, aiq_heldout, zero_aiq, zero_aiq_public, zero_aiq_heldout,
        c_min, c_max, c_public
    selection : seed, dataset, router, params, inner_aiq, selected
    meta : seeds, datasets, skipped datasets, label, routers, refused ({'router/dataset': why}: pairs
        the router refuses or the dataset is too small for; not run, so the router has no reading
        over datasets)
    """

    points: pd.DataFrame
    heldout: pd.DataFrame
    perf: pd.DataFrame
    models: pd.DataFrame
    refs: pd.DataFrame
    aiq: pd.DataFrame
    selection: pd.DataFrame
    meta: dict = field(default_factory=dict)
    #: :meth:`per_seed`'s table, made on its first call (and kept with a cached run); not copied by
    #: ``dataclasses.replace``, so a result made from this one with other tables makes its own
    _readings: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def routers(self) -> list[str]:
        return list(dict.fromkeys(self.points["router"]))

    def split_points(self, seed: int, routers: Sequence[str] | None = None) -> pd.DataFrame:
        """One split's points in :meth:`routerlib.evaluate.EvalResult.points`'s layout (kind sweep /
        model / oracle, dataset, router, params, one column per knob, cost, quality): the seed-0
        panels of the paper's figures are drawn from these."""
        points = self.points[self.points.seed == seed]
        if routers is not None:
            points = points[points.router.isin(routers)]
        sweeps = points.assign(kind="sweep")
        knobs = [k for k in dict.fromkeys(sweeps["knob"]) if k]
        for k in knobs:
            sweeps[k] = np.where(sweeps["knob"] == k, sweeps["value"], np.nan)
        models = self.models[self.models.seed == seed]
        refs = self.refs[self.refs.seed == seed]
        parts = [sweeps, models.rename(columns={"model": "router"}).assign(kind="model", params=""),
                 pd.DataFrame({"kind": "oracle", "dataset": refs.dataset, "router": "oracle", "params": "",
                               "cost": refs.oracle_cost, "quality": refs.oracle_quality})]
        out = pd.concat(parts, ignore_index=True)
        # sorted by (kind, dataset): sweeps, models, oracle; datasets in the run's order; ties keep their order
        dataset_pos = {d: i for i, d in enumerate(self.meta["datasets"])}
        kind_pos = {"sweep": 0, "model": 1, "oracle": 2}
        order = np.lexsort((out["dataset"].map(dataset_pos).to_numpy(), out["kind"].map(kind_pos).to_numpy()))
        out = out.iloc[order].reset_index(drop=True)
        return out[["kind", "dataset", "router", "params", *knobs, "cost", "quality"]]

    def split_aiq(self, seed: int, routers: Sequence[str]) -> pd.DataFrame:
        """One split's AIQ table as the paper's figures compute it: the routers and the Zero router
        on the shared domain of all of them (:func:`routerlib.metrics.aiq_table`)."""
        p = self.split_points(seed, routers)
        return aiq_table(p[p.kind == "sweep"], p[p.kind == "model"].rename(columns={"router": "model"}))

    def per_seed(self) -> pd.DataFrame:
        """One value per (seed, dataset, router, metric); dataset ``all`` holds the macro readings.

        Metrics per dataset: aiq, aiq_public, aiq_heldout and each minus the Zero router's
        (``*_minus_zero``); acc (the performance configuration's test accuracy), acc_hard (on the
        prompts 1-3 models solve), cost; gain_r, gain_b, gain_b_hindsight, gap_o; perf_gain,
        cost_save (NaN when no configuration reaches the Best Single), pareto_dist; for two-model
        data apgr, cpt50, cpt80. Over datasets (``all``): avg_acc (macro), avg_acc_pooled, and
        gain_r, gain_b, gap_o as the ratio of averages (``*_ratio_of_avg``) and the mean of the
        per-dataset ratios (``*_mean_of_ratios``), and the mean AIQ.

        Made once per result (a copy is returned each time): the tables of a result are not to be
        changed in place after this is first called.
        """
        if self._readings is None:
            self._readings = _per_seed(self)
        return self._readings.copy()

    def aiq_summary(self, routers: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """The AIQ table with intervals: one row per (dataset, router) with the mean and CI of the
        AIQ in each convention (paper, public, held-out) and of its difference to the Zero router,
        with the verdict; the macro average over datasets as dataset ``all``."""
        lb = self.leaderboard(level)
        lb = lb[lb.metric.str.startswith("aiq")]
        if routers is not None:
            lb = lb[lb.router.isin(list(routers))]
        rows = {}
        for r in lb.itertuples():
            row = rows.setdefault((r.dataset, r.router), {"dataset": r.dataset, "router": r.router})
            row[r.metric] = r.mean
            row[f"{r.metric}_ci_low"], row[f"{r.metric}_ci_high"] = r.ci_low, r.ci_high
            if r.verdict:
                row[f"{r.metric}_verdict"] = r.verdict
        out = pd.DataFrame(list(rows.values()))
        out["n_seeds"] = len(self.meta["seeds"])
        return out

    def versus(self, reference: str, metrics: Sequence[str] = ("aiq_minus_zero", "aiq_heldout_minus_zero"),
               level: float = 0.95) -> pd.DataFrame:
        """Every router against ``reference`` (a router of the run, e.g. the random-score control):
        the per-seed difference of each metric, paired by seed and dataset, summarised with its
        95% interval and a verdict (above / within noise / below the reference). The default
        metrics are the differences to the Zero router, each on its own shared domain, so the
        comparison does not depend on the two routers' domains.

        Returns
        -------
        DataFrame with columns dataset, router, metric (``<metric>_minus_<reference>``), mean, std,
        ci_low, ci_high, ..., n_seeds, verdict
        """
        if reference not in self.routers:
            raise ValueError(f"reference router {reference!r} is not in this run; it has {self.routers}")
        diff = paired_differences(self.per_seed(), metrics, reference).dropna(subset=["value"])
        diff = diff[diff.router.isin(self.routers)]
        out = summarize(diff, ("dataset", "router", "metric"), level=level)
        out["verdict"] = [verdict(lo, hi) for lo, hi in zip(out.ci_low, out.ci_high)]
        return out

    def leaderboard(self, level: float = 0.95) -> pd.DataFrame:
        """Long format: dataset, router, metric, mean, std, ci_low, ci_high (corrected for
        overlapping splits), ci_low_naive, ci_high_naive, n_seeds, verdict (for ``*_minus_zero``
        metrics: above / within noise / below the Zero router)."""
        out = summarize(self.per_seed(), ("dataset", "router", "metric"), level=level)
        is_diff = out["metric"].str.endswith("_minus_zero")
        out["verdict"] = ""
        out.loc[is_diff, "verdict"] = [verdict(lo, hi) for lo, hi in zip(out.loc[is_diff, "ci_low"],
                                                                         out.loc[is_diff, "ci_high"])]
        return out


def _aiq_rows(points: pd.DataFrame, heldout: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Per (seed, dataset): the Zero router's AIQ on its own domain, then per router its AIQ in the
    three conventions beside the Zero router's on the shared domain of the two (:attr:`ProtocolResult.aiq`)."""
    rows = []
    for (seed, d), split_models in models.groupby(["seed", "dataset"], sort=False):
        zero = (split_models["cost"].to_numpy(float), split_models["quality"].to_numpy(float))
        zero_heldout = split_models[split_models["on_train_hull"]]  # the Zero router's held-out configurations
        split_points = points[(points.seed == seed) & (points.dataset == d)]
        split_heldout = heldout[(heldout.seed == seed) & (heldout.dataset == d)]
        lo, hi = shared_domain({"zero": zero})
        z = compare_aiq({"zero": zero}, lo, hi)["zero"]
        zero_heldout_aiq = heldout_aiq(zero_heldout["cost"], zero_heldout["quality"], lo, hi)
        rows.append((seed, d, "zero", z["aiq"], z["aiq_public"], zero_heldout_aiq, z["aiq"], z["aiq_public"],
                     zero_heldout_aiq, lo, hi, public_end({"zero": zero})))
        for r, sweep in split_points.groupby("router", sort=False):
            systems = {"zero": zero, r: (sweep["cost"].to_numpy(float), sweep["quality"].to_numpy(float))}
            lo, hi = shared_domain(systems)
            res = compare_aiq(systems, lo, hi)
            held = split_heldout[split_heldout.router == r]
            rows.append((seed, d, r, res[r]["aiq"], res[r]["aiq_public"], heldout_aiq(held["cost"], held["quality"], lo, hi),
                         res["zero"]["aiq"], res["zero"]["aiq_public"],
                         heldout_aiq(zero_heldout["cost"], zero_heldout["quality"], lo, hi), lo, hi, public_end(systems)))
    cols = ["seed", "dataset", "router", "aiq", "aiq_public", "aiq_heldout", "zero_aiq", "zero_aiq_public",
            "zero_aiq_heldout", "c_min", "c_max", "c_public"]
    return pd.DataFrame(rows, columns=cols)


# ----- per-seed readings (ProtocolResult.per_seed) ---------------------------------------------
class _Reading(NamedTuple):
    """One row of :meth:`ProtocolResult.per_seed`."""

    seed: int
    dataset: str  # a dataset, or "all" for a reading over datasets
    router: str
    metric: str
    value: float


class _System(NamedTuple):
    """What the follow-up metrics read of one system on one split's test part: its performance
    configuration (a router's best validation quality; a baseline's one configuration) and, for
    a router, its hindsight sweep."""

    acc: float  # mean quality
    acc_hard: float  # mean quality on the prompts 1-3 models solve
    cost: float  # total cost
    sweep: pd.DataFrame | None  # the router's hindsight points (None for the baselines)


_AIQ_METRICS = ("aiq", "aiq_public", "aiq_heldout")
#: the ratios read over datasets: name, the reference column of ``refs``, and F.ratio_readings' kind
_RATIOS = (("gain_r", "random_quality", "gain"), ("gain_b", "bs_quality", "gain"), ("gap_o", "oracle_quality", "gap"))
#: the AIQ metrics averaged over datasets
_AIQ_OVER_DATASETS = ("aiq", "aiq_public", "aiq_heldout", "aiq_minus_zero", "aiq_heldout_minus_zero")


def _aiq_readings(aiq: pd.DataFrame) -> list[_Reading]:
    """Per row of the AIQ table: the AIQ in each convention and, for a router, its difference to
    the Zero router's on their shared domain (``*_minus_zero``)."""
    out = []
    for row in aiq.itertuples():
        for m in _AIQ_METRICS:
            out.append(_Reading(row.seed, row.dataset, row.router, m, float(getattr(row, m))))
            if row.router != "zero":
                out.append(_Reading(row.seed, row.dataset, row.router, f"{m}_minus_zero",
                                    float(getattr(row, m) - getattr(row, "zero_" + m))))
    return out


def _split_systems(ref: pd.Series, routers: Sequence[str], perf: dict, seed, dataset,
                   split_points: pd.DataFrame) -> dict[str, _System]:
    """Every system of one (seed, dataset) in the order of the readings: the Zero router (its
    performance configuration is the Best Single, the best model on train), the routers that ran
    there, the analytic Oracle, the Random router's expectation and the hindsight Best Single."""
    systems = {"zero": _System(ref.bs_quality, ref.bs_quality_hard, ref.bs_cost, None)}
    for r in routers:
        p = perf.get((r, seed, dataset))
        if p is not None:
            systems[r] = _System(p.quality, p.quality_hard, p.cost, split_points[split_points.router == r])
    systems["oracle (analytic)"] = _System(ref.oracle_quality, ref.oracle_quality_hard, ref.oracle_cost, None)
    systems["random (expected)"] = _System(ref.random_quality, ref.random_quality_hard, ref.random_cost, None)
    systems["best_single (test hindsight)"] = _System(ref.bs_test_quality, np.nan, ref.bs_test_cost, None)
    return systems


def _deployable_frontier(split_points: pd.DataFrame, split_models: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(cost, quality) of every point the Pareto distance is measured against: the models and the
    sweeps of the routers blind to quality (a router that reads the test quality is no deployable
    reference)."""
    deployable = split_points[~split_points["reads_quality"].astype(bool)]
    cost = np.r_[deployable["cost"].to_numpy(float), split_models["cost"].to_numpy(float)]
    quality = np.r_[deployable["quality"].to_numpy(float), split_models["quality"].to_numpy(float)]
    return cost, quality


def _weak_and_strong(split_models: pd.DataFrame) -> tuple[float, float] | None:
    """For two-model data, the test quality of the cheaper (on train) and of the dearer model, the
    ends APGR and CPT are measured between; None for other data or when the two are equal."""
    if len(split_models) != 2:
        return None
    weak, strong = split_models.sort_values("train_cost")["quality"].to_numpy(float)
    return (weak, strong) if strong != weak else None


def _accuracy_readings(seed, dataset, name: str, system: _System, ref: pd.Series) -> list[_Reading]:
    """A system's performance configuration: acc, acc_hard, cost, and its gains over the Random
    router and the Best Single (chosen on train, and in hindsight on test) and gap to the Oracle."""
    acc = system.acc
    values = (("acc", acc), ("acc_hard", system.acc_hard), ("cost", system.cost),
              ("gain_r", F.gain(acc, ref.random_quality)), ("gain_b", F.gain(acc, ref.bs_quality)),
              ("gain_b_hindsight", F.gain(acc, ref.bs_test_quality)), ("gap_o", F.gap(acc, ref.oracle_quality)))
    return [_Reading(seed, dataset, name, m, float(v)) for m, v in values]


def _sweep_readings(seed, dataset, name: str, sweep: pd.DataFrame, ref: pd.Series, frontier,
                    weak_strong: tuple[float, float] | None) -> list[_Reading]:
    """A router's hindsight sweep: perf_gain and cost_save against the Best Single, pareto_dist to
    the deployable frontier with the sweep itself, and for two-model data apgr, cpt50, cpt80."""
    frontier_cost, frontier_quality = frontier
    values = [("perf_gain", F.perf_gain(sweep["quality"], ref.bs_quality)),
              ("cost_save", F.cost_save(sweep["cost"], sweep["quality"], ref.bs_quality, ref.bs_cost)[0]),
              ("pareto_dist", F.pareto_distance(sweep["cost"], sweep["quality"], np.r_[frontier_cost, sweep["cost"]],
                                                np.r_[frontier_quality, sweep["quality"]]))]
    if weak_strong is not None:
        weak, strong = weak_strong
        values.append(("apgr", F.apgr(sweep["share_dearest"], sweep["quality"], weak, strong)))
        for level in (0.5, 0.8):
            values.append((f"cpt{int(level * 100)}", F.cpt(sweep["share_dearest"], sweep["quality"], weak, strong,
                                                          level)))
    return [_Reading(seed, dataset, name, m, float(v)) for m, v in values]


def _split_readings(res: ProtocolResult, refs: pd.DataFrame, perf: dict, routers: list[str]) -> list[_Reading]:
    """Per (seed, dataset) of ``refs``, per system: its accuracy readings and, for a router with a
    sweep, its sweep readings."""
    out = []
    for (seed, d), ref in refs.iterrows():
        split_models = res.models[(res.models.seed == seed) & (res.models.dataset == d)]
        split_points = res.points[(res.points.seed == seed) & (res.points.dataset == d)]
        frontier = _deployable_frontier(split_points, split_models)
        weak_strong = _weak_and_strong(split_models)
        for name, system in _split_systems(ref, routers, perf, seed, d, split_points).items():
            out += _accuracy_readings(seed, d, name, system, ref)
            if system.sweep is not None and len(system.sweep):
                out += _sweep_readings(seed, d, name, system.sweep, ref, frontier, weak_strong)
    return out


def _routers_on_every_dataset(per_dataset: pd.DataFrame, refused: dict) -> set[str]:
    """The systems with a reading over datasets: all but a router left out of some dataset
    (``meta["refused"]``, keys ``router/dataset``), whose average would be over other datasets."""
    left_out = {key.rsplit("/", 1)[0] for key in refused}
    return set(per_dataset.router) - left_out


def _accuracy_over_datasets(per_dataset: pd.DataFrame, refs: pd.DataFrame, whole: set[str]) -> list[_Reading]:
    """Per (seed, system of ``whole``), over the datasets it has an accuracy on: avg_acc (the macro
    mean), avg_acc_pooled (weighted by test prompts), and for gain_r, gain_b and gap_o the ratio of
    the averages and the mean of the per-dataset ratios."""
    acc = per_dataset[per_dataset.metric == "acc"].pivot_table(index=["seed", "router"], columns="dataset",
                                                               values="value")
    n_test = refs["n_test"]
    out = []
    for (seed, r), row in acc.iterrows():
        row = row.dropna()
        if row.empty or r not in whole:
            continue
        datasets = list(row.index)
        seed_refs = refs.loc[[(seed, d) for d in datasets]]
        accs = row.to_numpy(float)
        out.append(_Reading(seed, "all", r, "avg_acc", F.avg_acc(accs)))
        out.append(_Reading(seed, "all", r, "avg_acc_pooled", F.avg_acc(accs, [n_test[(seed, d)] for d in datasets])))
        for name, ref_column, kind in _RATIOS:
            ratio_of_avg, mean_of_ratios = F.ratio_readings(accs, seed_refs[ref_column].to_numpy(float), kind)
            out.append(_Reading(seed, "all", r, f"{name}_ratio_of_avg", ratio_of_avg))
            out.append(_Reading(seed, "all", r, f"{name}_mean_of_ratios", mean_of_ratios))
    return out


def _aiq_over_datasets(per_dataset: pd.DataFrame, whole: set[str]) -> list[_Reading]:
    """Per (seed, router of ``whole``): the mean over datasets of each AIQ metric."""
    out = []
    for m in _AIQ_OVER_DATASETS:
        rows = per_dataset[(per_dataset.metric == m) & per_dataset.router.isin(whole)]
        means = rows.groupby(["seed", "router"], sort=False)["value"].mean()
        out += [_Reading(seed, "all", r, m, v) for (seed, r), v in means.items()]
    return out


def _per_seed(res: ProtocolResult) -> pd.DataFrame:
    """:meth:`ProtocolResult.per_seed`: the readings per dataset (AIQ, then per split the
    systems' accuracy and sweep readings), then the readings over datasets (dataset ``all``)."""
    refs = res.refs.set_index(["seed", "dataset"])
    perf = {(p.router, p.seed, p.dataset): p for p in res.perf.itertuples()}
    readings = _aiq_readings(res.aiq) + _split_readings(res, refs, perf, res.routers)
    per_dataset = pd.DataFrame(readings, columns=list(_Reading._fields))
    whole = _routers_on_every_dataset(per_dataset, res.meta.get("refused", {}))
    over_datasets = _accuracy_over_datasets(per_dataset, refs, whole) + _aiq_over_datasets(per_dataset, whole)
    return pd.concat([per_dataset, pd.DataFrame(over_datasets, columns=per_dataset.columns)], ignore_index=True)


# ----- the runner's steps ------------------------------------------------------------------------
class _Inputs(NamedTuple):
    """What every job on one dataset gets."""

    data: RoutingData  # the dataset's rows
    X: object  # their features, the unfitted embedder, or None
    prompts: np.ndarray | None  # their texts, only for an embedder fitted per split (else None: one cache key)
    key: str  # the hash of the three, made once here: the cache key's part for them


class _Pairs(NamedTuple):
    """Which (router, dataset) pairs run, keyed by (router name, dataset)."""

    grids: dict  # pair -> the grid entries that can run there; the pairs that run
    refused: dict  # pair -> why the router refuses the dataset (Router.refuses)
    small: dict  # pair -> why the dataset is too small for the router (evaluate.too_small)


#: the tables every job returns, concatenated over jobs
_JOB_TABLES = ("points", "heldout", "perf", "selection")


def _router_names(specs: list[RouterSpec]) -> list[str]:
    """The routers' names, checked: non-empty strings, none in :data:`RESERVED_NAMES`, no repeats."""
    names = [s.name for s in specs]
    odd = [n for n in names if not isinstance(n, str) or not n.strip()]
    if odd:
        raise ValueError(f"router names must be non-empty strings; got {odd}")
    taken = [n for n in names if n in RESERVED_NAMES]
    if taken:
        raise ValueError(f"router name(s) {taken} are taken by rows the protocol adds itself "
                         f"({', '.join(map(repr, RESERVED_NAMES))}); rename the router")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"router names must be unique; {dup} appear more than once")
    return names


def _datasets_to_run(data, datasets: Sequence[str] | None) -> tuple[list[str], list[str], dict[str, int]]:
    """(the datasets to run, in the order asked; those skipped for fewer than :data:`MIN_IDS`
    prompts, with a warning; the number of prompts of each). Raises when none is left."""
    if isinstance(datasets, str):
        raise ValueError(f"datasets must be a sequence of dataset names, got the string {datasets!r}; "
                         f"for one dataset pass [{datasets!r}]")
    wanted = list(data.datasets if datasets is None else datasets)
    twice = sorted({str(d) for d in wanted if wanted.count(d) > 1})
    if twice:
        raise ValueError(f"dataset(s) {twice} named more than once in datasets={wanted}; each runs once")
    missing = [d for d in wanted if d not in data.datasets]
    if missing:
        raise ValueError(f"dataset(s) {missing} not in this data; it has {data.datasets}")
    ok, skipped, n_ids = [], [], {}
    for d in wanted:
        n_ids[d] = data.n_prompts(d)  # prompts are (eval name, sample id), as the split counts them
        (ok if n_ids[d] >= MIN_IDS else skipped).append(d)
    for d in skipped:
        warnings.warn(f"{data.name}: dataset {d!r} has {n_ids[d]} prompts, fewer than {MIN_IDS}; skipped by the protocol",
                      stacklevel=3)
    if not ok:
        raise ValueError(f"no dataset with at least {MIN_IDS} sample ids to evaluate (asked: {wanted})")
    return ok, skipped, n_ids


def _dataset_inputs(data, datasets: list[str], X, prompts) -> dict[str, _Inputs]:
    """Per dataset, its rows of the data, the features and (for an embedder) the prompts."""
    out = {}
    for d in datasets:
        rows = np.flatnonzero(data.dataset == d)
        feats = X if X is None or hasattr(X, "fit") else np.asarray(X)[rows]
        # the texts matter only to an embedder fitted per split; leaving them out otherwise keeps one cache key
        texts = None if prompts is None or not hasattr(X, "fit") else np.asarray(prompts, dtype=object)[rows]
        sub = data.select(rows)
        key = content_hash(sub.fingerprint(), feats if feats is None or isinstance(feats, np.ndarray)
                           else joblib.hash(feats), texts)
        out[d] = _Inputs(sub, feats, texts, key)
    return out


def _runnable_pairs(specs: list[RouterSpec], inputs: dict[str, _Inputs], n_ids: dict[str, int]) -> _Pairs:
    """Every (router, dataset) pair sorted into: refused by the router, too small for it, or run
    with the grid entries the dataset is large enough for."""
    pairs = _Pairs({}, {}, {})
    for sp in specs:
        router = sp.make()  # always a Router (as_router wraps plain objects)
        for d, inp in inputs.items():
            why = router.refuses(inp.data)
            if why:
                pairs.refused[(sp.name, d)] = why
                continue
            why, grid = too_small(sp, n_ids[d])
            if why:
                pairs.small[(sp.name, d)] = why
            else:
                pairs.grids[(sp.name, d)] = grid
    return pairs


def _warn_left_out(specs: list[RouterSpec], datasets: list[str], pairs: _Pairs) -> None:
    """One warning per kind of left-out work: pairs the router refuses, pairs the dataset is too
    small for, and grid entries dropped on a dataset too small for them."""
    if pairs.refused:
        warnings.warn("left out by the protocol (the router refuses the dataset): " + "; ".join(
            f"{r} on {d}" for r, d in pairs.refused), stacklevel=3)
    if pairs.small:
        warnings.warn("left out by the protocol (the dataset is too small for the router): " + "; ".join(
            f"{r} on {d!r} ({why})" for (r, d), why in pairs.small.items()), stacklevel=3)
    grids = pairs.grids
    dropped = {(sp.name, d): [g for g in sp.grid if g not in grids[(sp.name, d)]] for sp in specs for d in datasets
               if (sp.name, d) in grids and len(grids[(sp.name, d)]) < len(sp.grid)}
    if dropped:
        warnings.warn("grid entries the dataset is too small for (min_train_rows), dropped there: " + "; ".join(
            f"{r} on {d!r}: {', '.join(param_str(g) for g in gs)}" for (r, d), gs in dropped.items()), stacklevel=3)


def _router_codes(specs: list[RouterSpec], cache: bool) -> dict[str, str | None]:
    """Per router, the fingerprint of its code (:func:`router_code`), with a warning naming the
    routers whose code cannot be read (they run without caching)."""
    code = {sp.name: router_code(sp.router) for sp in specs}
    uncached = [n for n, c in code.items() if c is None]
    if uncached and cache:
        warnings.warn(f"the code of router(s) {uncached} cannot be read, so their results are computed without "
                      "caching (a cache keyed without the code could serve numbers of an older version)", stacklevel=3)
    return code


def _tasks(seeds, datasets: list[str], specs: list[RouterSpec], inputs: dict[str, _Inputs], pairs: _Pairs, job,
           code: dict, n_knob) -> list:
    """One ``delayed(_guarded)`` call per (seed, dataset, router) that runs, largest datasets first
    (the longest jobs start first when jobs run in parallel). A router whose code cannot be read
    runs uncached; a spec on a dataset too small for part of its grid carries only the rest."""
    src = _source_hash()
    runs = sorted(((s, d, sp) for s in seeds for d in datasets for sp in specs if (sp.name, d) in pairs.grids),
                  key=lambda t: -inputs[t[1]].data.n)
    tasks = []
    for s, d, sp in runs:
        grid = pairs.grids[(sp.name, d)]
        spec = sp if grid == tuple(sp.grid) else replace(sp, grid=grid)
        inp = inputs[d]
        tasks.append(delayed(_guarded)(job if code[sp.name] is not None else _run_job, inp.data, inp.X, inp.prompts,
                                       spec, s, n_knob, f"{src}:{code[sp.name]}", inp.key))
    return tasks


def _run_tasks(tasks: list, desc: str, n_jobs: int, backend: str | None, scheduler: str, progress: bool,
               batch: int | str = "auto") -> list:
    """The jobs' outputs in the order of ``tasks``: on the active Dask client (``backend="dask"``),
    on the cluster of ``scheduler``, or with joblib on this machine, ``batch`` consecutive jobs
    to a worker at a time (joblib's ``batch_size``)."""
    if backend == "dask" and not scheduler:
        return _run_on_cluster(_active_client(), tasks, desc, progress)
    if scheduler:
        with connect(scheduler) as client:
            return _run_on_cluster(client, tasks, desc, progress)
    outs, todo = _read_cached(tasks)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc=desc)
    it = Parallel(n_jobs=n_jobs, backend=backend, return_as="generator", batch_size=batch)(tasks[i] for i in todo)
    for out, i in zip(it, todo):  # the generator first: zip runs it to its end, and joblib has nothing to cancel
        outs[i] = out
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return outs


def _read_cached(tasks: list) -> tuple[list, list[int]]:
    """The outputs of the jobs found in the cache, read here (None for the others), and the positions
    of the others: a finished job costs a file read, not a trip of its dataset to a worker."""
    outs: list = [None] * len(tasks)
    todo = []
    for i, (_, (job, *args), _) in enumerate(tasks):
        if _in_cache(job, *args):
            outs[i] = _guarded(job, *args)
        else:
            todo.append(i)
    return outs, todo


def _job_tables(outs: list[dict]) -> dict[str, pd.DataFrame]:
    """Each table of :data:`_JOB_TABLES` concatenated over the jobs' outputs (empty, with its
    columns, when no job ran)."""
    return {k: pd.concat([o[k] for o in outs], ignore_index=True) if outs else pd.DataFrame(columns=_EMPTY[k])
            for k in _JOB_TABLES}


def _baseline_tables(inputs: dict[str, _Inputs], seeds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(models, refs): :func:`_baselines` of every (seed, dataset), seeds in the order given."""
    base = [_baselines(inp.data, s) for s in seeds for inp in inputs.values()]
    return pd.concat([b["models"] for b in base], ignore_index=True), pd.DataFrame([b["refs"] for b in base])


def _in_run_order(table: pd.DataFrame, datasets: Sequence[str], routers: Sequence[str]) -> pd.DataFrame:
    """``table`` sorted by the key (seed, dataset, router): seeds ascending, datasets in the order
    of ``datasets``, routers in the order of ``routers``; rows with the same key keep their order
    (``np.lexsort`` is stable). Positions are compared, not mixed into one number, so the order
    holds for any number of datasets and routers."""
    dataset_pos = {d: i for i, d in enumerate(datasets)}
    router_pos = {r: i for i, r in enumerate(routers)}
    keys = (table["router"].map(router_pos).to_numpy(), table["dataset"].map(dataset_pos).to_numpy(),
            table["seed"].to_numpy())  # np.lexsort: the last key is the primary one
    return table.iloc[np.lexsort(keys)].reset_index(drop=True)


# ----- the runner ----------------------------------------------------------------------------------
def run_protocol(data, specs: Sequence[RouterSpec], X=None, seeds=DEFAULT_SEEDS, datasets: Sequence[str] | None = None,
                 n_knob: int | None = None, prompts: np.ndarray | None = None, n_jobs: int = 1,
                 backend: str | None = None, cache: bool = True, progress: bool = True,
                 scheduler: str | None = None) -> ProtocolResult:
    """Every router of ``specs`` on every dataset and seed (see the module docstring).

    Parameters
    ----------
    data : RoutingData with n rows
    specs : RouterSpec per router (registry names or any object with ``fit``/``route``; see
        :func:`registry_specs`)
    X : ndarray of shape (n, d), an unfitted embedder, or None
    seeds : sequence of int or "0,1,2,3,4"
    datasets : which datasets (default: every one present), a list naming each once; one with fewer than :data:`MIN_IDS`
        sample ids is skipped with a warning that names it; a (router, dataset) pair the dataset is
        too small for (:func:`routerlib.evaluate.too_small`) is left out with a warning and recorded
        in ``meta["refused"]``, like a pair the router refuses
    n_jobs, backend : joblib's, on this machine (``n_jobs=-1``: every core). ``backend="dask"``
        sends the jobs to the active ``dask.distributed.Client`` (as ``scheduler`` does);
        ``backend="ray"`` is handed to joblib (untested)
    scheduler : where the jobs run (:mod:`routerlib.scheduler`): ``""`` this machine (joblib with
        ``n_jobs``), ``"local:N"`` a Dask LocalCluster of N processes started for the run,
        ``"tcp://host:port"`` an existing Dask scheduler; None reads ``ROUTERLIB_SCHEDULER``.
        The results are the same as on this machine; finished jobs go into the same cache
        (written here, from the results the workers send back), so a rerun resumes
    cache : reuse finished jobs from ``paths.cache_dir()/protocol`` (keyed by the data, features,
        spec and its parameters, seed, routerlib's source and the code of a router from outside
        routerlib, :func:`router_code`), and the whole run from ``paths.cache_dir()/protocol_runs``
        (then nothing runs, here or on a cluster). A router whose behaviour depends on anything
        else (a file it reads, an environment variable, a global set at run time) needs
        ``cache=False``, which uses neither cache.

    Raises
    ------
    ValueError
        Before any work: on bad seeds (:func:`parse_seeds`), router names that are not unique
        strings or that take a name in :data:`RESERVED_NAMES`, datasets not in the data, named twice
        or given as one string, ``X`` without exactly one finite row
        per prompt (:func:`routerlib.evaluate.check_features`), or no dataset left to evaluate.
    RuntimeError
        When a router fails, naming the router, the seed and the dataset (a broken contract --
        a route that is not one model index per prompt, a write into the read-only data -- too).
    """
    seeds = parse_seeds(seeds)
    scheduler = check_scheduler(scheduler_setting(scheduler))
    if scheduler and backend not in (None, "dask"):
        raise ValueError(f"backend={backend!r} and scheduler={scheduler!r} both choose where the jobs run; "
                         "give one of them")
    specs = list(specs)
    names = _router_names(specs)
    X = check_features(X, data, prompts)
    ok, skipped, n_ids = _datasets_to_run(data, datasets)
    inputs = _dataset_inputs(data, ok, X, prompts)
    pairs = _runnable_pairs(specs, inputs, n_ids)
    _warn_left_out(specs, ok, pairs)
    job = _protocol_job(cache)
    code = _router_codes(specs, cache)
    tasks = _tasks(seeds, ok, specs, inputs, pairs, job, code, n_knob)
    desc = f"protocol ({len(seeds)} seeds x {len(ok)} datasets x {len(specs)} routers)"
    # an embedder fitted per split: the routers of one (seed, dataset), consecutive in ``tasks``, go
    # to one worker together, which fits the embedder once for them (routerlib.evaluate.features)
    batch = len(specs) if hasattr(X, "fit") else "auto"
    left_out = {**pairs.refused, **pairs.small}
    meta = {"seeds": list(seeds), "datasets": ok, "skipped": skipped, "label": data.label, "routers": names,
            "refused": {f"{r}/{d}": w for (r, d), w in left_out.items()}}

    def compute() -> ProtocolResult:
        tables = _job_tables(_run_tasks(tasks, desc, n_jobs, backend, scheduler, progress, batch))
        models, refs = _baseline_tables(inputs, seeds)
        points, heldout, perf, selection = (_in_run_order(tables[k], ok, names) for k in _JOB_TABLES)
        return ProtocolResult(points, heldout, perf, models, refs, _aiq_rows(points, heldout, models), selection,
                              meta=meta)

    if not cache or any(c is None for c in code.values()):
        return compute()
    key = joblib.hash((_source_hash(), code, [inputs[d].key for d in ok], seeds, n_knob, specs,
                       sorted((f"{r}/{d}", g) for (r, d), g in pairs.grids.items()), meta))
    with warnings.catch_warnings():
        if not isinstance(job, MemorizedFunc):  # the jobs' cache folder could not be written and said so
            warnings.simplefilter("ignore", UserWarning)
        whole = disk_cache(_whole_run, "protocol_runs", ["compute"], what="the protocol", stacklevel=4)
    if progress and _in_cache(whole, key, compute):
        print(f"{desc}: read from the cache", file=sys.stderr, flush=True)
    return whole(key, compute)


def _whole_run(key: str, compute) -> ProtocolResult:
    """A whole run's result with its :meth:`~ProtocolResult.per_seed` readings, cached under ``key``
    (the inputs of every job of the run, and the run's data, seeds and routers): a rerun reads one
    file, not one per job, and its readings are not made again. ``compute`` is not in the key."""
    del key  # the cache key only
    res = compute()
    res.per_seed()
    return res


def _in_cache(cached, *args) -> bool:
    """Whether ``cached(*args)`` would be read from its cache (False for a function run uncached)."""
    jc = cached.cached if isinstance(cached, ReadOnlyCache) else cached
    try:
        return hasattr(jc, "check_call_in_cache") and jc.check_call_in_cache(*args)
    except OSError:
        return False


_TAG = ["seed", "dataset", "router", "params", "knob", "reads_quality"]
_CONFIG = ["value", "cost", "quality", "quality_hard", "quality_none", "share_dearest"]
#: the columns of each table when no (router, dataset) pair ran (every one left out)
_EMPTY = {"points": _CONFIG + _TAG, "heldout": _CONFIG + ["val_cost", "val_quality"] + _TAG, "perf": _CONFIG + _TAG,
          "selection": ["router", "params", "inner_aiq", "selected", "seed", "dataset"]}


def _active_client():
    """The active ``dask.distributed.Client`` for ``backend="dask"``."""
    from .extras import require

    require("dask", "distributed", extra="cluster", what="backend='dask'",
            hint="Or pass scheduler='local:N' / 'tcp://host:port' to start or reach a cluster")
    from distributed import default_client

    try:
        return default_client()
    except ValueError as e:
        raise ValueError("backend='dask' needs an active dask.distributed.Client (none is running); pass "
                         "scheduler='local:N' or 'tcp://host:port' instead, or create a Client first") from e


def _worker_source_hash() -> str:
    from routerlib.protocol import _source_hash as h  # the worker's own routerlib

    return h()


def _store(job, args, output) -> bool:
    """Write ``output`` into ``job``'s joblib cache as if ``job(*args)`` had computed it here.

    joblib has no public call for this; the one it uses after computing (``_after_call``) is
    used when present, else nothing is stored (returns False)."""
    if not hasattr(job, "_after_call") or not hasattr(job, "_get_args_id"):
        return False
    call_id = (job.func_id, job._get_args_id(*args))
    job._after_call(call_id, args, {}, False, output, time.time())
    return True


def _same(x):
    return x


def _run_on_cluster(client, tasks, desc: str, progress: bool) -> list:
    """Run the protocol's jobs on a Dask cluster; the outputs in the order of ``tasks``.

    Jobs found in the cache are read here. The others run on the workers without caching there
    (a remote worker may not see this machine's cache folder), each as ``_guarded(_run_job, ...)``
    on data scattered to the cluster once per dataset, and each result is written into the cache
    here as it arrives, so an interrupted run resumes from the jobs it finished. A worker that
    dies loses nothing: the scheduler reruns its tasks on the others (jobs are deterministic).
    """
    from distributed import as_completed

    # a worker that dies while answering (one killed, one restarting) is skipped, not fatal: the
    # scheduler gives its tasks to the others, and the workers that answer are the ones checked
    mine, theirs = _source_hash(), set(client.run(_worker_source_hash, on_error="ignore").values())
    if theirs - {mine}:
        raise RuntimeError(f"the cluster's workers run another routerlib (source {sorted(theirs)}, here {mine}); "
                           "install the same version there, or results could differ from this machine's")
    outs, todo = _read_cached(tasks)
    held: dict[int, object] = {}

    def remote(a):
        """Big inputs (data, features, texts) go to the cluster once per dataset, as the output of
        a task rather than scattered: a worker that dies with them loses nothing, the scheduler
        makes them again from the task."""
        if a is None or isinstance(a, (str, int, float, RouterSpec)):
            return a
        if id(a) not in held:
            held[id(a)] = client.submit(_same, a, pure=False)
        return held[id(a)]

    futs = {}
    for i in todo:
        job, *args = tasks[i][1]
        futs[client.submit(_guarded, _run_job, *(remote(a) for a in args), pure=False)] = i
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc=f"{desc} on {client.scheduler.address}")
    try:
        for fut in as_completed(list(futs)):
            i = futs[fut]
            out = fut.result()
            job, *args = tasks[i][1]
            if isinstance(job, MemorizedFunc):
                _store(job, args, out)
            outs[i] = out
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        for f in [*futs, *held.values()]:
            f.cancel()
    return outs


def _guarded(job, sub, X, prompts, spec, seed, n_knob, src, inputs=""):
    try:
        return job(sub, X, prompts, spec, seed, n_knob, src, inputs)
    except Exception as e:  # name what failed, keep the cause
        what = str(e)
        if isinstance(e, RouteError):  # the contract's message names the router, seed and dataset already
            what = what.split(": ", 1)[-1] if what.startswith(f"router {spec.name!r}") else what
        elif isinstance(e, ValueError) and "read-only" in what:
            what += " (routers see the data and X read-only: copy an array before changing it)"
        raise RuntimeError(f"router {spec.name!r} failed on seed {seed}, dataset {sub.datasets[0]!r}: "
                           f"{type(e).__name__}: {what}") from e

def cascade_over_seeds(data, datasets: Sequence[str], seeds=DEFAULT_SEEDS, **kw) -> pd.DataFrame:
    """The cascade study (:func:`routerlib.evaluate.evaluate_cascade`) on every seed's split: its
    AIQ table (per dataset, variant, system, error rate) with a ``seed`` column. It is fast
    (vectorised), so it runs in the main process. ``kw`` goes to ``evaluate_cascade``.

    Cached in ``paths.cache_dir()/cascade``, keyed by the data's fingerprint, the arguments and
    routerlib's source (:func:`routerlib.memo.inputs_key`)."""
    if isinstance(datasets, str):
        raise ValueError(f"datasets={datasets!r} is one string; give a list of dataset names")
    return disk_cache(_cascade_over_seeds, "cascade", ["data"], what="the cascade study")(
        data, list(datasets), parse_seeds(seeds), kw, inputs_key(data))


def _cascade_over_seeds(data, datasets: list[str], seeds: tuple[int, ...], kw: dict, inputs: str) -> pd.DataFrame:
    """:func:`cascade_over_seeds` computed; ``inputs`` is the cache key's part for the data."""
    del inputs  # the cache key only
    parts = [evaluate_cascade(data, datasets, seed=s, **kw).aiq.assign(seed=s) for s in seeds]
    return pd.concat(parts, ignore_index=True)


def compare_runs(results: dict, reference: str, metrics: Sequence[str] = ("aiq", "aiq_heldout"),
                 level: float = 0.95) -> pd.DataFrame:
    """Paired differences between protocol runs of the same data and seeds (e.g. one per embedder).

    For every run other than ``reference``, router of the runs (the Zero router and the analytic
    baselines are the same in every run and left out) and dataset (and ``all``, the mean over
    datasets): the per-seed difference of each metric to the reference run's, summarised with the
    95% interval and a verdict (above / within noise / below the reference).

    Returns
    -------
    DataFrame with columns run, dataset, router, metric, mean, std, ci_low, ci_high, ..., verdict
    """
    routers = set(results[reference].meta["routers"])
    readings = {k: (per_seed := r.per_seed())[per_seed.router.isin(routers)] for k, r in results.items()}
    ref = readings[reference]
    ref = ref[ref.metric.isin(metrics)].set_index(["seed", "dataset", "router", "metric"])["value"]
    rows = []
    for k, run_readings in readings.items():
        if k == reference:
            continue
        run_diff = run_readings[run_readings.metric.isin(metrics)].copy()
        key = pd.MultiIndex.from_frame(run_diff[["seed", "dataset", "router", "metric"]])
        run_diff["value"] = run_diff["value"].to_numpy(float) - ref.reindex(key).to_numpy(float)
        rows.append(run_diff.dropna(subset=["value"]).assign(run=k))
    diff = pd.concat(rows, ignore_index=True)
    out = summarize(diff, ("run", "dataset", "router", "metric"), level=level)
    out["verdict"] = [verdict(lo, hi) for lo, hi in zip(out.ci_low, out.ci_high)]
    return out
