"""Models' answers: extracted from their response texts, and simulated consistently with correctness.

What an answer is, per eval family (:data:`ANSWER_KINDS`)
--------------------------------------------------------
* ``"letter"`` -- multiple choice (ARC, MMLU, HellaSwag): the option letter, ``"A"`` ... ``"E"``.
* ``"option"`` -- Winogrande: the option number, ``"1"`` or ``"2"`` (a letter A/B, as the real
  5-shot prompts ask for, is read as option 1/2).
* ``"number"`` -- GSM8K: the final number (``#### 42``, ``The answer is 42``, else the last number
  in the text), normalised (``1,234.0`` -> ``1234``).
* ``None`` -- no extractable answer (MBPP's code, MT-Bench's essays): :func:`extract_answers`
  gives None for every response there.
* ``"text"`` -- any other dataset: the whole response, normalised (case, whitespace, trailing
  punctuation), so exact repeats agree.

:func:`extract_answer` reads one response; :func:`extract_answers` a whole (n, m) array (each
distinct response text is read once; the real rows' prompts, when given, let a response that
names an option's text, e.g. ``Rachel`` for ``B) Rachel``, count as that option). The real
RouterBench responses are stored as Python list literals (``"['B\\n']"``); they are unwrapped
first. A refusal (``I do``, ``Unfortunately I``) gives None: no answer.

Simulated answers (:func:`simulate_answers`)
--------------------------------------------
For the simulated RouterBench: per prompt a gold answer; a correct model (quality >= 0.5) gives
it; a wrong model gives no answer with probability :data:`NO_ANSWER_SHARE` (a refusal text), else
a wrong answer, never the gold. Wrong answers are shared through one "attractive" wrong answer per
prompt, so that two wrong models on the same prompt give the same wrong answer at the rate
:data:`SHARED_WRONG_RATE` measured on the real rows (:func:`answer_stats`). Draws come from their
own stream (``routerlib.seeds.rng(seed, "answers/" + dataset)``), so the rest of the simulated
data is untouched by them.

>>> extract_answer("['B\\\\n']", "letter"), extract_answer("Answer: (c)", "letter"), extract_answer("I do", "letter")
('B', 'C', None)
>>> extract_answer("B", "option"), extract_answer("Option 2", "option"), extract_answer("#### 1,234.0", "number")
('2', '2', '1234')
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Sequence

import numpy as np

from ..seeds import rng

__all__ = [
    "ANSWER_KINDS",
    "NO_ANSWER_DATASETS",
    "SHARED_WRONG_RATE",
    "NO_ANSWER_SHARE",
    "answer_kind",
    "extract_answer",
    "extract_answers",
    "answer_stats",
    "simulate_answers",
]

#: eval family -> kind of answer (see the module docstring)
ANSWER_KINDS = {"arc-challenge": "letter", "mmlu": "letter", "hellaswag": "letter", "winogrande": "option",
                "gsm8k": "number"}
#: eval families whose responses carry no answer that can be compared (code, essays)
NO_ANSWER_DATASETS = ("mbpp", "mt-bench")

# Measured on the real 5-shot rows (shared/data/routerbench/routerbench_5shot_arc_winogrande_mbpp
# .csv.gz, all 3,164 rows as routerlib.data.load keeps them; answers by extract_answers with the prompts) by
# answer_stats(): over every prompt and every pair of models that are both wrong (quality 0) and
# both give an extractable answer, the share of pairs giving the same wrong answer; and over every
# wrong (prompt, model) cell, the share with no extractable answer. Only these aggregates are used;
# no row of that file is in the project (tests/test_answers.py re-measures them when it is present).
#: dataset -> P(two wrong models give the same wrong answer); ARC's value stands in for the other
#: four-option and the numeric datasets (not in the real file); Winogrande has one wrong option.
#: Measured: ARC 0.674 over 6,141 pairs (1/3 if wrong models picked among the three wrong options at
#: random); Winogrande 0.995 over 9,340 pairs (its one wrong option; the rest are stray letters), which
#: the simulation, with exactly one wrong option, reproduces as 1.
SHARED_WRONG_RATE = {"arc-challenge": 0.674, "winogrande": 0.995}
#: dataset -> P(a wrong model gives no extractable answer). Measured: ARC 0.161, Winogrande 0.097.
NO_ANSWER_SHARE = {"arc-challenge": 0.161, "winogrande": 0.097}
_STAND_IN = "arc-challenge"  # the measured dataset used for unmeasured ones
_OPTIONS = {"letter": 4, "option": 2}  # options simulated per kind (A-D; 1-2)
_REFUSALS = ("I do not know.", "Unfortunately I cannot answer this question.", "There is not enough information.")

_LETTERS = "ABCDE"
_LEAD_LETTER = re.compile(r"^\(?([A-Ea-e])\)?(?:[\s.):,;]|$)")
_ANSWER_LETTER = re.compile(r"answer(?:\s+is)?\s*[:=]?\s*\(?([A-E])\b", re.IGNORECASE)
_LEAD_DIGIT = re.compile(r"^(?:option\s*)?\(?([12])\)?(?:[\s.):,;]|$)", re.IGNORECASE)
_ANSWER_DIGIT = re.compile(r"(?:answer(?:\s+is)?|option)\s*[:=]?\s*\(?([12])\b", re.IGNORECASE)
_NUMBER = r"-?\$?\d[\d,]*(?:\.\d+)?"
_HASH_NUMBER = re.compile(r"####\s*(" + _NUMBER + ")")
_ANSWER_NUMBER = re.compile(r"answer(?:\s+is)?\s*[:=]?\s*(" + _NUMBER + ")", re.IGNORECASE)
_ANY_NUMBER = re.compile(_NUMBER)
_OPTION_LINE = re.compile(r"(?:^|\n)\s*\(?([A-E]|Option [12])[).:]\s*([^\n]+)")
_OPTION_INLINE = re.compile(r"\(([A-E])\)\s*([^()\n]+?)\s*(?=\([A-E]\)|\n|$)")


def answer_kind(dataset: str) -> str | None:
    """The kind of answer of an eval family: "letter", "option", "number", None (no answer) or "text".

    >>> answer_kind("arc-challenge"), answer_kind("mbpp"), answer_kind("toy")
    ('letter', None, 'text')
    """
    d = str(dataset)
    if d in NO_ANSWER_DATASETS:
        return None
    return ANSWER_KINDS.get(d, "text")


def _unwrap(text) -> str:
    """The response without RouterBench's list-literal wrapper (``"['B\\n']"`` -> ``"B\\n"``)."""
    t = "" if text is None else str(text)
    s = t.strip()
    if len(s) >= 2 and s[0] == "[" and s[-1] == "]":
        try:
            v = ast.literal_eval(s)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return s[1:-1].strip().strip("'\"").replace("\\n", "\n")
        if isinstance(v, (list, tuple)):
            return "\n".join(str(x) for x in v)
    return t


