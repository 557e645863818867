"""Prompt templates of the SIMULATED benchmarks (no real prompt is here).

Each dataset's builder turns (sub-task, difficulty level, random integers) into prompt texts in
that dataset's style: MMLU's "The following are multiple choice questions (with answers) about
<subject>.", GSM8K word problems, HellaSwag endings, Winogrande blanks, ARC science questions,
MBPP "Write a python function to ...", MT-Bench open questions in its 8 categories, and the RAG
set's search queries. The level word (:data:`LEVELS`) and the number of extra clauses are the
prompt's visible difficulty cues; :mod:`routerlib.data.simulate` decides the levels and the
outcomes, this module only writes text.

* :data:`TEXTS` -- dataset -> (sub-task names, builder ``f(topic (n,), level (n,), R (n, 12)) -> list[str]``)
* :data:`MMLU_SUBJECTS` -- the 57 subjects with their real test sizes and keywords
* :func:`rag_texts`, :data:`RAG_TOPICS` -- the simulated RAG queries

>>> import numpy as np
>>> names, build = TEXTS["mbpp"]
>>> print(build(np.array([0]), np.array([0]), np.zeros((1, 12), dtype=int))[0].splitlines()[1])
Write a python function to count the vowels in a given string.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["LEVELS", "TEXTS", "MMLU_SUBJECTS", "RAG_TOPICS", "rag_texts"]

LEVELS = ("introductory", "standard", "advanced", "expert-level")
# the vocabulary of every dataset's templates (sub-task names, stems, fillers), one JSON file beside this module
_V = json.loads((Path(__file__).with_name("templates.json")).read_text(encoding="utf-8"))
_NAMES_OF = {d: list(v["categories"]) for d, v in _V.items() if "categories" in v}
#: the 57 MMLU subjects: name -> [real test rows, keywords separated by |] (sum of rows 14,042)
MMLU_SUBJECTS = _V['mmlu']['categories']
RAG_TOPICS = _V['rag']['topics']
_MMLU_KW = [v[1].split("|") for v in MMLU_SUBJECTS.values()]
_ARC_KW = [v.split("|") for v in _V['arc-challenge']['categories'].values()]

# subject -> (real test rows, keywords); the 57 MMLU subjects (sum of rows 14,042)

_ARTICLE = {"introductory": "an", "standard": "a", "advanced": "an", "expert-level": "an"}


def _pick(options, x):
    return options[int(x) % len(options)]


def _n_extra(level: int, x) -> int:
    return level + int(x) % 2  # 0..4 extra clauses, more for harder prompts


def _mmlu_prompt(k: int, lv: int, r) -> str:
    subj = _NAMES_OF['mmlu'][k].replace("_", " ")
    kw = _MMLU_KW[k]
    a, b, c = _pick(kw, r[0]), _pick(kw, r[0] + 1 + r[1] % 4), _pick(kw, r[2])
    stem = _pick(_V['mmlu']['stems'], r[3]).format(a=a, b=b, subj=subj)
    extras = " ".join(_pick(_V['mmlu']['extra'], r[4] + e).format(b=b, c=c) for e in range(_n_extra(lv, r[5])))
    opts = "\n".join(
        f"{L}. {_pick(_V['mmlu']['option_modifiers'], r[6] + 3 * q)} {_pick(kw, r[7] + q)}" for q, L in enumerate("ABCD")
    )
    word = LEVELS[lv]
    return (
        f"The following are multiple choice questions (with answers) about {subj}.\n\n"
        f"This is {_ARTICLE[word]} {word} question. {stem} {extras}".rstrip()
        + f"\n{opts}\nAnswer:"
    )


def _gsm_prompt(k: int, lv: int, r) -> str:
    t = _NAMES_OF['gsm8k'][k]
    n, m = _pick(_V['people']['names'], r[0]), _pick(_V['people']['names'], r[0] + 1 + r[1] % 7)
    it, it2 = _pick(_V['people']['items'], r[2]), _pick(_V['people']['items'], r[2] + 1 + r[3] % 5)
    steps = 2 + lv + int(r[4]) % 2  # 2..6 facts, more for harder problems
    facts = _V['gsm8k']['categories'][t]
    vals = dict(n=n, m=m, it=it, it2=it2)
    sent = []
    for s in range(steps):
        vals.update(x=2 + (r[5] >> s) % 9, y=3 + (r[6] >> s) % 17, z=20 + (r[7] >> s) % 180, p=5 * (1 + (r[8] >> s) % 15))
        sent.append(_pick(facts, r[9] + 3 * s).format(**vals))
    q = _pick(_V['gsm8k']['questions'][t], r[10]).format(n=n)
    word = LEVELS[lv]
    return (
        f"Solve {_ARTICLE[word]} {word} math word problem.\nQuestion: {' '.join(sent)} {q}\n"
        f"Answer: Let's think step by step."
    )


def _hellaswag_prompt(k: int, lv: int, r) -> str:
    cat = _NAMES_OF['hellaswag'][k]
    labels, acts, places = _V['hellaswag']['categories'][cat]
    j = int(r[0]) % len(labels)
    who = _pick(_V['hellaswag']['people'], r[1])
    noun = who.split()[-1].lower()
    extras = " ".join(_pick(_V['hellaswag']['extra'], r[2] + e) for e in range(_n_extra(lv, r[3])))
    ends = "\n".join(f"{L}. {_pick(_V['hellaswag']['endings'], r[4] + 2 * q)}" for q, L in enumerate("ABCD"))
    word = LEVELS[lv]
    return (
        f"Pick the most plausible ending ({word} item).\n{labels[j]}: {who} is in the {_pick(places, r[5])}. "
        f"The {noun} {acts[j]}. {extras} Then the {noun}...".replace("  ", " ")
        + f"\n{ends}\nAnswer:"
    )


def _winogrande_prompt(k: int, lv: int, r) -> str:
    cat = _NAMES_OF['winogrande'][k]
    a, b = _pick(_V['people']['names'], r[0]), _pick(_V['people']['names'], r[0] + 1 + r[1] % 9)
    o1, o2 = _pick(_V['winogrande']['objects'], r[2]), _pick(_V['winogrande']['objects'], r[2] + 1 + r[3] % 7)
    sent = _pick(_V['winogrande']['categories'][cat], r[4]).format(a=a, b=b, o1=o1, o2=o2)
    pre = " ".join(_pick(_V['winogrande']['extra'], r[5] + e) for e in range(min(_n_extra(lv, r[6]), 3)))
    if pre:
        sent = f"{pre} {sent[0].lower() + sent[1:] if sent.startswith('The') else sent}"
    opt1, opt2 = (o1, o2) if "{o1}" in _pick(_V['winogrande']['categories'][cat], r[4]) else (a, b)
    if "soup" in sent and "stew" in sent:
        opt1, opt2 = "the soup", "the stew"
    word = LEVELS[lv]
    return (f"Fill in the blank ({word} item): {sent}\nOption 1: {opt1}\nOption 2: {opt2}\nAnswer:")


def _arc_prompt(k: int, lv: int, r) -> str:
    kw = _ARC_KW[k]
    a, b = _pick(kw, r[0]), _pick(kw, r[0] + 1 + r[1] % 4)
    stem = _pick(_V['arc-challenge']['stems'], r[2]).format(a=a, b=b)
    extras = " ".join(_pick(_V['arc-challenge']['extra'], r[3] + e).format(b=b) for e in range(_n_extra(lv, r[4])))
    opts = " ".join(f"({L}) {_pick(_V['arc-challenge']['options'], r[5] + q)} {_pick(kw, r[6] + 2 * q)}" for q, L in enumerate("ABCD"))
    word = LEVELS[lv]
    return (f"Science question ({word}, {_NAMES_OF['arc-challenge'][k]}): {stem} {extras}".rstrip() + f"\n{opts}\nAnswer:")


def _mbpp_prompt(k: int, lv: int, r) -> str:
    cat = _NAMES_OF['mbpp'][k]
    fname, task, arg, res = _pick(_V['mbpp']['categories'][cat], r[0])
    extras = " ".join(_pick(_V['mbpp']['extra'], r[1] + e) for e in range(_n_extra(lv, r[2])))
    tests = "\n".join([f"assert {fname}({arg}) == {res}"] + [f"assert {fname}(...) is not None"] * min(lv, 2))
    word = LEVELS[lv]
    return (
        f"You are an expert Python programmer ({word} task).\nWrite a python function to {task}. {extras}".rstrip()
        + f"\nYour code should pass these tests:\n\n{tests}"
    )


def _mtbench_prompt(k: int, lv: int, r) -> str:
    cat = _NAMES_OF['mt-bench'][k]
    fill = {key: _pick(vals, r[1 + q]) for q, (key, vals) in enumerate(_V['mt-bench']['fill'].items())}
    q = _pick(_V['mt-bench']['categories'][cat], r[0]).format(**fill)
    extras = " ".join(_pick(_V['mt-bench']['extra'], r[9] + e) for e in range(min(_n_extra(lv, r[10]), 3)))
    return (f"{q} {extras}".rstrip() + f" (Difficulty: {LEVELS[lv]}.)")


def _builder(prompt):
    """``prompt(k, lv, r)`` for one prompt -> the builder of a whole dataset's prompts."""
    def build(topic, level, R) -> list[str]:
        return [prompt(int(topic[i]), int(level[i]), R[i]) for i in range(topic.size)]
    return build


