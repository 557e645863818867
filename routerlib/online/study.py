"""One online study: every policy over a stream, the references, and the tables behind notebook 13.

* :func:`offline_points` -- a registry router (or any router) trained on each order's first 70% and
  frozen, swept over the same lambda values on the last 30%: its (mean cost, mean quality) points.
* :func:`run_policies` -- :func:`~routerlib.online.stream.replay` of each policy, timed.
* :func:`learning_curves` -- cumulative mean quality, cost and reward, and cumulative regret against
  the best fixed model and the Oracle, at one lambda, per order; then mean and 95% band over orders.
* :func:`aiq_table` -- per order, each system's AIQ over the window (the last 30%): the policies,
  the offline routers, the Zero router (the single models) and the per-prompt Oracle of each lambda;
  then intervals over orders and paired differences (a policy minus the Zero router, minus the
  full-information learner, minus each offline router).
* :func:`scenario_tables` -- a scenario's share of routes to the changed model per policy, and the
  adoption lags (:func:`~routerlib.online.scenarios.adoption_lag`).

:func:`run_policies` and :func:`offline_points` keep what they computed in
``paths.cache_dir()/online`` (:func:`routerlib.memo.disk_cache`), keyed by the stream's contents,
the lambdas, the policies' or router's parameters and routerlib's source (:mod:`routerlib.fingerprint`): a second run of notebook 13
reads them. Policies or routers defined outside routerlib are not cached (their code is not in the
key), nor anything with ``cache=False``.

The AIQ domain of every system at an order is the Zero router's: from the cheapest to the dearest
model's mean cost per prompt in that order's window. It does not depend on which systems are
compared, so differences are paired on one domain.
"""

from __future__ import annotations

import time
from dataclasses import fields
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..fingerprint import content_hash, source_hash
from ..memo import disk_cache
from ..routers.base import as_router, check_outcomes, read_only
from .metrics import (
    best_fixed_model,
    cumulative_mean,
    cumulative_regret,
    model_points,
    oracle_reward,
    order_interval,
    paired_interval,
    reward,
    stream_aiq,
    window_points,
    window_share,
)
from .scenarios import adoption_lag
from .stream import Checkpoint, Stream, Trace, check_lambdas, prefix_key, replay, resume, trace_of

__all__ = ["offline_points", "run_policies", "learning_curves", "aiq_table", "scenario_tables", "curve_steps", "findings",
           "FULL_INFORMATION", "ZERO", "ORACLE"]

#: the names of the reference rows
FULL_INFORMATION = "linucb (full information)"
ZERO = "zero"
ORACLE = "oracle (per lambda)"


def _make_router(router, seed: int):
    """A fresh router: a registry name (with the paper's best configuration) or a copy of an object."""
    import copy

    from ..paper import PAPER_BEST
    from ..routers import ROUTERS

    if isinstance(router, str):
        if router not in ROUTERS:
            raise ValueError(f"unknown router {router!r}; known: {', '.join(ROUTERS)}")
        r = ROUTERS[router](**PAPER_BEST.get(router, {}))
    else:
        r = as_router(copy.deepcopy(router))
    for name in ("random_state", "seed"):
        if name in r.get_params():
            r.set_params(**{name: seed})
    return r


def _stream_key(stream: Stream) -> str:
    """The hash of every field of ``stream`` (its data by :meth:`RoutingData.fingerprint`), but for
    the projected features ``x`` only their shape when the stream carries the embedding they were
    projected from: the projection's last bits depend on the BLAS threads and the arrays' alignment,
    and the key must not (the embedding, read from its cache, is the same bytes every run)."""
    parts = []
    for f in fields(stream):
        v = getattr(stream, f.name)
        if f.name == "x" and stream.embedding is not None:
            v = ("projected", v.shape, v.dtype.str)
        parts.append((f.name, v.fingerprint() if hasattr(v, "fingerprint") else v))
    return content_hash(*parts)


def _memo(func, key: str | None, ignore: Sequence[str]):
    """``func`` cached in ``paths.cache_dir()/online`` on ``key`` (the caller's hash of every input;
    the arguments in ``ignore`` are left out); ``func`` itself when ``key`` is None."""
    return func if key is None else disk_cache(func, "online", ignore, what="the online study", stacklevel=4)


