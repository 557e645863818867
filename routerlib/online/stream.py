"""A RouterBench replayed as a stream: seeded orders, features, and the replay loop.

A :class:`Stream` holds one benchmark's prompts in ``S`` seeded orders (one per seed, from
:func:`routerlib.seeds.rng`), step-major: at step ``t`` order ``s`` shows the prompt
``order[s, t]``, whose features are ``x[t, s]`` and whose every model's outcome is
``quality[t, s]``, ``cost[t, s]``. The outcomes are the precomputed ones of the table, so the
replay is exact: the model a policy picks answered that prompt in the benchmark.

:func:`replay` runs one policy over every order and every willingness to pay ``lambda`` at once
(the policy's state has a leading ``(S, L)`` shape): a Python loop over steps, numpy over orders,
``lambda`` values and models. At step t the policy sees the features, returns one model index per
(order, lambda), is told that model's quality and cost (bandit feedback; a full-information
learner is told every available model's), and updates. The reward it maximises is
``lambda * quality - cost``.

Features: the prompt embeddings, projected on their first ``n_components`` principal components
(fitted on every prompt of the stream: unsupervised, no outcome is read; a deployed router could
fit it on unlabelled traffic), each component scaled to unit variance and all divided by
``sqrt(n_components)`` so that ``E||x||^2 = 1``, then a constant 1 appended (the intercept of the
linear policies). Without embeddings the features are the constant alone.

Scenarios change the stream, not the policies: ``available (T, m)`` says which models can be
called at each step (a model that arrives midway), and the costs are those actually charged at each
step (a price that drops midway); see :mod:`routerlib.online.scenarios`.

What is refused, naming the value: ``lambda <= 0`` (or NaN, inf, none at all), an empty stream,
a dataset with one model, features with NaN or inf (naming the row and its sample id), a policy
that returns anything but one model index in ``[0, m)`` per (order, lambda) (naming the policy and
the step), or a model that is not available at that step.
"""

from __future__ import annotations

import copy
import numbers
import time
from dataclasses import dataclass, replace
from typing import NamedTuple, Sequence

import numpy as np

from ..fingerprint import content_hash
from ..routers.base import RouteError, check_choice
from ..seeds import check_seed, rng

__all__ = ["Stream", "Trace", "PolicyError", "Checkpoint", "make_stream", "project_features", "check_lambdas",
           "lambda_grid", "replay", "resume", "prefix_key", "TRAIN_SHARE"]

#: the share of the stream the offline references train on; the metrics' window is the rest
TRAIN_SHARE = 0.7


class PolicyError(RouteError):
    """A policy broke the contract: not one available model index in ``[0, m)`` per (order, lambda)."""


@dataclass(frozen=True)
class Stream:
    """One benchmark as ``S`` seeded streams of ``T`` steps over ``m`` models (step-major arrays).

    Attributes
    ----------
    x : ndarray (T, S, d)
        Features of the prompt at step t of order s (the last column is the constant 1).
    quality, cost : ndarray (T, S, m)
        Every model's quality in [0, 1] and cost in USD on that prompt (the cost charged at step t).
    order : ndarray (S, T) of int
        Row of ``data`` shown at step t of order s.
    seeds : tuple of int, length S
    models : tuple of str, length m
    available : ndarray (T, m) of bool, or None (every model at every step)
    data : RoutingData or None
        The rows (the offline references train on ``data.select(order[s, :t_train])``).
    embedding : ndarray (n, D) or None
        The features before projection, row-aligned with ``data`` (what offline routers see).
    label : str
        What the stream is ("all datasets mixed" or the dataset's name), for tables.
    """

    x: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    order: np.ndarray
    seeds: tuple
    models: tuple
    available: np.ndarray | None = None
    data: object = None
    embedding: np.ndarray | None = None
    label: str = "stream"

    @property
    def T(self) -> int:
        return self.x.shape[0]

    @property
    def S(self) -> int:
        return self.x.shape[1]

    @property
    def d(self) -> int:
        return self.x.shape[2]

    @property
    def m(self) -> int:
        return self.quality.shape[2]

    @property
    def t_train(self) -> int:
        """Steps in the first :data:`TRAIN_SHARE` of the stream (the window of the metrics starts there)."""
        return int(round(TRAIN_SHARE * self.T))

    def with_(self, **kw) -> "Stream":
        return replace(self, **kw)