def _number(tok: str) -> str:
    x = tok.replace(",", "").replace("$", "")
    try:
        f = float(x)
    except ValueError:
        return x
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def _norm_text(t: str) -> str:
    return re.sub(r"\s+", " ", t.strip().lower()).strip(" .!?;:,'\"")


def extract_answer(text, kind: str | None, options: dict[str, str] | None = None) -> str | None:
    """The answer in one response, or None.

    Parameters
    ----------
    text : str
        The response (RouterBench's list-literal form is unwrapped).
    kind : "letter", "option", "number", "text" or None
        See the module docstring; None always gives None.
    options : dict, optional
        Canonical answer -> option text (from the prompt, :func:`_prompt_options`): a response that
        starts with an option's text counts as that option.

    Returns
    -------
    str or None
        "A".."E" (letter), "1"/"2" (option), a normalised number, the normalised text; None when
        the response gives none (a refusal, an empty text).
    """
    if kind is None:
        return None
    t = _unwrap(text).strip()
    if not t:
        return None
    if kind == "letter":
        m = _LEAD_LETTER.match(t) or _ANSWER_LETTER.search(t)
        if m:
            return m.group(1).upper()
    elif kind == "option":
        m = _LEAD_DIGIT.match(t) or _ANSWER_DIGIT.search(t)
        if m:
            return m.group(1)
        m = _LEAD_LETTER.match(t) or _ANSWER_LETTER.search(t)
        if m and m.group(1).upper() in "AB":
            return "1" if m.group(1).upper() == "A" else "2"
    elif kind == "number":
        m = _HASH_NUMBER.search(t) or _ANSWER_NUMBER.search(t)
        if m:
            return _number(m.group(1))
        nums = _ANY_NUMBER.findall(t)
        return _number(nums[-1]) if nums else None
    elif kind == "text":
        return _norm_text(t) or None
    else:
        raise ValueError(f"unknown answer kind {kind!r}")
    if options:
        low = _norm_text(t)
        for key, opt in options.items():
            o = _norm_text(opt)
            if o and (low == o or low.startswith(o + " ") or (len(low) >= 3 and o.startswith(low))):
                return key
    return None


