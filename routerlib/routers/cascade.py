"""Non-predictive routers of the paper's section 5.2: the cascading router and
overgenerate-and-rerank, plus a vectorised sweep over judge error rates and cost caps.

* :class:`CascadeRouter` -- models called from the cheapest to the most expensive until a
  (noisy) judge accepts an answer or the per-query cost cap ``T`` stops the cascade.
* :class:`OvergenerateRouter` -- every model answers, a perfect reward picks the best one,
  the query costs the sum of all models.
* The knob is the cap ``T``: :meth:`CascadeRouter.knob_grid` proposes a log grid per dataset
  from the training rows (:func:`cascade_caps`), and :meth:`CascadeRouter.sweep_outcomes`
  evaluates every cap at once (vectorised); :func:`routerlib.evaluate.sweep` turns that into a
  table like any other router's.
* :func:`cascade_reference` -- a plain row-by-row loop that follows the same rules, the
  brute-force check for tests and benchmarks (slow; never used by the figures).

The cascade, as the paper states it (section 5.2)
-------------------------------------------------
"Upon receiving a request, it is initially processed by LLM_1. If g(o_1) >= t, the output
o_1 is selected, and the process terminates; otherwise, if the cumulative cost is still less
than the total cost T, the router proceeds to the next LLM in the sequence and returns the
current output if not." The judge ``g`` knows the true score; with probability ``epsilon``
its output is replaced by ``1 - g``.

Choices made here (``variant="paper"``, the default)
----------------------------------------------------
* **Order**: by each model's mean cost on the training split, per dataset (cheapest first);
  a dataset absent from the training data uses the order over all training rows.
* **Judge**: accept iff ``quality >= threshold``; the threshold is, per dataset, the largest
  score any model reaches on the training split (1.0 for the binary datasets; a "perfect"
  answer on graded ones such as MT-Bench), so the zero-error judge accepts exactly the best
  attainable answers, which makes the zero-error cascade the "akin to an oracle" router the
  paper describes. A float ``threshold`` overrides it.
* **Error**: with probability ``error_rate`` the judge's *verdict* is inverted (as the public
  code does). For binary scores and a threshold in (0, 1] this is the same as the paper's
  ``g -> 1 - g``; for graded scores the two differ (``1 - g >= t`` is not ``g < t``), and the
  verdict flip is what "error rate" means. The flips are one uniform draw per (prompt,
  model), seeded per dataset (``seed`` and the dataset name), shared by every cap and every
  error rate (common random numbers: curves over ``T`` are comparable; ``error_rate=0`` is
  deterministic whatever the seed; ``error_rate=1`` inverts every verdict).
* **Cap** (``cap_rule="total"``): ``T`` is the most a query may cost; model ``j`` is called
  only if the cumulative cost *including it* stays ``<= T``. If even the first model costs
  more than ``T``, no model is called: the query gets no answer, quality 0 at cost 0 (the
  null router of section 3.1), and :meth:`CascadeRouter.route` returns -1 for it.
  ``cap_rule="spent"`` reads the sentence literally instead: the next model is called while
  the cost spent *so far* is ``< T`` (so the first model is always called and the last call
  may overshoot ``T``).
* **Answer**: the last answer produced, accepted or not ("returns the current output").
  The query costs the sum of every model called.

Where the public code differs (``routers/run_cascading_router.py`` of the paper's
repository; ``variant="public"`` reproduces each point except the unseeded draws and order)
----------------------------------------------------------------------------------------
1. It always calls the first model, even when that model alone costs more than ``T``
   (``... >= remaining and sample_cost > 0: break``). Then it calls model ``j`` only if the
   cumulative cost including it stays *strictly* below ``T`` (``cap_rule="public"``).
2. It keeps the last called model's score when that answer was rejected. The paper's text
   ("returns the current output") says the same, so both variants here do it; it is not a
   difference in behaviour, only worth knowing: a rejected answer still counts.
3. Its threshold is the 0.95 quantile of all scores (all models, all rows) of the eval it
   runs on; here ``variant="public"`` takes the 0.95 quantile per dataset on the training
   split (the public code uses every row of each ``eval_name``, e.g. each MMLU subject).
   For binary scores both are 1.0 unless fewer than 5 % of all answers are right.
4. Its judge errors are drawn with ``np.random.rand()`` unseeded, one per called model;
   here they are seeded (pass ``seed=None`` for fresh draws).
5. It orders the models by list price per token (prompt + completion + request cost over
   the mean response length); the data holds no token prices, so both variants here order
   by mean cost on the training split.
6. Its cap grid is 0.001 ... 100 USD (11 values); most of it is above every per-query cost,
   so the public curves have few distinct points. :data:`PUBLIC_CAPS` is that grid; the
   default is a log grid over the training split's own per-query costs.

Example
-------
>>> import numpy as np
>>> q = np.array([[0., 1., 1.]]); c = np.array([[1., 2., 4.]])
>>> called_last(q, c, order=[0, 1, 2], threshold=1.0, flips=np.zeros((1, 3), bool), caps=[0.5, 3, 7])
array([[-1,  1,  1]])
"""