class Trace(NamedTuple):
    """What one policy did over a stream: each array (T, S, L) for T steps, S orders, L lambdas."""

    choice: np.ndarray  # model index picked (int16)
    quality: np.ndarray  # its quality
    cost: np.ndarray  # its cost (USD)


def check_lambdas(lambdas) -> np.ndarray:
    """``lambdas`` as a float array of shape (L,), L >= 1, when each is a finite number > 0.

    >>> check_lambdas([0.5, 2]).tolist()
    [0.5, 2.0]
    >>> check_lambdas([1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: lambda must be a finite number > 0 (the willingness to pay, USD per unit of quality); got lambdas[1] = 0.0
    """
    if isinstance(lambdas, (numbers.Number, np.number)) and not isinstance(lambdas, (bool, np.bool_)):
        lambdas = [lambdas]
    a = np.asarray(lambdas)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"lambdas must be a non-empty 1-D sequence of numbers > 0; got shape {a.shape}")
    if a.dtype.kind not in "fiu":
        raise ValueError(f"lambdas must be numbers > 0; got {a.dtype} values ({a[0]!r} first)")
    a = a.astype(float)
    bad = np.flatnonzero(~np.isfinite(a) | (a <= 0))
    if bad.size:
        i = int(bad[0])
        raise ValueError("lambda must be a finite number > 0 (the willingness to pay, USD per unit of quality); "
                         f"got lambdas[{i}] = {float(a[i])!r}")
    return a


def lambda_grid(quality, cost, n: int = 10, widen: float = 3.0) -> np.ndarray:
    """``n`` log-spaced willingness-to-pay values spanning every trade-off between the models.

    The best fixed model for reward ``lambda * q - c`` changes only where ``lambda`` crosses a
    slope of the Zero router's hull (the NDCH of the models' mean cost per prompt and mean quality,
    :func:`routerlib.hull.ndch`): the first vertex is worth calling from ``lambda = c_1 / q_1`` on,
    and vertex k+1 beats vertex k from ``(c_{k+1} - c_k) / (q_{k+1} - q_k)`` on. The grid runs from
    the smallest of those breakpoints divided by ``widen`` to the largest times ``widen``.

    Parameters
    ----------
    quality, cost : array (n_rows, m)
        The rows' outcomes (every model's quality in [0, 1], cost in USD).

    >>> lambda_grid([[0.2, 0.9]], [[1e-4, 1e-2]], n=3, widen=1.0).round(6).tolist()
    [0.0005, 0.002659, 0.014143]
    """
    from ..hull import ndch

    q = np.asarray(quality, dtype=float).mean(axis=0)
    c = np.asarray(cost, dtype=float).mean(axis=0)
    if int(n) < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    h = ndch(c, q)
    hc, hq = h.cost, h.quality
    breaks = [hc[0] / hq[0]] if hq[0] > 0 and hc[0] > 0 else []
    breaks += list(np.diff(hc) / np.diff(hq))
    breaks = np.array([b for b in breaks if b > 0 and np.isfinite(b)])
    if breaks.size == 0:
        raise ValueError("the models' mean costs are all 0 or one model is best and cheapest: no trade-off to sweep; "
                         "give lambdas explicitly")
    return np.geomspace(breaks.min() / widen, breaks.max() * widen, int(n))


