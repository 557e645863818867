"""Online routing policies, each vectorised over stream orders and willingness-to-pay values.

Every policy keeps its state in arrays with a leading ``(S, L)`` shape (S orders, L values of
``lambda``; ``L`` is 1 for a full-information learner, whose state does not depend on ``lambda``:
it observes every model whatever it picks) and implements

* ``start(S, m, d, lambdas, rngs)`` -- fresh state; ``rngs`` one generator per order;
* ``choose(t, x, available) -> (S, L) int`` -- ``x`` (S, d) the step's features, ``available``
  (m,) bool or None;
* ``update(t, x, arm, quality, cost)`` -- bandit feedback, each (S, L): the chosen model's outcome;
* ``update_all(t, x, quality, cost, available)`` -- full information, (S, m): every available model's.

The reward is ``lambda * quality - cost``. Every learner here models quality and cost apart and
scores ``lambda * (quality estimate + exploration) - cost estimate``: the exploration is in units of
quality (which lies in [0, 1]) whatever ``lambda`` is, and a model's cost, nearly a price per
prompt, needs one observation to be known roughly. A model never observed has cost estimate 0 and
the most optimistic quality, so each is tried. Ties go to the lowest model index.

| policy | update rule (per order, lambda and model j; n_j pulls, Q_j, C_j sums of its quality, cost) |
|---|---|
| :class:`UniformRandom` | none; a uniformly random available model |
| :class:`EpsilonGreedy` | means q_j = Q_j / n_j, c_j = C_j / n_j; with probability epsilon a random model, else argmax lambda q_j - c_j |
| :class:`UCB1` | argmax lambda (q_j + sqrt(2 ln N / n_j)) - c_j, N = observations so far (Auer et al. 2002, on quality) |
| :class:`BetaThompson` | draw p_j ~ Beta(1 + Q_j, 1 + n_j - Q_j) (note 1), argmax lambda p_j - c_j |
| :class:`LinUCB` | ridge regressions of quality and cost on x (note 2); argmax lambda UCB_j - x.theta_c (note 3) |
| :class:`LinearThompson` | the same regressions; argmax lambda draw_j - x.theta_c (note 4) |

Note 1: a quality in [0, 1] counts as that fraction of a success.
Note 2: one per model j; A_j = I + sum x x^T, its inverse kept by Sherman-Morrison updates.
Note 3: UCB_j = x.theta_q + alpha sqrt(x^T A_j^-1 x) (Li et al. 2010, disjoint).
Note 4: draw_j ~ N(x.theta_q, v^2 x^T A_j^-1 x), the quality score drawn (Agrawal & Goyal 2013).

Any learner with ``full_information=True`` is the same learner told every available model's
outcome at every step: an upper bound for learning from bandit feedback.

Linear Thompson sampling draws ``theta ~ N(theta_hat, v^2 A^-1)`` per model; only ``x . theta``
decides the step, and for a fixed x that is ``N(x . theta_hat, v^2 x^T A^-1 x)``, so drawing the
score directly has the same distribution and costs O(d^2) per model instead of a Cholesky factor.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Policy", "UniformRandom", "EpsilonGreedy", "UCB1", "BetaThompson", "LinUCB", "LinearThompson",
           "default_policies"]


def _mask(score: np.ndarray, available) -> np.ndarray:
    """``score`` (..., m) with unavailable models at -inf."""
    if available is None:
        return score
    return np.where(available, score, -np.inf)


class _Draws:
    """Random numbers per order, drawn in blocks of ``block`` steps (one call per order and block):
    ``next()`` gives the next step's (S, *shape) array. Order s's numbers come from its own
    generator only, so they do not depend on which other orders run beside it."""

    def __init__(self, rngs, shape: tuple, kind: str = "uniform", block: int = 512):
        self.rngs, self.shape, self.kind, self.block = list(rngs), tuple(shape), kind, int(block)
        self.i = self.block

    def next(self) -> np.ndarray:
        if self.i == self.block:
            draw = (lambda g: g.random((self.block, *self.shape))) if self.kind == "uniform" else \
                (lambda g: g.standard_normal((self.block, *self.shape)))
            self.buf = np.stack([draw(g) for g in self.rngs], axis=1)  # (block, S, *shape)
            self.i = 0
        self.i += 1
        return self.buf[self.i - 1]


def _pick(u: np.ndarray, available, m: int) -> np.ndarray:
    """A uniformly random available model from uniforms ``u`` in [0, 1): ``idx[floor(u * k)]``."""
    idx = np.arange(m) if available is None else np.flatnonzero(available)
    return idx[np.minimum((u * idx.size).astype(np.intp), idx.size - 1)]


class Policy:
    """Base class: stores its keyword arguments; subclasses implement the four methods above."""

    name = "policy"
    full_information = False

    def _start(self, S, m, lambdas, rngs):
        self.S_, self.m_ = int(S), int(m)
        self.lam_ = np.asarray(lambdas, dtype=float)
        self.rngs_ = list(rngs)
        self.Lstate_ = 1 if self.full_information else self.lam_.size
        return self

    def start(self, S, m, d, lambdas, rngs):  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, t, x, arm, quality, cost):
        """Bandit feedback (nothing to learn by default)."""

    def update_all(self, t, x, quality, cost, available):
        """Full information (nothing to learn by default)."""

    def __repr__(self) -> str:
        """The class and its parameters only: what a run learns or caches (names ending or starting
        with ``_``) is left out, so the repr (a cache key's part) is the same before and after a run."""
        kw = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not (k.endswith("_") or k.startswith("_")))
        return f"{type(self).__name__}({kw})"