from __future__ import annotations

from numbers import Real
from typing import Sequence

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..seeds import rng
from .base import SEED, Outcomes, Router, check_params, store_args

__all__ = [
    "CascadeRouter",
    "OvergenerateRouter",
    "cascade_caps",
    "cascade_reference",
    "called_last",
    "stop_position",
    "judge_draws",
    "ERROR_RATES",
    "PUBLIC_CAPS",
    "VARIANTS",
    "CAP_RULES",
]

#: the error rates of Figures 5 and 8 (and of the public config)
ERROR_RATES = (0.0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8)
#: the public config's ``max_cost_per_response_list`` (USD per query)
PUBLIC_CAPS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 50.0, 100.0)
VARIANTS = ("paper", "public")
CAP_RULES = ("total", "spent", "public")
_DEFAULT_RULE = {"paper": "total", "public": "public"}
PUBLIC_QUANTILE = 0.95


def _rule_of(variant: str, cap_rule: str | None) -> str:
    """The cap rule in force: ``cap_rule``, or the variant's own when it is None (both checked by
    :attr:`CascadeRouter._parameter_constraints`)."""
    return _DEFAULT_RULE[variant] if cap_rule is None else cap_rule


def judge_draws(data, seed: int | None = 0) -> np.ndarray:
    """The uniform draws behind the judge's errors, shape (n, m).

    One draw per (prompt, model), from ``np.random.default_rng`` seeded by ``seed`` and the
    dataset name, in the data's row order within each dataset; so a dataset's draws do not
    depend on which other datasets are present. The verdict on (i, j) is inverted iff
    ``draws[i, j] < error_rate``. ``seed=None`` draws fresh (unseeded) numbers.
    """
    u = np.empty((data.n, data.m))
    for d in np.unique(data.dataset.astype(str)):
        rows = np.flatnonzero(data.dataset == d)
        u[rows] = rng(seed, d).random((rows.size, data.m))
    return u


def called_last(quality, cost, order, threshold, flips, caps, cap_rule: str = "total") -> np.ndarray:
    """Position (in ``order``) of the last model each cascade calls, per prompt and cap.

    The vectorised core of the cascade: model by model with masks, no loop over rows.

    Parameters
    ----------
    quality, cost : array of shape (n, m)
    order : sequence of m model indices, cheapest first
    threshold : float or array of shape (n,)
        The judge accepts an answer iff its quality >= threshold (before errors).
    flips : bool array of shape (n, m), indexed by the original model columns
        True where the judge's verdict is inverted.
    caps : array of shape (k,)
        Cost caps T per query (USD).
    cap_rule : "total", "spent" or "public" (see the module docstring)

    Returns
    -------
    int array of shape (n, k): the position in ``order`` of the model whose answer is
    returned, -1 where no model is called.
    """
    q = np.asarray(quality, float)
    c = np.asarray(cost, float)
    order = np.asarray(order, int)
    n = q.shape[0]
    thr = np.broadcast_to(np.asarray(threshold, float), (n,))
    accept = (q[:, order] >= thr[:, None]) ^ np.asarray(flips, bool)[:, order]
    return stop_position(accept, c[:, order], caps, cap_rule)