@lru_cache(maxsize=1 << 18)
def _answer(text: str, kind: str) -> str | None:
    """:func:`extract_answer` without options, remembered: the protocol reads the same responses
    again in every split of every seed (the agreement router on its training, validation and test
    rows), and a response's answer depends on its text and kind alone."""
    return extract_answer(text, kind)


def _prompt_options(prompt, kind: str) -> dict[str, str]:
    """The last question's options in a prompt: canonical answer -> option text."""
    p = _unwrap(prompt)
    found: dict[str, str] = {}
    for m in list(_OPTION_LINE.finditer(p)) + list(_OPTION_INLINE.finditer(p)):
        key, txt = m.group(1), m.group(2).strip()
        if key.startswith("Option"):
            key = key[-1]
        elif kind == "option":
            if key not in "AB":
                continue
            key = "1" if key == "A" else "2"
        if key in ("A", "1"):  # a new question's options begin
            found = {}
        found[key] = txt
    return found


def extract_answers(responses: np.ndarray, dataset: Sequence[str], prompts: Sequence[str] | None = None) -> np.ndarray:
    """Every model's answer on every prompt.

    Parameters
    ----------
    responses : ndarray of shape (n, m) of str
    dataset : sequence of str, shape (n,)
        Each row's eval family (picks the kind of answer, :func:`answer_kind`).
    prompts : sequence of str, shape (n,), optional
        The prompts: a response that names an option's text is then read as that option.

    Returns
    -------
    ndarray of shape (n, m), object: str answers, None where there is none
    """
    R = np.asarray(responses, dtype=object)
    if R.ndim != 2:
        raise ValueError(f"responses must have shape (n, m); got {R.shape}")
    ds = np.asarray(dataset, dtype=object).astype(str)
    if ds.shape != (R.shape[0],):
        raise ValueError(f"dataset has shape {ds.shape}; expected ({R.shape[0]},)")
    out = np.full(R.shape, None, dtype=object)
    for d in np.unique(ds):
        kind = answer_kind(d)
        if kind is None:
            continue
        rows = np.flatnonzero(ds == d)
        texts = [x if type(x) is str else str(x) for x in R[rows].ravel().tolist()]
        ans = np.array([_answer(t, kind) for t in texts] + [None], dtype=object)[:-1].reshape(rows.size, R.shape[1])
        if prompts is not None and kind in ("letter", "option"):
            missing = ans == None  # noqa: E711 (elementwise)
            for i in np.flatnonzero(missing.any(axis=1)):
                opts = _prompt_options(prompts[rows[i]], kind)
                if opts:
                    for j in np.flatnonzero(missing[i]):
                        ans[i, j] = extract_answer(texts[i * R.shape[1] + j], kind, opts)
        out[rows] = ans
    return out


