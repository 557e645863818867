"""A cascade with a real judge: answer agreement.

Source: ours, answering the paper's open question (section 5.2 uses a *simulated* judge
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
other; the judge accepts the latest answer when at least ``k`` of the answers given so far, the
latest included, are that answer (``k = 2``: it agrees with an earlier one; a missing answer agrees
with nothing), and the cascade stops there; otherwise it calls the next model, and the last
model's answer is returned whatever it is. The returned answer's quality is that model's quality on the prompt; the prompt costs the
sum over the models called. A chain of one model is that model alone. E.g. the chain
(Mixtral, Yi, GPT-4): call Mixtral and Yi; if they agree, return their answer; else ask GPT-4.

Rules fitted on the training split (per dataset)
------------------------------------------------
Every chain of 1 to ``max_models`` models in cost order, with every rule ``k`` in ``min_agree`` (that
can matter for its length), is scored on the training rows (mean cost per prompt, mean quality);
the (chain, k) on the NDCH of those points, the efficient ones, are the router's configurations
(with 11 models, chains of up to 4 and k in (2, 3): 891 candidates). The knob is ``budget``, a mean cost per prompt in USD: the router runs
the efficient chain whose training cost is nearest to the budget (on a log scale; ``inf``: the
dearest, 0: the cheapest). :meth:`AgreementRouter.knob_grid` proposes the efficient chains' costs.

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
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval

from ..data.answers import answer_kind, extract_answers
from ..hull import ndch
from .base import Items, Outcomes, Router, store_args
from .cascade import _outcome_from_last, stop_position

__all__ = ["AgreementRouter", "agreement_verdicts", "chain_outcomes", "chain_means", "answer_codes", "answerable_datasets"]


def answerable_datasets(data) -> list[str]:
    """The datasets of ``data`` whose answers can be extracted (the agreement router's domain)."""
    return [d for d in data.datasets if answer_kind(d) is not None]


def answer_codes(answers: np.ndarray) -> np.ndarray:
    """Answers as integer codes, equal answers equal codes, -1 for none; shape as ``answers``.

    >>> answer_codes(np.array([["B", None], ["A", "B"]], dtype=object)).tolist()
    [[1, -1], [0, 1]]
    """
    A = np.asarray(answers, dtype=object)
    has = A != None  # noqa: E711 (elementwise)
    codes = np.full(A.shape, -1, dtype=np.int64)
    if has.any():
        _, inv = np.unique(A[has].astype(str), return_inverse=True)
        codes[has] = inv
    return codes


def agreement_verdicts(codes: np.ndarray, min_agree: int = 2) -> np.ndarray:
    """The judge's verdict at each position of a chain: do at least ``min_agree`` of the answers so
    far (the latest included) equal the latest?

    Parameters
    ----------
    codes : int array of shape (n, L)
        The chain's answers in calling order (:func:`answer_codes`; -1: no answer).
    min_agree : int >= 2

    Returns
    -------
    bool array of shape (n, L); the first ``min_agree - 1`` positions are never accepted

    >>> agreement_verdicts(np.array([[0, 1, 0], [0, 0, 2], [-1, -1, 1]])).tolist()
    [[False, False, True], [False, True, False], [False, False, False]]
    >>> agreement_verdicts(np.array([[0, 0, 0], [0, 1, 0]]), min_agree=3).tolist()
    [[False, False, True], [False, False, False]]
    """
    C = np.asarray(codes)
    n, L = C.shape
    same = np.zeros((n, L), dtype=np.int64)
    for j in range(1, L):
        same[:, j] = (C[:, :j] == C[:, j:j + 1]).sum(axis=1)
    return (C >= 0) & (same + 1 >= int(min_agree))


def chain_outcomes(codes: np.ndarray, quality: np.ndarray, cost: np.ndarray, chain, min_agree: int = 2) -> tuple:
    """Per prompt, what one chain's agreement cascade returns.

    Parameters
    ----------
    codes : int array of shape (n, m)
        Every model's answer code (:func:`answer_codes`).
    quality, cost : arrays of shape (n, m)
    chain : sequence of L model indices, in calling order
    min_agree : int
        The rule k (see the module docstring).

    Returns
    -------
    last : int (n,), the position in ``chain`` whose answer is returned
    cost : float (n,), the sum over the models called
    quality : float (n,), the returned model's quality
    """
    chain = np.asarray(chain, int)
    accept = agreement_verdicts(codes[:, chain], min_agree)
    last = stop_position(accept, np.asarray(cost, float)[:, chain], [np.inf])
    c, q = _outcome_from_last(quality, cost, chain, last)
    return last[:, 0], c[:, 0], q[:, 0]


def chain_means(codes: np.ndarray, quality: np.ndarray, cost: np.ndarray, chains, min_agree: int = 2,
                max_elements: int = 1 << 21) -> tuple[np.ndarray, np.ndarray]:
    """Mean cost and quality over the rows of many chains of one length at once: for each chain,
    what ``chain_outcomes(...)[1].mean()`` and ``[2].mean()`` give, bit for bit (the same sums
    in the same order), without a Python call per chain.

    Parameters
    ----------
    codes, quality, cost : as for :func:`chain_outcomes`, shape (n, m)
    chains : int array of shape (C, L), one chain of model indices per row
    min_agree : int
    max_elements : int
        Chains are taken in blocks of at most about this many (row, chain, position) cells, so
        memory stays bounded on any n.

    Returns
    -------
    cost, quality : float arrays of shape (C,)

    >>> codes = np.array([[0, 0, 1], [0, 1, 1]]); quality = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    >>> cost = np.array([[1.0, 2.0, 4.0], [1.0, 2.0, 4.0]])
    >>> chain_means(codes, quality, cost, [[0, 1], [0, 2], [1, 2]])  # every chain ends at its 2nd model
    (array([3., 5., 6.]), array([0.5, 1. , 1. ]))
    >>> chain_means(codes, quality, cost, [[0, 1, 2]])  # row 0 stops at model 1 (agrees with 0): 3, q 0
    (array([5.]), array([0.5]))
    """
    chains = np.asarray(chains, int)
    C, L = chains.shape
    n = codes.shape[0]
    # one contiguous row per model: a chain's position j is a (chains, rows) block of rows
    kT, qT, cT = (np.ascontiguousarray(np.asarray(a).T) for a in (codes, np.asarray(quality, float),
                                                                   np.asarray(cost, float)))
    out_c, out_q = np.empty(C), np.empty(C)
    step = max(1, int(max_elements) // max(1, n * L))
    for a in range(0, C, step):
        ch = chains[a:a + step]
        answers = [kT[ch[:, j]] for j in range(L)]  # each (b, n)
        running = np.zeros((len(ch), n))
        spent, got = np.zeros_like(running), np.zeros_like(running)
        going = np.ones(running.shape, dtype=bool)  # not stopped before position j
        for j in range(L):
            running = running + cT[ch[:, j]]  # the cost after calling positions 0..j, summed in order
            if j < L - 1:
                same = sum((answers[i] == answers[j]).astype(np.int64) for i in range(j))
                stops = going & (answers[j] >= 0) & (same + 1 >= int(min_agree))
            else:  # the last model's answer is returned
                stops = going
            spent = np.where(stops, running, spent)
            got = np.where(stops, qT[ch[:, j]], got)
            going &= ~stops
        # each chain's rows contiguous, so the mean sums them as a 1-d array's mean does
        out_c[a:a + len(ch)] = spent.mean(axis=1)
        out_q[a:a + len(ch)] = got.mean(axis=1)
    return out_c, out_q


class AgreementRouter(Router):
    """A cascade that stops when the models' answers agree (see the module docstring).

    Parameters
    ----------
    budget : float in [0, inf]
        The knob: mean cost per prompt (USD) on the training split; the efficient configuration
        nearest to it runs.
    max_models : int >= 1
        Longest chain considered.
    min_agree : non-empty tuple (or list) of int >= 2
        The rules k tried (answers that must agree, the latest included).

    Attributes (after fit)
    ----------------------
    models_ : (m,) model names
    configs_ : dict dataset -> list of (chain, k): the efficient configurations in increasing
        training cost (chain: a tuple of model indices in calling order)
    config_cost_, config_quality_ : dict dataset -> (c,) their training mean cost per prompt and
        mean quality

    ``X`` is accepted and ignored (the judge reads the responses, not the prompt features).
    """

    knob = "budget"
    _parameter_constraints = {
        "budget": [Interval(Real, 0, None, closed="both")],
        "max_models": [Interval(Integral, 1, None, closed="left")],
        "min_agree": [Items(Interval(Integral, 2, None, closed="left"))],
    }

    def __init__(self, budget: float = np.inf, max_models: int = 4, min_agree: tuple = (2, 3)):
        store_args(self, locals())

    # ----- answers --------------------------------------------------------------------------
    def refuses(self, data) -> str | None:
        if data.responses is None:
            return "it needs the models' responses (data.responses is None)"
        refused = [d for d in data.datasets if answer_kind(d) is None]
        if refused:
            return (f"the {refused} rows have no extractable answers (code or free text); the agreement judge "
                    f"refuses them. Leave them out, e.g. run_protocol(..., datasets=answerable_datasets(data))")
        return None

    def _codes(self, data) -> np.ndarray:
        why = self.refuses(data)
        if why:
            raise ValueError(f"{type(self).__name__}: {why}")
        return answer_codes(extract_answers(data.responses, data.dataset, data.prompt))

    def _groups(self, data):
        for d in np.unique(data.dataset.astype(str)):
            yield d if d in self.configs_ else "*", np.flatnonzero(data.dataset == d)

    # ----- fit ------------------------------------------------------------------------------
    def fit(self, data, X=None):
        """Score every (chain, rule) on the training rows, per dataset, and keep the efficient ones.

        Parameters
        ----------
        data : RoutingData with ``responses``, n rows
        X : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        ks = sorted({int(k) for k in self.min_agree})
        # about the data, not a parameter (those are checked just above): stays here
        if data.n == 0:
            raise ValueError("AgreementRouter.fit: no training rows")
        codes = self._codes(data)
        self.models_ = np.asarray(data.models)
        self.configs_, self.config_cost_, self.config_quality_ = {}, {}, {}
        groups = [("*", np.arange(data.n))] + [(d, np.flatnonzero(data.dataset == d)) for d in data.datasets]
        for key, rows in groups:
            if key != "*" and len(data.datasets) == 1:  # the same rows as "*"
                for attr in (self.configs_, self.config_cost_, self.config_quality_):
                    attr[key] = attr["*"]
                continue
            self._fit_group(key, codes[rows], data.quality[rows], data.cost[rows], ks)
        return self

    def _fit_group(self, key, codes, quality, cost, ks):
        order = np.argsort(cost.mean(axis=0), kind="stable")  # cheapest first, ties in column order
        # a rule k can only stop a chain before its last model if the chain has more than k models
        configs = [(ch, k) for L in range(1, int(self.max_models) + 1) for ch in combinations(order.tolist(), L)
                   for k in ks if k == ks[0] or L > k]
        at = {cfg: i for i, cfg in enumerate(configs)}
        cc = np.empty(len(configs))
        qq = np.empty(len(configs))
        for L in range(1, int(self.max_models) + 1):  # every chain of one length and rule in one pass
            chains = list(combinations(order.tolist(), L))
            for k in (k for k in ks if k == ks[0] or L > k):
                if chains:
                    pos = [at[(ch, k)] for ch in chains]
                    cc[pos], qq[pos] = chain_means(codes, quality, cost, np.array(chains), k)
        h = ndch(cc, qq)
        keep = [int(np.flatnonzero((cc == c) & (qq == q))[0]) for c, q in zip(h.cost, h.quality)]
        self.configs_[key] = [configs[i] for i in keep]
        self.config_cost_[key] = cc[keep]
        self.config_quality_[key] = qq[keep]

    # ----- the knob -------------------------------------------------------------------------
    def _config_index(self, key: str, budgets) -> np.ndarray:
        """Index of the configuration run at each budget: the efficient one whose training cost is
        nearest to it on a log scale (so a budget proposed by a router fitted on other training rows
        finds the corresponding configuration even when the costs moved a little)."""
        lc = np.log(np.maximum(self.config_cost_[key], 1e-300))
        lb = np.log(np.clip(np.asarray(budgets, float), 1e-300, np.finfo(float).max))
        return np.argmin(np.abs(lb[:, None] - lc[None, :]), axis=1)

    def knob_grid(self, n: int | None = None, dataset: str | None = None) -> np.ndarray:
        """The efficient configurations' training costs per prompt for ``dataset`` (all rows for None
        or an unseen one); ``n`` is ignored (one value per efficient configuration)."""
        self._check_fitted()
        return self.config_cost_[dataset if dataset in self.config_cost_ else "*"].copy()

    def chains(self, dataset: str | None = None) -> pd.DataFrame:
        """The efficient configurations of ``dataset``: the chain's models in calling order, the rule
        k, the training cost per prompt (the budget that runs it) and the training quality."""
        self._check_fitted()
        key = dataset if dataset in self.configs_ else "*"
        return pd.DataFrame({"chain": [" -> ".join(self.models_[list(c)]) for c, _ in self.configs_[key]],
                             "min_agree": [k for _, k in self.configs_[key]],
                             "budget": self.config_cost_[key], "train_quality": self.config_quality_[key]})

    # ----- routing --------------------------------------------------------------------------
    def _outcomes(self, data, budgets) -> Outcomes:
        self._check_fitted()
        self._check_models(data)
        codes = self._codes(data)
        budgets = np.atleast_1d(np.asarray(budgets, float))
        k = budgets.size
        ch, co, qu = (np.zeros((k, data.n), dtype=np.int64), np.zeros((k, data.n)), np.zeros((k, data.n)))
        for key, rows in self._groups(data):
            idx = self._config_index(key, budgets)
            for ci in np.unique(idx):
                chain, rule = self.configs_[key][ci]
                last, c, q = chain_outcomes(codes[rows], data.quality[rows], data.cost[rows], chain, rule)
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
        """Every prompt's outcome at many budgets (each configuration run once)."""
        vals = self.knob_grid() if values is None else np.asarray(values, dtype=float).ravel()
        return self._outcomes(data, vals)

    # ----- the judge's measured error -------------------------------------------------------
    def judge_error(self, data, X=None, budget: float | None = None) -> pd.DataFrame:
        """The agreement judge's error on ``data`` (e.g. a test split), per dataset, for the
        configuration run at ``budget`` (default: the router's ``budget``).

        Returns
        -------
        DataFrame with one row per dataset: dataset, chain, min_agree, n (prompts), n_judged
        (verdicts given: one per position the cascade reaches where the judge can accept, the
        chain's last excluded), accepted, rejected, accept_wrong (share of accepted answers that
        are wrong), reject_right (share of rejected answers that were right), error_rate (share of
        wrong verdicts: accepted and wrong, or rejected and right); NaN where there is nothing to
        count (a chain too short for its rule judges nothing: its first answers always go on to
        the next model, its last is returned as it is). An answer is right when its quality is
        >= 0.5.
        """
        self._check_fitted()
        self._check_models(data)
        codes = self._codes(data)
        b = self.budget if budget is None else budget
        out = []
        for key, rows in self._groups(data):
            chain, rule = self.configs_[key][self._config_index(key, [b])[0]]
            chain = np.asarray(chain)
            accept = agreement_verdicts(codes[rows][:, chain], rule)
            right = data.quality[rows][:, chain] >= 0.5
            last, _, _ = chain_outcomes(codes[rows], data.quality[rows], data.cost[rows], chain, rule)
            pos = np.arange(chain.size)[None, :]
            # the decisions the cascade made: where the judge can accept (from position rule - 1;
            # before it the next model is always called) up to where it stopped, the last model
            # excluded (its answer is returned as it is)
            judged = (pos >= rule - 1) & (pos <= last[:, None]) & (pos < chain.size - 1)
            acc, rej = judged & accept, judged & ~accept
            n_acc, n_rej = int(acc.sum()), int(rej.sum())
            fa, fr = int((acc & ~right).sum()), int((rej & right).sum())
            out.append({"dataset": str(data.dataset[rows[0]]), "chain": " -> ".join(self.models_[chain]),
                        "min_agree": rule, "n": rows.size, "n_judged": n_acc + n_rej, "accepted": n_acc,
                        "rejected": n_rej, "accept_wrong": fa / n_acc if n_acc else np.nan,
                        "reject_right": fr / n_rej if n_rej else np.nan,
                        "error_rate": (fa + fr) / (n_acc + n_rej) if n_acc + n_rej else np.nan})
        return pd.DataFrame(out)