def stop_position(accept, cost_ordered, caps, cap_rule: str = "total") -> np.ndarray:
    """The core of every cascade: where it stops, given its judge's verdicts.

    Parameters
    ----------
    accept : bool array of shape (n, L)
        The judge's verdict on the answer at each position of the cascade's order.
    cost_ordered : array of shape (n, L)
        Each position's cost.
    caps : array of shape (k,)
    cap_rule : "total", "spent" or "public" (see the module docstring)

    Returns
    -------
    int array of shape (n, k): the position whose answer is returned (the first accepted one,
    else the last one the cap affords), -1 where no model is called.
    """
    accept = np.asarray(accept, bool)
    co = np.asarray(cost_ordered, float)
    L = accept.shape[1]
    caps = np.atleast_1d(np.asarray(caps, float))
    # the cascade stops at the first accepted answer, or after the last model
    stop = np.where(accept.any(axis=1), accept.argmax(axis=1), L - 1)
    cum = np.cumsum(co, axis=1)  # cost after calling positions 0..j (non-decreasing)
    if cap_rule == "total":  # call j iff cum[j] <= T
        afford = (cum[:, :, None] <= caps[None, None, :]).sum(axis=1)
    elif cap_rule == "spent":  # call 0 always, then j iff cum[j-1] < T
        afford = 1 + (cum[:, :-1, None] < caps[None, None, :]).sum(axis=1)
    elif cap_rule == "public":  # call 0 always, then j iff cum[j] < T
        afford = np.maximum(1, (cum[:, :, None] < caps[None, None, :]).sum(axis=1))
    else:
        raise ValueError(f"cap_rule must be one of {CAP_RULES}; got {cap_rule!r}")
    return np.minimum(stop[:, None] + 1, afford) - 1


def _outcome_from_last(quality, cost, order, last):
    """(cost, quality) of shape like ``last`` (n, k) from positions in ``order``."""
    order = np.asarray(order, int)
    qo = np.asarray(quality, float)[:, order]
    cum = np.cumsum(np.asarray(cost, float)[:, order], axis=1)
    rows = np.arange(qo.shape[0])[:, None]
    pos = np.maximum(last, 0)
    none = last < 0
    return np.where(none, 0.0, cum[rows, pos]), np.where(none, 0.0, qo[rows, pos])


def cascade_reference(quality, cost, order, threshold, flips, cap, cap_rule: str = "total"):
    """Row-by-row reference cascade (slow; for tests and benchmarks).

    Follows the rules in plain Python, one prompt at a time. Same arguments as
    :func:`called_last` but a single scalar ``cap``. Returns ``(cost (n,), quality (n,),
    last (n,))`` with ``last`` the original model index answering, -1 for none.
    """
    q = np.asarray(quality, float).tolist()
    c = np.asarray(cost, float).tolist()
    fl = np.asarray(flips, bool).tolist()
    n = len(q)
    thr = np.broadcast_to(np.asarray(threshold, float), (n,)).tolist()
    order = [int(j) for j in order]
    out_c, out_q, out_last = [], [], []
    for i in range(n):
        spent, answer, last = 0.0, 0.0, -1
        for pos, j in enumerate(order):
            nxt = spent + c[i][j]
            if cap_rule == "total" and not nxt <= cap:
                break
            if cap_rule == "spent" and pos > 0 and not spent < cap:
                break
            if cap_rule == "public" and pos > 0 and not nxt < cap:
                break
            spent = nxt
            answer, last = q[i][j], j
            verdict = q[i][j] >= thr[i]
            if fl[i][j]:
                verdict = not verdict
            if verdict:
                break
        out_c.append(spent)
        out_q.append(answer)
        out_last.append(last)
    return np.array(out_c), np.array(out_q), np.array(out_last, dtype=int)


def _order_by_cost(cost: np.ndarray) -> np.ndarray:
    # stable: ties keep the data's column order
    return np.argsort(cost.mean(axis=0), kind="stable")


def _threshold_of(quality: np.ndarray, variant: str, threshold) -> float:
    if threshold is not None:
        return float(threshold)
    if variant == "public":
        return float(np.quantile(quality.ravel(), PUBLIC_QUANTILE))
    return float(quality.max())