def offline_points(router, stream: Stream, lambdas, name: str | None = None,
                   cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A router trained offline on each order's first ``stream.t_train`` prompts (every model's outcome
    seen) and frozen, then swept on the rest: per order, its (mean cost per prompt, mean quality) at
    each lambda (its ``willingness_to_pay``; a router with another knob is swept over its own grid,
    one without a knob is one point). The router sees the stream's embeddings (not their projection).

    Returns
    -------
    cost, quality : lists (one per order) of arrays (k,)
    """
    lam = check_lambdas(lambdas)
    if stream.data is None:
        raise ValueError("the stream carries no data to train an offline router on (make it with make_stream)")
    who = name or (router if isinstance(router, str) else type(router).__name__)
    # a registry name is cached (its code is routerlib's); a router object is not
    key = (content_hash("offline_points", source_hash(), _stream_key(stream), lam, router, who)
           if cache and isinstance(router, str) else None)
    return _memo(_offline_points, key, ["router", "stream", "lam", "who"])(router, stream, lam, who, key)


def _offline_points(router, stream: Stream, lam: np.ndarray, who: str, key: str | None):
    """:func:`offline_points` computed; ``key`` is its cache key."""
    costs, quals = [], []
    for s, seed in enumerate(stream.seeds):
        tr, te = stream.order[s, :stream.t_train], stream.order[s, stream.t_train:]
        train, test = read_only(stream.data.select(tr)), read_only(stream.data.select(te))
        Xtr = None if stream.embedding is None else read_only(stream.embedding[tr])
        Xte = None if stream.embedding is None else read_only(stream.embedding[te])
        r = _make_router(router, seed).fit(train, Xtr)
        if r.knob is None:
            vals = None
            k = 1
        else:
            vals = lam if r.knob == "willingness_to_pay" else r.knob_grid()
            k = len(vals)
        out = check_outcomes(r.sweep_outcomes(test, Xte, vals), k, test.n, test.m, f"{who} (order {seed})")
        costs.append(out.cost.mean(axis=1))
        quals.append(out.quality.mean(axis=1))
    return costs, quals


def run_policies(policies: Mapping[str, object], stream: Stream, lambdas, cache: bool = True,
                 keep_at: int | None = None) -> tuple[dict[str, Trace], dict[str, float]]:
    """Replay each policy (name -> policy) over every order and lambda; the traces and the seconds
    each took when computed (a cached result keeps the seconds of the run that made it). Cached when
    every policy is routerlib's (keyed by their parameters, ``repr``, not their learned state).

    With ``keep_at``, each replay of a routerlib policy computed here keeps the policy's state before
    that step (in this process, until the next call with ``keep_at``). A later call on a stream that
    shares those steps (a price that changes from that step on) resumes from it, for a policy of the
    same name and parameters (:func:`~routerlib.online.stream.resume`): the same traces, those steps
    not run again, their seconds counted in. A policy from outside routerlib is always replayed from
    the start (its ``repr`` need not name its parameters)."""
    ours = all(type(p).__module__.startswith("routerlib.") for p in policies.values())
    key = (content_hash("run_policies", source_hash(), _stream_key(stream), check_lambdas(lambdas),
                        [(n, repr(p)) for n, p in policies.items()]) if cache and ours else None)
    # stored: the choices only (int16, a tenth of a trace's bytes); quality and cost are the stream's
    choices, seconds = _memo(_replay_all, key, ["policies", "stream", "lambdas", "keep_at"])(
        policies, stream, lambdas, key, keep_at)
    return {name: trace_of(c, stream) for name, c in choices.items()}, seconds


#: (name, repr) of a policy -> its :class:`~routerlib.online.stream.Checkpoint` from the last
#: :func:`run_policies` call with ``keep_at`` that computed its replay
_KEPT: dict[tuple[str, str], Checkpoint] = {}


def _replay_all(policies: Mapping[str, object], stream: Stream, lambdas, key: str | None, keep_at: int | None = None):
    """Each policy's choices (T, S, L) and the seconds its replay took; ``key`` is the cache key."""
    if keep_at is not None:
        _KEPT.clear()
    prefixes: dict[int, str] = {}  # step -> this stream's prefix key there
    choices, seconds = {}, {}
    for name, p in policies.items():
        t0 = time.perf_counter()
        ours = type(p).__module__.startswith("routerlib.")
        kept = _KEPT.get((name, repr(p))) if ours else None
        if kept is not None and kept.step < stream.T and kept.step not in prefixes:
            prefixes[kept.step] = prefix_key(stream, kept.step, lambdas)
        if kept is not None and prefixes.get(kept.step) == kept.prefix:
            choices[name] = resume(kept, stream, lambdas).choice
            seconds[name] = kept.seconds + time.perf_counter() - t0
        elif keep_at is not None and ours:
            trace, _KEPT[(name, repr(p))] = replay(p, stream, lambdas, keep_at=keep_at)
            choices[name], seconds[name] = trace.choice, time.perf_counter() - t0
        else:
            choices[name] = replay(p, stream, lambdas).choice
            seconds[name] = time.perf_counter() - t0
    return choices, seconds