def project_features(E, n_components: int = 24) -> np.ndarray:
    """The stream's features from embeddings ``E`` (n, D): the first ``n_components`` principal
    components, each scaled to unit variance, divided by ``sqrt(k)`` (so ``E||x||^2 = 1``), with a
    constant 1 appended; shape (n, k + 1), ``k = min(n_components, D, n - 1)``. ``E`` None gives the
    constant column alone (n must then be known from the caller: use :func:`make_stream`).

    Components of zero variance (constant embeddings, e.g. identical few-shot prompts) are left at 0.
    """
    E = np.asarray(E, dtype=np.float64)
    n, D = E.shape
    k = int(min(n_components, D, max(n - 1, 0)))
    if k <= 0:
        return np.ones((n, 1))
    Z = E - E.mean(axis=0)
    # principal directions from the D x D covariance (D is a few hundred: cheaper than an SVD of E)
    cov = Z.T @ Z / max(n - 1, 1)
    w, V = np.linalg.eigh(cov)
    top = np.argsort(w)[::-1][:k]
    P = Z @ V[:, top]
    sd = np.sqrt(np.maximum(w[top], 0))
    P = np.where(sd > 1e-12 * max(float(sd.max()), 1e-300), P / np.where(sd > 0, sd, 1), 0.0) / np.sqrt(k)
    # a fixed sign per component (eigenvectors are defined up to sign): the largest |loading| positive
    sign = np.sign(V[np.abs(V[:, top]).argmax(axis=0), top])
    P = P * np.where(sign == 0, 1, sign)
    return np.hstack([P, np.ones((n, 1))])