class CascadeRouter(Router):
    """The cascading router of section 5.2 with a noisy oracle judge.

    Parameters
    ----------
    error_rate : float in [0, 1]
        Probability that the judge's verdict on an answer is inverted.
    cap : float in [0, inf]
        Total cost cap ``T`` per query (USD); ``np.inf`` for none.
    variant : "paper" or "public"
        The paper's text (default) or the public code's behaviour (see the module docstring).
    cap_rule : "total", "spent", "public" or None
        How ``T`` stops the cascade; None takes the variant's rule ("total" for the paper,
        "public" for the public code).
    threshold : finite float or None
        The judge's threshold; None learns it per dataset on the training split (the best
        attainable score for the paper variant, the 0.95 quantile for the public one).
    seed : int in [0, 2**32) or None
        Seeds the judge's errors (per dataset; see :func:`judge_draws`); None draws fresh ones.

    The parameters are checked by ``fit`` and again by every ``route``/``outcome`` (the judge
    reads ``error_rate``, ``variant``, ``cap_rule`` and ``seed`` there, and ``set_params`` may have
    changed them since ``fit``).

    Attributes (after fit)
    ----------------------
    models_ : (m,) model names
    order_ : dict dataset -> (m,) model indices, cheapest first ("*" = all training rows)
    threshold_ : dict dataset -> float ("*" = all training rows)

    ``route`` returns the model whose answer is returned (-1 when the cap leaves the query
    unanswered); ``outcome`` returns each query's cost (the sum over every model called)
    and quality.
    """

    knob = "cap"
    reads_quality = True  # the judge knows each answer's true score (then errs with error_rate)
    _parameter_constraints = {
        "error_rate": [Interval(Real, 0, 1, closed="both")],
        "cap": [Interval(Real, 0, None, closed="both")],
        "variant": [StrOptions(set(VARIANTS))],
        "cap_rule": [StrOptions(set(CAP_RULES)), None],
        "threshold": [Interval(Real, None, None, closed="neither"), None],
        "seed": SEED,
    }

    def __init__(self, error_rate: float = 0.0, cap: float = np.inf, variant: str = "paper",
                 cap_rule: str | None = None, threshold: float | None = None, seed: int | None = 0):
        store_args(self, locals())

    def fit(self, data, X=None):
        self._validate_params()
        # about the data, not a parameter (those are checked just above): stays here
        if data.n == 0:
            raise ValueError("CascadeRouter.fit needs at least one training row")
        self.models_ = np.asarray(data.models)
        self.order_ = {"*": _order_by_cost(data.cost)}
        self.threshold_ = {"*": _threshold_of(data.quality, self.variant, self.threshold)}
        self.cap_range_ = {"*": _cap_range(data.cost, self.order_["*"])}
        for d in data.datasets:
            rows = data.dataset == d
            self.order_[d] = _order_by_cost(data.cost[rows])
            self.threshold_[d] = _threshold_of(data.quality[rows], self.variant, self.threshold)
            self.cap_range_[d] = _cap_range(data.cost[rows], self.order_[d])
        return self

    def knob_grid(self, n: int | None = None, dataset: str | None = None) -> np.ndarray:
        """A log grid of ``n`` (default 20) caps over the training rows of ``dataset``
        (:func:`cascade_caps`; all training rows for None or an unseen dataset)."""
        self._check_fitted()
        lo, hi = self.cap_range_[dataset if dataset in self.cap_range_ else "*"]
        return _cap_grid(lo, hi, 20 if n is None else n)

    def sweep_outcomes(self, data, X=None, values=None) -> Outcomes:
        """Every prompt's outcome at every cap at once (vectorised)."""
        caps = self.knob_grid() if values is None else np.asarray(values, dtype=float).ravel()
        c, q, last = self.outcome_caps(data, caps, return_last=True)
        return Outcomes(np.ascontiguousarray(last.T), np.ascontiguousarray(c.T), np.ascontiguousarray(q.T))

    def _groups(self, data):
        for d in np.unique(data.dataset.astype(str)):
            key = d if d in self.order_ else "*"
            yield np.flatnonzero(data.dataset == d), self.order_[key], self.threshold_[key]

    def _last(self, data, caps, error_rate, draws=None):
        """Original model index answering, shape (n, k); -1 for none."""
        self._check_fitted()
        self._check_models(data)
        self._validate_params()
        # outcome_caps may pass an error rate other than the parameter: held to the same constraint
        check_params(self._parameter_constraints, {"error_rate": error_rate}, type(self).__name__)
        rule = _rule_of(self.variant, self.cap_rule)
        u = judge_draws(data, self.seed) if draws is None else draws
        caps = np.atleast_1d(np.asarray(caps, float))
        out = np.full((data.n, caps.size), -1, dtype=int)
        for rows, order, thr in self._groups(data):
            pos = called_last(data.quality[rows], data.cost[rows], order, thr,
                              u[rows] < error_rate, caps, rule)
            out[rows] = np.where(pos >= 0, order[np.maximum(pos, 0)], -1)
        return out

    def route(self, data, X=None) -> np.ndarray:
        return self._last(data, [self.cap], self.error_rate)[:, 0]

    def outcome(self, data, X=None) -> tuple[np.ndarray, np.ndarray]:
        c, q = self.outcome_caps(data, [self.cap])
        return c[:, 0], q[:, 0]

    def outcome_caps(self, data, caps, error_rate: float | None = None, draws=None, return_last: bool = False):
        """Per-prompt (cost, quality) for several caps at once, each of shape (n, k).

        ``draws`` (n, m) replaces :func:`judge_draws` (to share them across error rates);
        ``return_last`` also returns the answering model per prompt and cap (-1: none).
        """
        er = self.error_rate if error_rate is None else error_rate
        last = self._last(data, caps, er, draws)
        cost = np.zeros(last.shape)
        qual = np.zeros(last.shape)
        for rows, order, _ in self._groups(data):
            # positions in this group's order of the answering model
            inv = np.empty_like(order)
            inv[order] = np.arange(order.size)
            lr = last[rows]
            pos = np.where(lr >= 0, inv[np.maximum(lr, 0)], -1)
            cost[rows], qual[rows] = _outcome_from_last(data.quality[rows], data.cost[rows], order, pos)
        return (cost, qual, last) if return_last else (cost, qual)