class UniformRandom(Policy):
    """A uniformly random available model at every step; learns nothing (the floor)."""

    name = "random"

    def start(self, S, m, d, lambdas, rngs):
        self._start(S, m, lambdas, rngs)
        self._draws = _Draws(rngs, (self.lam_.size,))
        return self

    def choose(self, t, x, available):
        return _pick(self._draws.next(), available, self.m_)


class _MeanPolicy(Policy):
    """Context-free learners: counts and sums per (order, lambda or 1, model)."""

    def start(self, S, m, d, lambdas, rngs):
        self._start(S, m, lambdas, rngs)
        shape = (self.S_, self.Lstate_, self.m_)
        self.n_ = np.zeros(shape)
        self.sq_ = np.zeros(shape)
        self.sc_ = np.zeros(shape)
        self.N_ = np.zeros((self.S_, self.Lstate_, 1))
        self._s = np.arange(self.S_)[:, None]
        self._l = np.arange(self.Lstate_)[None, :]
        self._draws = _Draws(rngs, (2, self.lam_.size))
        return self

    def update(self, t, x, arm, quality, cost):
        s, lam = self._s, self._l
        self.n_[s, lam, arm] += 1.0
        self.sq_[s, lam, arm] += quality
        self.sc_[s, lam, arm] += cost
        self.N_ += 1.0

    def update_all(self, t, x, quality, cost, available):
        a = np.ones(self.m_) if available is None else available.astype(float)
        self.n_[:, 0] += a
        self.sq_[:, 0] += quality * a
        self.sc_[:, 0] += cost * a
        self.N_ += 1.0

    def _means(self):
        seen = self.n_ > 0
        k = np.maximum(self.n_, 1.0)
        return seen, self.sq_ / k, self.sc_ / k

    def _lam(self):
        return self.lam_[None, :, None]