def curve_steps(T: int, n: int = 120) -> np.ndarray:
    """About ``n`` step indices from 0 to T - 1, denser early (where learning happens), always the last.

    >>> curve_steps(5, 3).tolist()
    [0, 1, 4]
    """
    s = np.unique(np.round(np.geomspace(1, T, max(int(n), 2))).astype(int) - 1)
    return np.union1d(s, [T - 1])


def _bands(values: np.ndarray, steps, seeds) -> list[tuple]:
    """Per step in ``steps``: mean and the corrected and naive 95% intervals over orders of values (T, S)."""
    rows = []
    for t in steps:
        r = order_interval(values[t])
        rows.append((int(t) + 1, r.mean, r.ci_low, r.ci_high, r.ci_low_naive, r.ci_high_naive, r.n))
    return rows


def learning_curves(traces: Mapping[str, Trace], stream: Stream, lambdas, at: int | None = None,
                    n_points: int = 120) -> pd.DataFrame:
    """Learning curves at lambda ``lambdas[at]`` (default the middle value), with bands over orders.

    Metrics per step t (counted from 1), each a mean over orders with its 95% interval:
    ``quality`` and ``cost`` -- cumulative means of the chosen models' quality and cost (USD per
    prompt); ``reward`` -- cumulative mean of ``lambda q - c``; ``regret_best_fixed`` and
    ``regret_oracle`` -- cumulative regret (:func:`~routerlib.online.metrics.cumulative_regret`)
    against the best fixed model in hindsight (:func:`~routerlib.online.metrics.best_fixed_model`)
    and the per-prompt Oracle (:func:`~routerlib.online.metrics.oracle_reward`).

    Returns
    -------
    DataFrame: policy, metric, lambda, step, mean, ci_low, ci_high, ci_low_naive, ci_high_naive, n_seeds
    """
    lam = check_lambdas(lambdas)
    li = lam.size // 2 if at is None else int(at)
    lv = lam[li:li + 1]
    Q, C = stream.quality, stream.cost
    best = best_fixed_model(Q, C, lv, stream.available)[:, 0]  # (S,)
    s_idx = np.arange(stream.S)
    r_best = lv[0] * Q[:, s_idx, best] - C[:, s_idx, best]  # (T, S)
    r_orc = oracle_reward(Q, C, lv, stream.available)[:, :, 0]
    steps = curve_steps(stream.T, n_points)
    rows = []
    for name, tr in traces.items():
        q, c = tr.quality[:, :, li], tr.cost[:, :, li]
        r = reward(q, c, lv[0])
        series = {"quality": cumulative_mean(q), "cost": cumulative_mean(c), "reward": cumulative_mean(r),
                  "regret_best_fixed": cumulative_regret(r, r_best), "regret_oracle": cumulative_regret(r, r_orc)}
        for metric, v in series.items():
            rows += [(name, metric, lv[0], *b) for b in _bands(v, steps, stream.seeds)]
    return pd.DataFrame(rows, columns=["policy", "metric", "lambda", "step", "mean", "ci_low", "ci_high",
                                       "ci_low_naive", "ci_high_naive", "n_seeds"])