class OvergenerateRouter(Router):
    """Overgenerate-and-rerank (section 5.2): every model answers, a perfect reward (the
    true quality) picks the best answer (the cheapest among ties), and the query costs the
    sum of all models' costs. Quality = the Oracle's; cost = every model's cost added."""

    reads_quality = True
    _parameter_constraints = {}  # no parameters

    def __init__(self):
        pass

    def route(self, data, X=None) -> np.ndarray:
        self._check_fitted()
        self._check_models(data)
        return data.oracle_choice()

    def outcome(self, data, X=None) -> tuple[np.ndarray, np.ndarray]:
        r = self.route(data)
        return data.cost.sum(axis=1), data.quality[np.arange(data.n), r]


def _cap_range(cost: np.ndarray, order: np.ndarray) -> tuple[float, float]:
    lo = float(np.median(cost[:, order[0]]))
    hi = float(cost.sum(axis=1).max())
    return max(lo, hi * 1e-9, 1e-12), hi


def _cap_grid(lo: float, hi: float, n: int) -> np.ndarray:
    if hi <= lo:
        return np.array([lo])
    return np.geomspace(lo, hi * (1 + 1e-9), n)


def cascade_caps(data, n: int = 20, order: Sequence[int] | None = None) -> np.ndarray:
    """A log grid of per-query caps ``T`` (USD) over one dataset's own costs.

    From the median per-query cost of the cheapest model (``order[0]``; at that cap the
    paper variant leaves about half the queries unanswered, and lower caps only mix the
    cascade further with the null router, which every hull already does below its first
    point) to the largest per-query cost of calling every model (above it no cap binds),
    ``n`` points, geometric. A fitted :class:`CascadeRouter` proposes this grid over its
    training rows (:meth:`CascadeRouter.knob_grid`).
    """
    order = _order_by_cost(data.cost) if order is None else np.asarray(order)
    return _cap_grid(*_cap_range(data.cost, order), n)