class EpsilonGreedy(_MeanPolicy):
    """With probability ``epsilon`` a uniformly random available model, else the best by the
    running means, ``argmax_j lambda * Q_j / n_j - C_j / n_j``; each model once first."""

    name = "epsilon_greedy"

    def __init__(self, epsilon: float = 0.05, full_information: bool = False):
        if not 0.0 <= float(epsilon) <= 1.0:
            raise ValueError(f"epsilon must lie in [0, 1]; got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.full_information = bool(full_information)

    def choose(self, t, x, available):
        L = self.lam_.size
        seen, q, c = self._means()
        score = np.where(seen, self._lam() * q - c, np.inf)
        greedy = _mask(np.broadcast_to(score, (self.S_, L, self.m_)), available).argmax(axis=2)
        u = self._draws.next()  # (S, 2, L): explore or not, which model
        return np.where(u[:, 0] < self.epsilon, _pick(u[:, 1], available, self.m_), greedy)


class UCB1(_MeanPolicy):
    """UCB1 on quality with the running mean cost: ``argmax_j lambda * (Q_j/n_j + sqrt(c ln N / n_j)) - C_j/n_j``
    (``c = 2`` is Auer et al.'s; a model never observed first)."""

    name = "ucb1"

    def __init__(self, c: float = 2.0, full_information: bool = False):
        if not float(c) >= 0:
            raise ValueError(f"c must be >= 0; got {c!r}")
        self.c = float(c)
        self.full_information = bool(full_information)

    def choose(self, t, x, available):
        L = self.lam_.size
        seen, q, cost = self._means()
        bonus = np.sqrt(self.c * np.log(np.maximum(self.N_, 1.0)) / np.maximum(self.n_, 1.0))
        score = np.where(seen, self._lam() * (q + bonus) - cost, np.inf)
        return _mask(np.broadcast_to(score, (self.S_, L, self.m_)), available).argmax(axis=2)


class BetaThompson(_MeanPolicy):
    """Thompson sampling with a Beta posterior per model on quality and the running mean cost:
    draw ``p_j ~ Beta(1 + Q_j, 1 + n_j - Q_j)``, pick ``argmax_j lambda * p_j - C_j/n_j`` (cost 0
    for a model never observed). A quality in [0, 1] adds that fraction of a success and the rest
    of a failure (exact for the 0/1 scores of most datasets)."""

    name = "thompson"

    def __init__(self, full_information: bool = False):
        self.full_information = bool(full_information)

    def choose(self, t, x, available):
        L = self.lam_.size
        seen, _, cost = self._means()
        a = np.broadcast_to(1.0 + self.sq_, (self.S_, self.Lstate_, self.m_))
        b = np.broadcast_to(1.0 + self.n_ - self.sq_, a.shape)
        if self.Lstate_ == 1:  # one posterior for every lambda: independent draws per lambda
            a, b = (np.broadcast_to(v, (self.S_, L, self.m_)) for v in (a, b))
        p = np.stack([g.beta(a[s], b[s]) for s, g in enumerate(self.rngs_)])
        score = self._lam() * p - np.where(seen, cost, 0.0)
        return _mask(score, available).argmax(axis=2)


class _Linear(Policy):
    """Disjoint ridge regressions per (order, lambda or 1, model) of quality and cost on x.

    State: ``Ainv`` (S, L', m, d, d) = (I * ridge + sum x x^T)^-1 over the model's observations,
    ``theta`` (S, L', m, 2, d) the ridge estimates of quality and cost. One observation (x, q, c) of
    model j updates, with ``u = Ainv x`` and ``k = 1 + x.u`` (Sherman-Morrison, then recursive least
    squares): ``Ainv -= u u^T / k``, ``theta += u (y - x.theta) / k`` for y = q and y = c. O(d^2) per
    update; the arrays are kept flat (one row per (order, lambda, model)) so an update is one gather
    and one scatter.
    """

    def start(self, S, m, d, lambdas, rngs):
        self._start(S, m, lambdas, rngs)
        if not float(self.ridge) > 0:
            raise ValueError(f"ridge must be > 0; got {self.ridge!r}")
        S, Ls, m = self.S_, self.Lstate_, self.m_
        self.d_ = int(d)
        self.Ainv_ = np.broadcast_to(np.eye(d) / float(self.ridge), (S * Ls * m, d, d)).copy()
        self.theta_ = np.zeros((S * Ls * m, 2, d))
        self.n_ = np.zeros(S * Ls * m)
        # flat row of (order s, lambda l, model 0): s * L' * m + l * m
        self._base = (np.arange(S)[:, None] * Ls + np.arange(Ls)[None, :]) * m
        self._srow, self._lrow = np.arange(S)[:, None], np.arange(Ls)[None, :] * m
        self._bufs = {}  # rows updated per step -> (rows, d, d) buffer (:meth:`_apply`)
        self._draws = _Draws(rngs, (self.lam_.size, m), kind="normal")
        return self

    def _predict(self, x):
        """``u = Ainv x`` (S, L'm, d), ``x^T Ainv x`` and the means ``x.theta`` (S, L', m), cached for the update."""
        S, Ls, m, d = self.S_, self.Lstate_, self.m_, self.d_
        xc = x[:, :, None]
        u = (self.Ainv_.reshape(S, Ls * m * d, d) @ xc).reshape(S, Ls * m, d)
        w2 = (u @ xc).reshape(S, Ls, m)
        mean = (self.theta_.reshape(S, Ls * m * 2, d) @ xc).reshape(S, Ls, m, 2)
        self._cache = (u, w2, mean)
        return np.maximum(w2, 0.0), mean[..., 0], mean[..., 1]

    def _apply(self, rows, u, k, resid):
        """Sherman-Morrison and RLS updates of the flat ``rows``: u (r, d), k (r,), resid (r, 2).

        The (r, d, d) outer products go into a buffer kept between steps: a new array of that size
        each step is a fresh memory mapping whose pages fault in, which took longer than the sums."""
        buf = self._bufs.get(rows.size)
        if buf is None:
            buf = self._bufs[rows.size] = np.empty((rows.size, self.d_, self.d_))
        np.multiply(u[:, :, None], (u / k[:, None])[:, None, :], out=buf)
        block = self.Ainv_[rows]
        block -= buf
        self.Ainv_[rows] = block
        self.theta_[rows] += (resid / k[:, None])[:, :, None] * u[:, None, :]
        self.n_[rows] += 1.0

    def update(self, t, x, arm, quality, cost):
        u, w2, mean = self._cache
        S, Ls, m = self.S_, self.Lstate_, self.m_
        rows = (self._base + arm).ravel()
        local = self._lrow + arm  # (S, L): the chosen model's row within an order
        uk = u[self._srow, local].reshape(-1, self.d_)
        k = 1.0 + w2.reshape(S, Ls * m)[self._srow, local].ravel()
        mk = mean.reshape(S, Ls * m, 2)[self._srow, local].reshape(-1, 2)
        resid = np.stack([quality.ravel(), cost.ravel()], axis=1) - mk
        self._apply(rows, uk, k, resid)

    def update_all(self, t, x, quality, cost, available):
        u, w2, mean = self._cache  # L' = 1: u (S, m, d), w2 (S, 1, m), mean (S, 1, m, 2)
        a = np.ones(self.m_, dtype=bool) if available is None else np.asarray(available, dtype=bool)
        rows = (self._base[:, :1] + np.flatnonzero(a)[None, :]).ravel()
        resid = np.stack([quality, cost], axis=2) - mean[:, 0]
        self._apply(rows, u[:, a].reshape(-1, self.d_), 1.0 + w2[:, 0, a].ravel(), resid[:, a].reshape(-1, 2))


class LinUCB(_Linear):
    """Disjoint LinUCB on quality, ridge cost: ``argmax_j lambda * (x.tq_j + alpha sqrt(x^T A_j^-1 x)) - x.tc_j``."""

    name = "linucb"

    def __init__(self, alpha: float = 0.5, ridge: float = 1.0, full_information: bool = False):
        if not float(alpha) >= 0:
            raise ValueError(f"alpha must be >= 0; got {alpha!r}")
        self.alpha, self.ridge, self.full_information = float(alpha), float(ridge), bool(full_information)

    def choose(self, t, x, available):
        w2, mq, mc = self._predict(x)
        lam = self.lam_[None, :, None]
        score = lam * (mq + self.alpha * np.sqrt(w2)) - mc
        return _mask(score, available).argmax(axis=2)


class LinearThompson(_Linear):
    """Linear Thompson sampling on quality, ridge cost: draw ``z ~ N(0, 1)`` per (order, lambda,
    model), pick ``argmax_j lambda * (x.tq_j + v z sqrt(x^T A_j^-1 x)) - x.tc_j``."""

    name = "lin_thompson"

    def __init__(self, v: float = 0.25, ridge: float = 1.0, full_information: bool = False):
        if not float(v) >= 0:
            raise ValueError(f"v must be >= 0; got {v!r}")
        self.v, self.ridge, self.full_information = float(v), float(ridge), bool(full_information)

    def choose(self, t, x, available):
        w2, mq, mc = self._predict(x)
        z = self._draws.next()
        lam = self.lam_[None, :, None]
        score = lam * (mq + self.v * z * np.sqrt(w2)) - mc
        return _mask(score, available).argmax(axis=2)


def default_policies() -> dict[str, Policy]:
    """Every policy with its default settings, and the full-information LinUCB (the bound), by name."""
    return {"random": UniformRandom(), "epsilon_greedy": EpsilonGreedy(), "ucb1": UCB1(), "thompson": BetaThompson(),
            "linucb": LinUCB(), "lin_thompson": LinearThompson(),
            "linucb (full information)": LinUCB(full_information=True)}
