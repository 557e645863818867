"""TF-IDF plus truncated SVD (scikit-learn), fitted on training prompts only; fast, no cache."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["TfidfEmbedder"]


class TfidfEmbedder(TransformerMixin, BaseEstimator):
    """TF-IDF (word 1-2-grams, sublinear tf) then truncated SVD, fitted on training prompts only.

    Parameters
    ----------
    n_components : int
        SVD dimensions (capped by the vocabulary and the number of training prompts).
    max_features : int
        Vocabulary size cap.
    random_state : int
        Seed of the randomized SVD.
    """

    name = "tfidf"
    fits_on_prompts = True  # fitted on each training split's prompts

    def __init__(self, n_components: int = 128, max_features: int = 50_000, random_state: int = 0):
        self.n_components = n_components
        self.max_features = max_features
        self.random_state = random_state

    def fit(self, prompts: Sequence[str], y=None) -> "TfidfEmbedder":
        self._fit(prompts)
        return self

    def fit_transform(self, prompts: Sequence[str], y=None) -> np.ndarray:
        """``fit(prompts).transform(prompts)`` with the same bytes, the prompts tokenised once."""
        # with its indices sorted, as transform makes them: the same matrix summed in the same order
        return self._reduce(self._fit(prompts).sorted_indices())

    def transform(self, prompts: Sequence[str]) -> np.ndarray:
        """(n, d) float32, rows unit-normalised."""
        check_is_fitted(self, "vectorizer_")
        return self._reduce(self.vectorizer_.transform([str(s) for s in prompts]))

    def _fit(self, prompts: Sequence[str]):
        """Fit the vectorizer and the SVD; the training prompts' TF-IDF matrix (indices unsorted)."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [str(s) for s in prompts]
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                           max_features=self.max_features, dtype=np.float32)
        T = self.vectorizer_.fit_transform(texts)
        k = int(min(self.n_components, T.shape[1] - 1, T.shape[0] - 1))
        self.svd_ = None
        if k >= 1:
            self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state).fit(T)
        return T

    def _reduce(self, T) -> np.ndarray:
        X = self.svd_.transform(T) if self.svd_ is not None else T.toarray()
        X = np.asarray(X, dtype=np.float32)
        norm = np.linalg.norm(X, axis=1, keepdims=True)
        return X / np.where(norm > 0, norm, 1.0)