def make_stream(data, embedding=None, seeds: Sequence[int] = (0, 1, 2, 3, 4), dataset: str | None = None,
                n_components: int = 24) -> Stream:
    """Seeded orders of ``data``'s prompts (one dataset's, or all datasets mixed) as a :class:`Stream`.

    Parameters
    ----------
    data : RoutingData, n rows, m models
    embedding : ndarray (n, D), optional
        Prompt embeddings row-aligned with ``data`` (e.g. :func:`routerlib.embed.features_for`);
        projected by :func:`project_features`.
    seeds : sequence of int
        One order per seed: ``rng(seed, "online/<dataset or all>").permutation(n)``.
    dataset : str, optional
        Replay one dataset's prompts only (default: all datasets mixed).

    Raises
    ------
    ValueError
        An empty stream (naming the dataset), fewer than 2 models, an embedding of the wrong shape,
        NaN or inf in it (naming the first such row and its sample id), no or repeated seeds.
    """
    label = "all datasets mixed" if dataset is None else str(dataset)
    if dataset is not None:
        if dataset not in set(map(str, data.dataset)):
            raise ValueError(f"empty stream: dataset {dataset!r} has no rows in this data (it has {data.datasets})")
        keep = np.asarray(data.dataset) == dataset
        data = data.select(keep)
        if embedding is not None:
            embedding = np.asarray(embedding)
            if embedding.ndim != 2 or len(keep) != embedding.shape[0]:
                raise ValueError(f"embedding has shape {embedding.shape}; expected ({len(keep)}, D), one row per prompt")
            embedding = embedding[keep]
    if data.n == 0:
        raise ValueError(f"empty stream: the data {getattr(data, 'name', '')!r} has no rows; nothing to replay")
    if data.m < 2:
        raise ValueError(f"the data has {data.m} model(s) ({list(data.models)}); routing needs at least 2")
    seeds = tuple(check_seed(s, "seed of a stream order") for s in seeds)
    if not seeds:
        raise ValueError("seeds is empty: a stream needs at least one order")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds repeat ({list(seeds)}): each seed is one order, counted once")
    if embedding is None:
        X = np.ones((data.n, 1))
    else:
        E = np.asarray(embedding)
        if E.ndim != 2 or E.shape[0] != data.n:
            raise ValueError(f"embedding has shape {E.shape}; expected ({data.n}, D), one row per prompt")
        if E.dtype.kind not in "fiu":
            raise ValueError(f"embedding has dtype {E.dtype}; expected numbers")
        bad = ~np.isfinite(E).all(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            j = int(np.flatnonzero(~np.isfinite(E[i]))[0])
            raise ValueError(f"embedding has {int(bad.sum())} row(s) with NaN or inf; the first is row {i} "
                             f"(sample id {data.sample_id[i]!r}, dataset {data.dataset[i]!r}), value "
                             f"embedding[{i}, {j}] = {float(E[i, j])!r}; features must be finite")
        X = project_features(E, n_components)
        embedding = E
    key = f"online/{'all' if dataset is None else dataset}"
    order = np.stack([rng(s, key).permutation(data.n) for s in seeds])  # (S, T)
    q = np.asarray(data.quality, dtype=np.float64)
    c = np.asarray(data.cost, dtype=np.float64)
    return Stream(x=np.ascontiguousarray(X[order.T]), quality=np.ascontiguousarray(q[order.T]),
                  cost=np.ascontiguousarray(c[order.T]), order=order, seeds=seeds, models=tuple(map(str, data.models)),
                  data=data, embedding=embedding, label=label)


def _policy_name(policy) -> str:
    return str(getattr(policy, "name", type(policy).__name__))


def _bad_choice(a, stream: Stream, t: int, who: str, avail) -> None:
    """Raise :class:`PolicyError` naming the policy, the step and the first bad value, if ``a`` is bad."""
    S, m = stream.S, stream.m
    L = a.shape[1] if getattr(a, "ndim", 0) == 2 else None
    where = f"policy {who!r} at step {t}"
    arr = np.asarray(a)
    if arr.ndim != 2 or arr.shape[0] != S:
        raise PolicyError(f"{where}: choose returned shape {arr.shape}; expected ({S}, L), one model index per "
                          "(order, lambda)")
    try:
        c = check_choice(arr.ravel(), arr.size, m, who=where, name="choose")
    except RouteError as e:
        raise PolicyError(str(e)) from None
    bad = np.flatnonzero(c < 0)
    if bad.size:
        s, lam = divmod(int(bad[0]), L)
        raise PolicyError(f"{where}: choose returned {int(c[bad[0]])} for order {stream.seeds[s]}, lambda #{lam}; "
                          f"online every prompt is answered: expected a model index in [0, {m})")
    if avail is not None and not avail[c].all():
        i = int(np.flatnonzero(~avail[c])[0])
        s, lam = divmod(i, L)
        raise PolicyError(f"{where}: chose model {int(c[i])} ({stream.models[int(c[i])]}) for order {stream.seeds[s]}, "
                          f"lambda #{lam}, but it is not available at this step")


def replay(policy, stream: Stream, lambdas, keep_at: int | None = None) -> Trace | tuple[Trace, Checkpoint]:
    """Run ``policy`` over every order of ``stream`` and every ``lambda`` at once.

    Per step t (x = ``stream.x[t]``, shape (S, d)):

    1. ``a = policy.choose(t, x, available)``, shape (S, L): one model index per (order, lambda);
       checked (integers in ``[0, m)`` and available, else :class:`PolicyError` naming the policy
       and the step);
    2. bandit feedback: ``policy.update(t, x, a, q, c)`` with ``q[s, l] = quality[t, s, a[s, l]]``
       (and ``c`` the same); a policy with ``full_information = True`` is instead told every model's
       outcome, ``policy.update_all(t, x, quality[t], cost[t], available)``, shapes (S, m).

    ``available`` is ``stream.available[t]`` (m,) or None. Returns a :class:`Trace` (T, S, L).
    With ``keep_at`` (a step in (0, T)), returns ``(trace, checkpoint)``: the :class:`Checkpoint`
    before that step, from which :func:`resume` replays any stream that shares those steps.
    """
    lam = check_lambdas(lambdas)
    if stream.T == 0:
        raise ValueError("empty stream: no steps to replay")
    who = _policy_name(policy)
    policy.start(stream.S, stream.m, stream.d, lam, [rng(s, f"online-policy/{who}") for s in stream.seeds])
    choice = np.empty((stream.T, stream.S, lam.size), dtype=np.int16)
    if keep_at is None:
        _steps(policy, stream, choice, 0, stream.T, who)
        return trace_of(choice, stream)
    at = _step_in(stream, keep_at, "keep_at")
    t0 = time.perf_counter()
    _steps(policy, stream, choice, 0, at, who)
    kept = Checkpoint(at, prefix_key(stream, at, lam), copy.deepcopy(policy), choice[:at].copy(),
                      time.perf_counter() - t0)
    _steps(policy, stream, choice, at, stream.T, who)
    return trace_of(choice, stream), kept


class Checkpoint(NamedTuple):
    """A policy's state before step ``step`` of a replay (:func:`replay` with ``keep_at``)."""

    step: int
    prefix: str  # :func:`prefix_key` of the replayed stream and lambdas up to ``step``
    policy: object  # a deep copy of the policy, as it was before ``step``
    choice: np.ndarray  # (step, S, L): the choices before ``step``
    seconds: float  # how long those steps took


def prefix_key(stream: Stream, step: int, lambdas) -> str:
    """The hash of what a replay sees before ``step``: the features, outcomes and availability of
    those steps, the orders' seeds, the models and the lambdas. Two streams with equal keys give a
    policy the same first ``step`` steps, so one :class:`Checkpoint` serves both."""
    avail = None if stream.available is None else stream.available[:step]
    return content_hash("replay prefix", step, stream.x[:step], stream.quality[:step], stream.cost[:step], avail,
                        stream.seeds, stream.models, check_lambdas(lambdas))


def resume(checkpoint: Checkpoint, stream: Stream, lambdas) -> Trace:
    """:func:`replay` of ``stream`` from ``checkpoint``: the same trace as a replay from step 0 (the
    tests check the bytes), the steps before the checkpoint not run again. The checkpoint's policy
    is copied, so one checkpoint serves any number of streams.

    Raises
    ------
    ValueError
        If ``stream`` (or ``lambdas``) differs from the checkpoint's before its step.
    """
    lam = check_lambdas(lambdas)
    at = _step_in(stream, checkpoint.step, "the checkpoint's step")
    if prefix_key(stream, at, lam) != checkpoint.prefix:
        raise ValueError(f"resume: the stream or the lambdas differ from the checkpoint's before step {at}; "
                         "replay it from the start")
    policy = copy.deepcopy(checkpoint.policy)
    choice = np.empty((stream.T, stream.S, lam.size), dtype=np.int16)
    choice[:at] = checkpoint.choice
    _steps(policy, stream, choice, at, stream.T, _policy_name(policy))
    return trace_of(choice, stream)


def _step_in(stream: Stream, step, what: str) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or not 0 < int(step) < stream.T:
        raise ValueError(f"{what} must be a step in (0, {stream.T}); got {step!r}")
    return int(step)


def _steps(policy, stream: Stream, choice: np.ndarray, t0: int, t1: int, who: str) -> None:
    """Steps ``t0 <= t < t1`` of the replay loop (see :func:`replay`), the choices into ``choice``."""
    S, L, m = stream.S, choice.shape[2], stream.m
    srow = np.arange(S)[:, None]
    full = bool(getattr(policy, "full_information", False))
    avail_all = stream.available
    X, Q, C = stream.x, stream.quality, stream.cost
    for t in range(t0, t1):
        x = X[t]
        av = None if avail_all is None else avail_all[t]
        a = policy.choose(t, x, av)
        if not (isinstance(a, np.ndarray) and a.shape == (S, L) and a.dtype.kind in "iu" and a.min() >= 0
                and a.max() < m and (av is None or av[a].all())):
            _bad_choice(a, stream, t, who, av)
            raise PolicyError(f"policy {who!r} at step {t}: choose returned {type(a).__name__} of shape "
                              f"{np.shape(a)}; expected an integer array of shape ({S}, {L})")
        choice[t] = a
        if full:
            policy.update_all(t, x, Q[t], C[t], av)
        else:
            policy.update(t, x, a, Q[t][srow, a], C[t][srow, a])


def trace_of(choice: np.ndarray, stream: Stream) -> Trace:
    """The :class:`Trace` of the choices ``choice`` (T, S, L) on ``stream``: each pick's quality and cost."""
    ch = choice.astype(np.intp)
    return Trace(choice, np.take_along_axis(stream.quality, ch, axis=2), np.take_along_axis(stream.cost, ch, axis=2))