# dataset -> (topic names, text builder)
TEXTS = {
    "mmlu": (_NAMES_OF['mmlu'], _builder(_mmlu_prompt)),
    "hellaswag": (_NAMES_OF['hellaswag'], _builder(_hellaswag_prompt)),
    "gsm8k": (_NAMES_OF['gsm8k'], _builder(_gsm_prompt)),
    "arc-challenge": (_NAMES_OF['arc-challenge'], _builder(_arc_prompt)),
    "winogrande": (_NAMES_OF['winogrande'], _builder(_winogrande_prompt)),
    "mbpp": (_NAMES_OF['mbpp'], _builder(_mbpp_prompt)),
    "mt-bench": (_NAMES_OF['mt-bench'], _builder(_mtbench_prompt)),
}


# ----- the simulated RAG set's queries -----------------------------------------------------


def rag_texts(topic, timely, R):
    out = []
    keys = list(_V['rag']['fill'])
    for i in range(topic.size):
        t, ts, r = RAG_TOPICS[int(topic[i])], bool(timely[i]), R[i]
        fill = {k: _pick(_V['rag']['fill'][k], r[1 + q]) for q, k in enumerate(keys)}
        q = _pick(_V['rag']['templates'][t]['timely' if ts else 'timeless'], r[0]).format(**fill)
        out.append(q[0].upper() + q[1:] + ("?" if q.split()[0] in {"who", "which", "how", "what", "when", "why"} else ""))
    return out