def aiq_table(traces: Mapping[str, Trace], stream: Stream, lambdas, offline: Mapping[str, tuple] | None = None,
              full_information: str = FULL_INFORMATION) -> tuple[pd.DataFrame, pd.DataFrame]:
    """AIQ over the window (steps from ``stream.t_train`` on) per order, and its summary.

    Systems: each traced policy (its points over lambda), each offline router (``offline``: name ->
    :func:`offline_points`), the Zero router (the single models' points) and the Oracle of each
    lambda (per prompt the model of largest ``lambda q - c``: an upper bound, never deployable).

    Returns
    -------
    per_order : DataFrame seed, system, kind, aiq, c_min, c_max
    summary : DataFrame system, kind, metric, mean, ci_low, ci_high, ci_low_naive, ci_high_naive,
        n_seeds, verdict; metric ``aiq`` (verdict empty), ``aiq_minus_zero``, ``aiq_minus_full_information``
        and ``aiq_minus_<offline router>`` for the online policies (paired by order)
    """
    lam = check_lambdas(lambdas)
    start = stream.t_train
    mc, mq = model_points(stream.quality, stream.cost, start)  # (S, m)
    lo, hi = mc.min(axis=1), mc.max(axis=1)
    # the Oracle of each lambda: per step the model of largest reward
    R = lam[None, None, :, None] * stream.quality[start:, :, None, :] - stream.cost[start:, :, None, :]
    if stream.available is not None:
        R = np.where(stream.available[start:, None, None, :], R, -np.inf)
    best = R.argmax(axis=3)  # (T', S, L)
    oq = np.take_along_axis(stream.quality[start:], best, axis=2).mean(axis=0)  # (S, L)
    oc = np.take_along_axis(stream.cost[start:], best, axis=2).mean(axis=0)
    rows = []
    for s, seed in enumerate(stream.seeds):
        dom = (lo[s], hi[s])
        rows.append((seed, ZERO, "baseline", stream_aiq(mc[s], mq[s], *dom), *dom))
        rows.append((seed, ORACLE, "bound", stream_aiq(oc[s], oq[s], *dom), *dom))
        for name, tr in traces.items():
            c, q = window_points(tr.quality[:, s:s + 1], tr.cost[:, s:s + 1], start)
            kind = "full information" if "full information" in name else "online"
            rows.append((seed, name, kind, stream_aiq(c[0], q[0], *dom), *dom))
        for name, (cs, qs) in (offline or {}).items():
            rows.append((seed, name, "offline (trained on the first 70%)", stream_aiq(cs[s], qs[s], *dom), *dom))
    per = pd.DataFrame(rows, columns=["seed", "system", "kind", "aiq", "c_min", "c_max"])
    wide = per.pivot(index="seed", columns="system", values="aiq").loc[list(stream.seeds)]
    refs = [(ZERO, "aiq_minus_zero")]
    if full_information in wide.columns:
        refs.append((full_information, "aiq_minus_full_information"))
    refs += [(o, f"aiq_minus_{o}") for o in (offline or {})]
    out = []
    kinds = per.drop_duplicates("system").set_index("system")["kind"]
    for system in dict.fromkeys(per.system):
        r = order_interval(wide[system].to_numpy())
        out.append((system, kinds[system], "aiq", r.mean, r.ci_low, r.ci_high, r.ci_low_naive, r.ci_high_naive, r.n, ""))
        if kinds[system] not in ("online", "full information"):
            continue
        for ref, metric in refs:
            if ref == system:
                continue
            r, v = paired_interval(wide[system].to_numpy(), wide[ref].to_numpy())
            out.append((system, kinds[system], metric, r.mean, r.ci_low, r.ci_high, r.ci_low_naive, r.ci_high_naive,
                        r.n, v))
    summary = pd.DataFrame(out, columns=["system", "kind", "metric", "mean", "ci_low", "ci_high", "ci_low_naive",
                                         "ci_high_naive", "n_seeds", "verdict"])
    return per, summary


