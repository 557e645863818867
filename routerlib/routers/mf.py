"""Matrix factorisation router (EmbedLLM / RouteLLM style).

Sources: Zhuang et al., "EmbedLLM: Learning Compact Representations of Large Language Models"
(ICLR 2025; a learned vector per model, a projection of the prompt embedding, P(correct) from their
inner product); Ong et al., "RouteLLM" (arXiv 2406.18665; its ``matrix_factorization`` router). Both
are among the routers of the follow-up benchmark (LLMRouterBench, arXiv 2601.07206).

The model: for a prompt embedding ``x`` (L2-normalised, d) and model ``j``,

    P(correct_ij) = sigmoid(<W x_i, v_j> + b_j),   W (k, d), v_j (k,), b_j scalar,

fitted by full-batch Adam on the binary cross-entropy against the training quality (soft targets,
so graded scores such as MT-Bench's are fine) plus an L2 penalty on ``W`` and ``v``, in numpy
(deterministic: initialised from ``random_state``, no mini-batch shuffling), with early stopping on
a held-out 10% of the training rows (the step of best validation BCE is kept). ``b_j`` starts at
the logit of model j's mean training quality, so an untrained model predicts each model's mean,
and where the prompts carry no signal, early stopping keeps it close to that.

It computes in float32, as the embeddings come: the two products with the embeddings are most of
a step's cost, and they take two to three times longer in float64. The probabilities of the
validation loss and of the predictions are taken in float64 from float32 logits.

Routing is the predictive routers' rule (:class:`~routerlib.routers.predictive.PredictiveRouter`):
``argmax_j  willingness_to_pay * P_hat_j - C_hat_j``; the knob is ``willingness_to_pay``, with the
same grid and the same vectorised sweep.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .base import SEED, store_args
from .predictive import PredictiveRouter

__all__ = ["MFRouter", "fit_mf"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free


def fit_mf(X: np.ndarray, Y: np.ndarray, dim: int = 32, epochs: int = 500, lr: float = 0.01,
           l2: float = 1e-4, random_state: int = 0, validation_fraction: float = 0.1,
           patience: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit ``P = sigmoid(X W^T V^T + b)`` to targets ``Y`` by full-batch Adam on the mean BCE.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    Y : ndarray of shape (n, m), targets in [0, 1]
    dim : int
        k, the size of the shared latent space.
    epochs, lr, l2 : int, float, float
        At most this many Adam steps, step size, L2 penalty on W and V.
    random_state : int
        Seeds the initialisation and the validation rows.
    validation_fraction : float in [0, 1)
        Share of the rows held out for early stopping (0: none, all ``epochs`` steps on all rows).
        The parameters of the step with the best validation BCE are returned; training stops after
        ``patience`` steps without improvement.

    Returns
    -------
    W : (k, d), V : (m, k), b : (m,)
    """
    X = np.asarray(X, np.float32)
    Y = np.clip(np.asarray(Y, np.float64), 0.0, 1.0)
    n, d = X.shape
    m = Y.shape[1]
    gen = np.random.default_rng(random_state)
    W = (gen.standard_normal((dim, d)) / np.sqrt(d)).astype(np.float32)
    V = (gen.standard_normal((m, dim)) * 0.1).astype(np.float32)
    n_val = int(round(validation_fraction * n)) if n >= 20 else 0
    val = np.zeros(n, dtype=bool)
    val[gen.permutation(n)[:n_val]] = True
    Xt, Yt, Xv, Yv = X[~val], Y[~val], X[val], Y[val]
    mean = np.clip(Yt.mean(axis=0), 1e-3, 1 - 1e-3)
    b = np.log(mean / (1 - mean)).astype(np.float32)
    Yt = Yt.astype(np.float32)
    params = [W, V, b]
    mom = [np.zeros_like(p) for p in params]
    vel = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    best, best_loss, since = [p.copy() for p in params], np.inf, 0
    for t in range(1, int(epochs) + 1):
        if n_val:
            Pv = np.clip(_sigmoid((Xv @ W.T @ V.T + b).astype(np.float64)), 1e-7, 1 - 1e-7)
            loss = float(-(Yv * np.log(Pv) + (1 - Yv) * np.log(1 - Pv)).mean())
            if loss < best_loss - 1e-6:
                best, best_loss, since = [p.copy() for p in params], loss, 0
            else:
                since += 1
                if since >= patience:
                    break
        Z = Xt @ W.T  # (n, k)
        P = _sigmoid(Z @ V.T + b)  # (n, m)
        G = (P - Yt) / P.size  # d(mean BCE)/d(logit)
        grads = [(G @ V).T @ Xt + 2 * l2 * W, G.T @ Z + 2 * l2 * V, G.sum(axis=0)]
        for p, g, mo, ve in zip(params, grads, mom, vel):
            mo *= b1
            mo += (1 - b1) * g
            ve *= b2
            ve += (1 - b2) * g * g
            p -= (lr * (mo / (1 - b1**t)) / (np.sqrt(ve / (1 - b2**t)) + eps)).astype(np.float32)
    return tuple(best) if n_val else tuple(params)


class MFRouter(PredictiveRouter):
    """Matrix factorisation router: P(correct) = sigmoid(<W x, v_j> + b_j), then ``lambda * P - cost``.

    See the module docstring.

    Parameters
    ----------
    dim : int >= 1
        Size of the latent space shared by prompts and models.
    epochs : int >= 0
        At most this many full-batch Adam steps.
    learning_rate : float > 0, finite
    l2 : float >= 0, finite
        L2 penalty on the projection and the model vectors.
    validation_fraction : float in [0, 1)
        Training rows held out for early stopping (0: none).
    patience : int >= 1
        Steps without a better validation loss before stopping.
    random_state : int in [0, 2**32) or None
        Seeds the initialisation; the same seed and data give the same routes.
    willingness_to_pay : float >= 0, finite
        The knob (lambda); change it with ``set_params`` (no refit).
    cost_model : {"mean", "knn"}
    cost_neighbors : int >= 1
        As for every predictive router (:mod:`routerlib.routers.predictive`).

    Attributes (after fit)
    ----------------------
    W_ : (dim, d) prompt projection; V_ : (m, dim) model vectors; b_ : (m,) model biases
    """

    param_grid = ({"dim": 8}, {"dim": 16}, {"dim": 32})
    _parameter_constraints = {
        **PredictiveRouter._parameter_constraints,
        "dim": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "random_state": SEED,
    }

    def __init__(self, dim: int = 16, epochs: int = 500, learning_rate: float = 0.01, l2: float = 1e-4,
                 validation_fraction: float = 0.1, patience: int = 20, random_state: int = 0,
                 willingness_to_pay: float = 1.0, cost_model: str = "mean", cost_neighbors: int = 10):
        store_args(self, locals())

    def _fit_quality(self, X, quality):
        self.W_, self.V_, self.b_ = fit_mf(X, quality, int(self.dim), int(self.epochs), float(self.learning_rate),
                                           float(self.l2), self.random_state, float(self.validation_fraction),
                                           int(self.patience))

    def _predict_quality(self, X):
        # the logits in float32, the sigmoid in float64 (in float32 it reaches 0 and 1)
        return _sigmoid(((np.asarray(X, np.float32) @ self.W_.T) @ self.V_.T + self.b_).astype(np.float64))
