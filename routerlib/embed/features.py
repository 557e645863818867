"""Simple prompt features: counts anyone can compute, standardised on the training prompts.

:class:`PromptFeatures` turns each prompt into a few numbers -- its length in characters and in
words, the digits, the math symbols (``+ - * / = ^ < > %``), the question marks, the answer options
it lists (lines or items such as ``A)``, ``(B)``, ``C.``, ``Option 1:``), the newlines, the numbers,
the mean word length and the share of upper-case letters -- each count as ``log(1 + count)``,
then standardised (mean 0, variance 1) with the mean and spread of the *training* prompts: the
embedder is fitted on each training split (``fits_on_prompts = True``), like TF-IDF. A prompt's
difficulty often shows in such numbers (longer word problems, more steps), and they do not suffer
from the truncation that makes every 5-shot ARC prompt look alike to MiniLM (see :mod:`routerlib.embed.views`).

>>> f = PromptFeatures().fit(["What is 2 + 2?", "Name a colour.\\nA) red\\nB) blue"])
>>> f.transform(["What is 3 * 7?"]).shape
(1, 11)
>>> float(raw_features(["A) x\\nB) y 12"])[0, FEATURES.index("options")]), float(raw_features(["2+2=4"])[0, FEATURES.index("math")])
(2.0, 2.0)
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["PromptFeatures", "raw_features", "FEATURES"]

#: the feature names, in column order
FEATURES = ("chars", "words", "digits", "math", "question_marks", "options", "newlines", "numbers",
            "mean_word_length", "upper_share", "sentences")
_COUNTED = {"chars", "words", "digits", "math", "question_marks", "options", "newlines", "numbers", "sentences"}
_MATH = re.compile(r"[+\-*/=^<>%]")
_OPTION = re.compile(r"(?:^|\n|\\n|\s)(?:\(?[A-E]\)|[A-E]\.\s|Option \d:)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SENTENCE = re.compile(r"[.!?](?:\s|$)")


#: the counts of prompts already counted in this process (the protocol fits this embedder on every
#: split of every job, over the same texts: counting a 5-shot prompt's characters is the slow part)
_COUNTS: dict[str, tuple] = {}
_COUNTS_MAX = 1_000_000


def _counts(s: str) -> tuple:
    words = s.split()
    # each distinct character is classified once (a prompt has a few dozen), not each of its thousands
    chars = Counter(s)
    letters = sum(n for ch, n in chars.items() if ch.isalpha())
    digits = sum(n for ch, n in chars.items() if ch.isdigit())
    upper = sum(n for ch, n in chars.items() if ch.isupper())
    return (len(s), len(words), digits, len(_MATH.findall(s)), s.count("?"),
            len(_OPTION.findall(s)), s.count("\n") + s.count("\\n"), len(_NUMBER.findall(s)),
            (sum(len(w) for w in words) / len(words)) if words else 0.0,
            (upper / letters) if letters else 0.0, len(_SENTENCE.findall(s)))


def raw_features(prompts: Sequence[str]) -> np.ndarray:
    """The unscaled counts of :data:`FEATURES` per prompt, shape (n, len(FEATURES)), float.
    Each distinct text is counted once per process (up to a million texts kept)."""
    rows = []
    for p in prompts:
        s = str(p)
        row = _COUNTS.get(s)
        if row is None:
            row = _counts(s)
            if len(_COUNTS) >= _COUNTS_MAX:
                _COUNTS.clear()
            _COUNTS[s] = row
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


class PromptFeatures(TransformerMixin, BaseEstimator):
    """Simple prompt features (:data:`FEATURES`), ``log1p`` of the counts, standardised on the
    training prompts (a feature constant there is centred only).

    Attributes (after fit)
    ----------------------
    mean_, scale_ : (len(FEATURES),) the training prompts' mean and standard deviation (1 where 0)
    """

    name = "features"
    fits_on_prompts = True  # the standardisation is fitted on each training split's prompts

    def __init__(self):
        pass

    @staticmethod
    def _logged(prompts) -> np.ndarray:
        F = raw_features(prompts)
        counted = [i for i, f in enumerate(FEATURES) if f in _COUNTED]
        F[:, counted] = np.log1p(F[:, counted])
        return F

    def fit(self, prompts: Sequence[str], y=None) -> "PromptFeatures":
        F = self._logged(prompts)
        self.mean_ = F.mean(axis=0)
        sd = F.std(axis=0)
        self.scale_ = np.where(sd > 0, sd, 1.0)
        return self

    def transform(self, prompts: Sequence[str]) -> np.ndarray:
        """(n, len(FEATURES)) float32, standardised."""
        check_is_fitted(self, "mean_")
        return ((self._logged(prompts) - self.mean_) / self.scale_).astype(np.float32)
