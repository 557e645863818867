"""A cascade with a real judge: answer agreement.

Source: ours (issue 9), answering the paper's open question (section 5.2 uses a *simulated* judge
of error rate epsilon): is a judge that can actually be run good enough? Agreement between models'
answers is the judge of "LLM cascades with mixture of thoughts representations" (Yue et al., ICLR
2024) and of self-consistency (Wang et al., 2023); the paper's cascade is in
:mod:`routerlib.routers.cascade`, whose stopping core (:func:`~routerlib.routers.cascade.stop_position`)
this router reuses.

The judge and the cascades
--------------------------
Each model's answer is extracted from its response (:func:`routerlib.data.answers.extract_answers`:
the option letter for multiple choice, the option number for Winogrande, the final number for
GSM8K). A cascade is a *chain* of models in increasing mean training cost, called one after the
other; the judge accepts the latest answer when it agrees with an answer already given by a model
called before it (two agreeing answers; a missing answer agrees with nothing), and the cascade
stops there; otherwise it calls the next model, and the last model's answer is returned whatever
it is. The returned answer's quality is that model's quality on the prompt; the prompt costs the
sum over the models called. A chain of one model is that model alone. E.g. the chain
(Mixtral, Yi, GPT-4): call Mixtral and Yi; if they agree, return their answer; else ask GPT-4.

Rules fitted on the training split (per dataset)
------------------------------------------------
Every chain of 1 to ``max_models`` models in cost order is scored on the training rows (mean
cost per prompt, mean quality); the chains on the NDCH of those points, the efficient ones, are
the router's configurations. The knob is ``budget``, a mean cost per prompt in USD: the router runs
the efficient chain of highest training quality whose training cost is within the budget (the
cheapest one below all of them). :meth:`AgreementRouter.knob_grid` proposes the efficient chains'
costs.

Datasets without an extractable answer (MBPP's code, MT-Bench's essays) are refused: ``fit`` and
``route`` raise ``ValueError`` on rows of those datasets (leave them out, e.g.
``run_protocol(..., datasets=answerable_datasets(data))``); so does data without ``responses``.

The judge's measured error (:meth:`AgreementRouter.judge_error`): at every position where the judge
decides (every position of a chain but the first and the last), the share of accepted answers that are wrong,
the share of rejected answers that were right, and the share of wrong verdicts (the paper's
epsilon, read as the rate of wrong verdicts), on the rows given (a test split).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from ..data.answers import answer_kind, extract_answers
from ..hull import ndch
from .base import Outcomes, Router, store_args
from .cascade import _outcome_from_last, stop_position

__all__ = ["AgreementRouter", "agreement_verdicts", "chain_outcomes", "answerable_datasets"]

_ANSWERS_CACHE_SIZE = 4


def answerable_datasets(data) -> list[str]:
    """The datasets of ``data`` whose answers can be extracted (the agreement router's domain)."""
    return [d for d in data.datasets if answer_kind(d) is not None]


def agreement_verdicts(answers: np.ndarray) -> np.ndarray:
    """The judge's verdict at each position of a chain: does the answer agree with an earlier one?

    Parameters
    ----------
    answers : object array of shape (n, L)
        The chain's answers in calling order (None: no answer).

    Returns
    -------
    bool array of shape (n, L); position 0 is never accepted (nothing to agree with)

    >>> agreement_verdicts(np.array([["A", "B", "A"], ["A", "A", "C"], [None, None, "B"]], dtype=object)).tolist()
    [[False, False, True], [False, True, False], [False, False, False]]
    """
    A = np.asarray(answers, dtype=object)
    n, L = A.shape
    has = A != None  # noqa: E711 (elementwise)
    out = np.zeros((n, L), dtype=bool)
    for j in range(1, L):
        for i in range(j):
            out[:, j] |= has[:, j] & has[:, i] & (A[:, j] == A[:, i])
    return out


def chain_outcomes(answers: np.ndarray, quality: np.ndarray, cost: np.ndarray, chain) -> tuple:
    """Per prompt, what one chain's agreement cascade returns.

    Parameters
    ----------
    answers : object array of shape (n, m)
    quality, cost : arrays of shape (n, m)
    chain : sequence of L model indices, in calling order

    Returns
    -------
    last : int (n,), the position in ``chain`` whose answer is returned
    cost : float (n,), the sum over the models called
    quality : float (n,), the returned model's quality
    """
    chain = np.asarray(chain, int)
    accept = agreement_verdicts(answers[:, chain])
    last = stop_position(accept, np.asarray(cost, float)[:, chain], [np.inf])
    c, q = _outcome_from_last(quality, cost, chain, last)
    return last[:, 0], c[:, 0], q[:, 0]


class AgreementRouter(Router):
    """A cascade that stops when the models' answers agree (see the module docstring).

    Parameters
    ----------
    budget : float
        The knob: mean cost per prompt (USD) the chain may cost on the training split.
    max_models : int
        Longest chain considered (1 to ``max_models`` models; with 11 models and 3: 231 chains).

    Attributes (after fit)
    ----------------------
    models_ : (m,) model names
    chains_ : dict dataset -> list of chains (tuples of model indices), the efficient ones in
        increasing training cost
    chain_cost_, chain_quality_ : dict dataset -> (c,) their training mean cost per prompt and
        mean quality

    ``X`` is accepted and ignored (the judge reads the responses, not the prompt features).
    """

    knob = "budget"

    def __init__(self, budget: float = np.inf, max_models: int = 3):
        store_args(self, locals())

    # ----- answers --------------------------------------------------------------------------
    def _answers(self, data) -> np.ndarray:
        if data.responses is None:
            raise ValueError(f"{type(self).__name__} needs the models' responses (data.responses is None)")
        refused = [d for d in data.datasets if answer_kind(d) is None]
        if refused:
            raise ValueError(f"{type(self).__name__}: the {refused} rows have no extractable answers (code or free "
                             f"text); the agreement judge refuses them. Leave them out, e.g. run_protocol(..., "
                             f"datasets=answerable_datasets(data))")
        return extract_answers(data.responses, data.dataset, data.prompt)

    def _groups(self, data):
        for d in np.unique(data.dataset.astype(str)):
            yield d if d in self.chains_ else "*", np.flatnonzero(data.dataset == d)

    # ----- fit ------------------------------------------------------------------------------
    def fit(self, data, X=None):
        """Score every chain on the training rows, per dataset, and keep the efficient ones.

        Parameters
        ----------
        data : RoutingData with ``responses``, n rows
        X : ignored

        Returns
        -------
        self
        """
        if int(self.max_models) < 1:
            raise ValueError(f"max_models must be >= 1; got {self.max_models}")
        if data.n == 0:
            raise ValueError("AgreementRouter.fit: no training rows")
        A = self._answers(data)
        self.models_ = np.asarray(data.models)
        self.chains_, self.chain_cost_, self.chain_quality_ = {}, {}, {}
        groups = [("*", np.arange(data.n))] + [(d, np.flatnonzero(data.dataset == d)) for d in data.datasets]
        for key, rows in groups:
            if key != "*" and len(data.datasets) == 1:  # the same rows as "*"
                for attr in (self.chains_, self.chain_cost_, self.chain_quality_):
                    attr[key] = attr["*"]
                continue
            self._fit_group(key, A[rows], data.quality[rows], data.cost[rows])
        return self

    def _fit_group(self, key, A, quality, cost):
        order = np.argsort(cost.mean(axis=0), kind="stable")  # cheapest first, ties in column order
        chains = [c for L in range(1, int(self.max_models) + 1) for c in combinations(order.tolist(), L)]
        cc = np.empty(len(chains))
        qq = np.empty(len(chains))
        for i, ch in enumerate(chains):
            _, c, q = chain_outcomes(A, quality, cost, ch)
            cc[i], qq[i] = c.mean(), q.mean()
        h = ndch(cc, qq)
        keep = [int(np.flatnonzero((cc == c) & (qq == q))[0]) for c, q in zip(h.cost, h.quality)]
        self.chains_[key] = [chains[i] for i in keep]
        self.chain_cost_[key] = cc[keep]
        self.chain_quality_[key] = qq[keep]

    # ----- the knob -------------------------------------------------------------------------
    def _chain_index(self, key: str, budgets) -> np.ndarray:
        """Index of the chain run at each budget: the dearest efficient chain within it (the
        cheapest below all)."""
        c = self.chain_cost_[key]
        return np.maximum(np.searchsorted(c, np.asarray(budgets, float), side="right") - 1, 0)

    def knob_grid(self, n: int | None = None, dataset: str | None = None) -> np.ndarray:
        """The efficient chains' training costs per prompt for ``dataset`` (all rows for None or an
        unseen one); ``n`` is ignored (one value per efficient chain)."""
        self._check_fitted()
        return self.chain_cost_[dataset if dataset in self.chain_cost_ else "*"].copy()

    def chains(self, dataset: str | None = None) -> pd.DataFrame:
        """The efficient chains of ``dataset``: names in calling order, training cost and quality."""
        self._check_fitted()
        key = dataset if dataset in self.chains_ else "*"
        return pd.DataFrame({"chain": [" -> ".join(self.models_[list(c)]) for c in self.chains_[key]],
                             "budget": self.chain_cost_[key], "train_quality": self.chain_quality_[key]})

    # ----- routing --------------------------------------------------------------------------
    def _outcomes(self, data, budgets) -> Outcomes:
        self._check_fitted()
        self._check_models(data)
        A = self._answers(data)
        budgets = np.atleast_1d(np.asarray(budgets, float))
        k = budgets.size
        ch, co, qu = (np.zeros((k, data.n), dtype=np.int64), np.zeros((k, data.n)), np.zeros((k, data.n)))
        for key, rows in self._groups(data):
            idx = self._chain_index(key, budgets)
            for ci in np.unique(idx):
                chain = self.chains_[key][ci]
                last, c, q = chain_outcomes(A[rows], data.quality[rows], data.cost[rows], chain)
                vals = np.flatnonzero(idx == ci)
                ch[np.ix_(vals, rows)] = np.asarray(chain)[last]
                co[np.ix_(vals, rows)] = c
                qu[np.ix_(vals, rows)] = q
        return Outcomes(ch, co, qu)

    def route(self, data, X=None) -> np.ndarray:
        """The model whose answer is returned, per prompt, shape (n,)."""
        return self._outcomes(data, [self.budget]).choice[0]

    def outcome(self, data, X=None) -> tuple[np.ndarray, np.ndarray]:
        """Per prompt: cost (the sum over the models called) and quality of the returned answer."""
        o = self._outcomes(data, [self.budget])
        return o.cost[0], o.quality[0]

    def sweep_outcomes(self, data, X=None, values=None) -> Outcomes:
        """Every prompt's outcome at many budgets (each chain run once)."""
        vals = self.knob_grid() if values is None else np.asarray(values, dtype=float).ravel()
        return self._outcomes(data, vals)

    # ----- the judge's measured error -------------------------------------------------------
    def judge_error(self, data, X=None, budget: float | None = None) -> pd.DataFrame:
        """The agreement judge's error on ``data`` (e.g. a test split), per dataset, for the chain
        run at ``budget`` (default: the router's ``budget``).

        Returns
        -------
        DataFrame with one row per dataset: dataset, chain, n (prompts), n_judged (verdicts
        given: one per position before the chain's last that the cascade reaches), accepted,
        rejected, accept_wrong (share of accepted answers that are wrong), reject_right (share of
        rejected answers that were right), error_rate (share of wrong verdicts: accepted and
        wrong, or rejected and right); NaN where there is nothing to count (a chain of one or
        two models judges nothing: its first answer always goes on to the next model, its last is
        returned as it is). An answer is right when its quality is >= 0.5.
        """
        self._check_fitted()
        self._check_models(data)
        A = self._answers(data)
        b = self.budget if budget is None else budget
        rows_out = []
        for key, rows in self._groups(data):
            chain = np.asarray(self.chains_[key][self._chain_index(key, [b])[0]])
            accept = agreement_verdicts(A[rows][:, chain])
            right = data.quality[rows][:, chain] >= 0.5
            last, _, _ = chain_outcomes(A[rows], data.quality[rows], data.cost[rows], chain)
            pos = np.arange(chain.size)[None, :]
            # the decisions the cascade made: from position 1 (position 0 has nothing to agree with,
            # so the next model is always called) to the one it stopped at, the last model excluded
            judged = (pos >= 1) & (pos <= last[:, None]) & (pos < chain.size - 1)
            acc, rej = judged & accept, judged & ~accept
            n_acc, n_rej = int(acc.sum()), int(rej.sum())
            fa, fr = int((acc & ~right).sum()), int((rej & right).sum())
            d = str(data.dataset[rows[0]])
            rows_out.append({"dataset": d, "chain": " -> ".join(self.models_[chain]), "n": rows.size,
                             "n_judged": n_acc + n_rej, "accepted": n_acc, "rejected": n_rej,
                             "accept_wrong": fa / n_acc if n_acc else np.nan,
                             "reject_right": fr / n_rej if n_rej else np.nan,
                             "error_rate": (fa + fr) / (n_acc + n_rej) if n_acc + n_rej else np.nan})
        return pd.DataFrame(rows_out)
