"""Matrix factorisation router (EmbedLLM / RouteLLM style).

Sources: Zhuang et al., "EmbedLLM: Learning Compact Representations of Large Language Models"
(ICLR 2025; a learned vector per model, a projection of the prompt embedding, P(correct) from their
inner product); Ong et al., "RouteLLM" (arXiv 2406.18665; its ``matrix_factorization`` router). Both
are among the routers of the follow-up benchmark (LLMRouterBench, arXiv 2601.07206).

The model: for a prompt embedding ``x`` (L2-normalised, d) and model ``j``,

    P(correct_ij) = sigmoid(<W x_i, v_j> + b_j),   W (k, d), v_j (k,), b_j scalar,

fitted by full-batch Adam on the binary cross-entropy against the training quality (soft targets,
so graded scores such as MT-Bench's are fine) plus an L2 penalty on ``W`` and ``v``, in numpy
(deterministic: initialised from ``random_state``, no mini-batch shuffling). ``b_j`` starts at the
logit of model j's mean training quality, so an untrained model predicts each model's mean.

Routing is the predictive routers' rule (:class:`~routerlib.routers.predictive.PredictiveRouter`):
``argmax_j  willingness_to_pay * P_hat_j - C_hat_j``; the knob is ``willingness_to_pay``, with the
same grid and the same vectorised sweep.
"""

from __future__ import annotations

import numpy as np

from .base import store_args
from .predictive import PredictiveRouter

__all__ = ["MFRouter", "fit_mf"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free


def fit_mf(X: np.ndarray, Y: np.ndarray, dim: int = 32, epochs: int = 300, lr: float = 0.02,
           l2: float = 1e-4, random_state: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit ``P = sigmoid(X W^T V^T + b)`` to targets ``Y`` by full-batch Adam on the mean BCE.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    Y : ndarray of shape (n, m), targets in [0, 1]
    dim : int
        k, the size of the shared latent space.
    epochs, lr, l2 : int, float, float
        Adam steps, step size, L2 penalty on W and V.
    random_state : int

    Returns
    -------
    W : (k, d), V : (m, k), b : (m,)
    """
    X = np.asarray(X, np.float64)
    Y = np.clip(np.asarray(Y, np.float64), 0.0, 1.0)
    n, d = X.shape
    m = Y.shape[1]
    gen = np.random.default_rng(random_state)
    W = gen.standard_normal((dim, d)) / np.sqrt(d)
    V = gen.standard_normal((m, dim)) * 0.1
    mean = np.clip(Y.mean(axis=0), 1e-3, 1 - 1e-3)
    b = np.log(mean / (1 - mean))
    params = [W, V, b]
    mom = [np.zeros_like(p) for p in params]
    vel = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, int(epochs) + 1):
        Z = X @ W.T  # (n, k)
        P = _sigmoid(Z @ V.T + b)  # (n, m)
        G = (P - Y) / (n * m)  # d(mean BCE)/d(logit)
        grads = [(G @ V).T @ X + 2 * l2 * W, G.T @ Z + 2 * l2 * V, G.sum(axis=0)]
        for p, g, mo, ve in zip(params, grads, mom, vel):
            mo *= b1
            mo += (1 - b1) * g
            ve *= b2
            ve += (1 - b2) * g * g
            p -= lr * (mo / (1 - b1**t)) / (np.sqrt(ve / (1 - b2**t)) + eps)
    return W, V, b


class MFRouter(PredictiveRouter):
    """Matrix factorisation router: P(correct) = sigmoid(<W x, v_j> + b_j), then ``lambda * P - cost``.

    See the module docstring.

    Parameters
    ----------
    dim : int
        Size of the latent space shared by prompts and models.
    epochs : int
        Full-batch Adam steps.
    learning_rate : float
    l2 : float
        L2 penalty on the projection and the model vectors.
    random_state : int
        Seeds the initialisation; the same seed and data give the same routes.
    willingness_to_pay : float
        The knob (lambda); change it with ``set_params`` (no refit).
    cost_model : {"mean", "knn"}
    cost_neighbors : int
        As for every predictive router (:mod:`routerlib.routers.predictive`).

    Attributes (after fit)
    ----------------------
    W_ : (dim, d) prompt projection; V_ : (m, dim) model vectors; b_ : (m,) model biases
    """

    param_grid = ({"dim": 16}, {"dim": 64})

    def __init__(self, dim: int = 32, epochs: int = 300, learning_rate: float = 0.02, l2: float = 1e-4,
                 random_state: int = 0, willingness_to_pay: float = 1.0, cost_model: str = "mean",
                 cost_neighbors: int = 10):
        store_args(self, locals())

    def _fit_quality(self, X, quality):
        if int(self.dim) < 1 or int(self.epochs) < 0:
            raise ValueError(f"dim must be >= 1 and epochs >= 0; got {self.dim}, {self.epochs}")
        self.W_, self.V_, self.b_ = fit_mf(X, quality, int(self.dim), int(self.epochs), float(self.learning_rate),
                                           float(self.l2), self.random_state)

    def _predict_quality(self, X):
        return _sigmoid((np.asarray(X, np.float64) @ self.W_.T) @ self.V_.T + self.b_)