def scenario_tables(traces: Mapping[str, Trace], stream: Stream, model: int, at: int, scenario: str,
                    reference: str = FULL_INFORMATION, window: int | None = None, ratio: float = 0.8,
                    n_points: int = 120) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The share of routes to ``model`` over time per policy (bands over orders), and each policy's
    adoption lag after the event at step ``at`` against ``reference``
    (:func:`~routerlib.online.scenarios.adoption_lag`; window default 5% of the steps after the event).

    Returns
    -------
    shares : DataFrame scenario, model, policy, step, mean, ci_low, ci_high, ci_low_naive, ci_high_naive, n_seeds
    lags : DataFrame scenario, model, policy, lag_median, lag_min, lag_max (over the orders that
        adopted the model: a lag is a count of steps, skewed and bounded below, and often only a
        few orders adopt, so their range is shown rather than a t-interval), adopted (orders with a
        lag), n_seeds, window, ratio
    """
    if reference not in traces:
        raise ValueError(f"the reference {reference!r} is not among the traced policies {list(traces)}")
    w = max(1, int(round(0.05 * (stream.T - at)))) if window is None else int(window)
    steps = curve_steps(stream.T, n_points)
    rows, lags = [], []
    name = stream.models[model]
    for pol, tr in traces.items():
        sh = window_share(tr.choice, model, w)
        rows += [(scenario, name, pol, *b) for b in _bands(sh, steps, stream.seeds)]
        lag = adoption_lag(tr.choice, traces[reference].choice, model, at, w, ratio)
        done = lag[np.isfinite(lag)]
        med, lo, hi = (np.median(done), done.min(), done.max()) if done.size else (np.nan,) * 3
        lags.append((scenario, name, pol, med, lo, hi, done.size, lag.size, w, ratio))
    shares = pd.DataFrame(rows, columns=["scenario", "model", "policy", "step", "mean", "ci_low", "ci_high",
                                         "ci_low_naive", "ci_high_naive", "n_seeds"])
    lag_t = pd.DataFrame(lags, columns=["scenario", "model", "policy", "lag_median", "lag_min", "lag_max",
                                        "adopted", "n_seeds", "window", "ratio"])
    return shares.assign(event_step=at + 1), lag_t.assign(event_step=at + 1)


def _words(ci_low: float, ci_high: float, side: str) -> str:
    """*holds* / *within noise* / *does not hold* for "the difference is ``side`` 0" (``n/a`` without an interval)."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return "n/a"
    v = "above" if ci_low > 0 else "below" if ci_high < 0 else "within noise"
    return "within noise" if v == "within noise" else ("holds" if v == side else "does not hold")


def findings(summary: pd.DataFrame, contextual: Sequence[str] = ("linucb", "lin_thompson")) -> pd.DataFrame:
    """The questions of an online study, answered from :func:`aiq_table`'s summary with their intervals.

    For each contextual policy: its AIQ minus each offline router's (statement: above), minus the
    full-information learner's (statement: below), minus the Zero router's (statement: above); each
    *holds* when the paired 95% interval lies on the stated side of 0, *does not hold* when it lies
    on the other side, else *within noise*.

    Returns
    -------
    DataFrame: policy, statement, metric, mean, ci_low, ci_high, n_seeds, verdict
    """
    rows = []
    for p in contextual:
        g = summary[summary.system == p]
        for r in g.itertuples():
            if r.metric == "aiq":
                continue
            ref = r.metric.removeprefix("aiq_minus_")
            if ref == "full_information":
                text, side = "stays below the full-information learner", "below"
            elif ref == "zero":
                text, side = "beats the Zero router", "above"
            else:
                text, side = f"reaches above the offline {ref} router (trained on the first 70%)", "above"
            rows.append((p, text, r.metric, r.mean, r.ci_low, r.ci_high, r.n_seeds, _words(r.ci_low, r.ci_high, side)))
    return pd.DataFrame(rows, columns=["policy", "statement", "metric", "mean", "ci_low", "ci_high", "n_seeds", "verdict"])