def answer_stats(data, dataset: str) -> dict[str, float]:
    """Aggregates of one dataset's answers: the constants behind the simulated answers.

    Returns
    -------
    dict with
        ``shared_wrong`` -- over prompts and pairs of models both wrong (quality < 0.5) with an
        extractable answer each, the share of pairs giving the same answer;
        ``no_answer`` -- the share of wrong (prompt, model) cells without an extractable answer;
        ``wrong_pairs`` -- the number of such pairs; ``right_is_gold`` -- over prompts where some
        model is right, the share of right cells whose answer is the most common right answer
        (1.0 when answers are consistent with correctness).
    """
    if data.responses is None:
        raise ValueError(f"{data.name}: no responses to measure")
    rows = np.flatnonzero(data.dataset == dataset)
    A = extract_answers(data.responses[rows], data.dataset[rows], data.prompt[rows])
    wrong = data.quality[rows] < 0.5
    has = A != None  # noqa: E711
    same = pairs = 0
    right_gold = right_n = 0
    for i in range(rows.size):  # m is small: pairs per prompt
        w = np.flatnonzero(wrong[i] & has[i])
        if w.size >= 2:
            a = A[i, w].astype(str)
            _, counts = np.unique(a, return_counts=True)
            same += int((counts * (counts - 1) // 2).sum())
            pairs += w.size * (w.size - 1) // 2
        r = np.flatnonzero(~wrong[i] & has[i])
        if r.size:
            _, counts = np.unique(A[i, r].astype(str), return_counts=True)
            right_gold += int(counts.max())
            right_n += r.size
    return {"shared_wrong": same / pairs if pairs else float("nan"),
            "no_answer": float((~has[wrong]).mean()) if wrong.any() else float("nan"),
            "wrong_pairs": float(pairs),
            "right_is_gold": right_gold / right_n if right_n else float("nan")}


def _attraction(rate: float, n_wrong: int | None) -> float:
    """P(a wrong model picks the prompt's attractive wrong answer) giving pairwise agreement ``rate``.

    With ``L`` wrong options, a model picks the attractive one with probability ``p`` and each
    other one with ``(1 - p) / (L - 1)``, so two models agree with probability
    ``p**2 + (1 - p)**2 / (L - 1)``; solved for ``p >= 1/L``. ``n_wrong=None``: unboundedly many
    wrong answers (numbers), agreement ``p**2``.
    """
    if n_wrong is None:
        return float(np.sqrt(rate))
    L = n_wrong
    if L <= 1:
        return 1.0
    lo = 1.0 / L
    rate = min(max(rate, lo), 1.0)
    # (L - 1) p^2 + (1 - p)^2 = rate (L - 1)  ->  L p^2 - 2 p + 1 - rate (L - 1) = 0
    disc = 4 - 4 * L * (1 - rate * (L - 1))
    return float((2 + np.sqrt(max(disc, 0.0))) / (2 * L))


def _dataset_answers(quality: np.ndarray, kind: str, gen: np.random.Generator, rate: float, no_answer: float):
    """(gold (n,), responses (n, m)) for one dataset's rows."""
    n, m = quality.shape
    if kind == "number":
        gold = gen.integers(2, 1000, n)
        attract = gold + gen.choice([-1, 1], n) * gen.integers(1, 50, n)
        other = gold[:, None] + gen.choice([-1, 1], (n, m)) * gen.integers(50, 500, (n, m))
        p = _attraction(rate, None)
        wrong_val = np.where(gen.random((n, m)) < p, attract[:, None], other)
        gold_s = np.array([str(x) for x in gold], dtype=object)
        fmt = np.vectorize(lambda x: f"The answer is {x}.", otypes=[object])
        right_txt, wrong_txt = fmt(gold)[:, None], fmt(wrong_val)
    else:
        k = _OPTIONS[kind]
        labels = np.array(list(_LETTERS[:k]) if kind == "letter" else [str(i + 1) for i in range(k)], dtype=object)
        gold = gen.integers(0, k, n)
        # wrong options as offsets 1..k-1 from the gold: never the gold itself
        attract = gen.integers(1, k, n)
        if k > 2:  # uniform among the wrong offsets other than the attractive one
            other = gen.integers(1, k - 1, (n, m))
            other = np.where(other >= attract[:, None], other + 1, other)
        else:
            other = np.broadcast_to(attract[:, None], (n, m))
        p = _attraction(rate, k - 1)
        off = np.where(gen.random((n, m)) < p, attract[:, None], other)
        gold_s = labels[gold]
        right_txt, wrong_txt = gold_s[:, None], labels[(gold[:, None] + off) % k]
    refuse = gen.random((n, m)) < no_answer
    refusal = np.array(_REFUSALS, dtype=object)[gen.integers(0, len(_REFUSALS), (n, m))]
    correct = quality >= 0.5
    resp = np.where(correct, np.broadcast_to(right_txt, (n, m)), np.where(refuse, refusal, wrong_txt))
    return gold_s, resp.astype(object)


def simulate_answers(quality: np.ndarray, dataset: Sequence[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Simulated responses consistent with correctness (see the module docstring).

    Parameters
    ----------
    quality : ndarray of shape (n, m)
        The simulated quality; a model is correct where quality >= 0.5.
    dataset : sequence of str, shape (n,)
    seed : int
        With the dataset name, the random stream (``rng(seed, "answers/" + dataset)``), drawn in
        row order within each dataset.

    Returns
    -------
    gold : ndarray of shape (n,), object
        The gold answer per prompt ("" for datasets without an extractable answer).
    responses : ndarray of shape (n, m), object of str
        What each model answers: "B", "2", "The answer is 42.", a refusal, or "" (MBPP, MT-Bench).
    """
    q = np.asarray(quality, dtype=float)
    ds = np.asarray(dataset, dtype=object).astype(str)
    gold = np.full(q.shape[0], "", dtype=object)
    resp = np.full(q.shape, "", dtype=object)
    for d in dict.fromkeys(ds.tolist()):
        kind = answer_kind(d)
        if kind is None:
            continue
        rows = np.flatnonzero(ds == d)
        key = d if d in SHARED_WRONG_RATE else _STAND_IN
        g, r = _dataset_answers(q[rows], "letter" if kind == "text" else kind, rng(seed, "answers/" + d),
                                SHARED_WRONG_RATE[key], NO_ANSWER_SHARE[key])
        gold[rows], resp[rows] = g, r
    return gold, resp
