"""Streams beyond a fixed pool: a model that arrives midway, a price that drops midway; and how fast a
policy adopts the changed model.

* :func:`arrival` -- the model cannot be called before step ``at`` (default the middle): ``available[t, j]`` False
* :func:`price_drop` -- the model's cost is multiplied by ``factor`` (default 1/10) from step ``at`` on
* :func:`adoption_lag` -- steps after the event until a policy routes to the model as often as a
  reference (the full-information learner) does, and keeps doing so
"""

from __future__ import annotations

import numpy as np

from .metrics import window_share
from .stream import Stream

__all__ = ["arrival", "price_drop", "adoption_lag", "model_index"]


def model_index(stream: Stream, model) -> int:
    """``model`` (a name or an index) as an index into ``stream.models``."""
    if isinstance(model, (int, np.integer)) and not isinstance(model, bool):
        if not 0 <= int(model) < stream.m:
            raise ValueError(f"model index {model} is outside [0, {stream.m})")
        return int(model)
    if model not in stream.models:
        raise ValueError(f"model {model!r} is not in the stream; it has {list(stream.models)}")
    return stream.models.index(model)


def _at(stream: Stream, at) -> int:
    at = stream.T // 2 if at is None else at
    if isinstance(at, bool) or not isinstance(at, (int, np.integer)) or not 0 < int(at) < stream.T:
        raise ValueError(f"at must be a step in (0, {stream.T}); got {at!r}")
    return int(at)


def arrival(stream: Stream, model, at: int | None = None) -> Stream:
    """The stream with ``model`` unavailable at the steps ``t < at`` (default ``T // 2``)."""
    j, at = model_index(stream, model), _at(stream, at)
    avail = np.ones((stream.T, stream.m), dtype=bool) if stream.available is None else stream.available.copy()
    avail[:at, j] = False
    if not avail.any(axis=1).all():
        raise ValueError("after the arrival some step has no model available")
    return stream.with_(available=avail, label=f"{stream.label}; {stream.models[j]} arrives at step {at}")


def price_drop(stream: Stream, model, factor: float = 0.1, at: int | None = None) -> Stream:
    """The stream with ``model``'s cost multiplied by ``factor`` (in (0, 1]) from step ``at`` on."""
    j, at = model_index(stream, model), _at(stream, at)
    if not 0 < float(factor) <= 1:
        raise ValueError(f"factor must lie in (0, 1] (a price drop); got {factor!r}")
    cost = stream.cost.copy()
    cost[at:, :, j] *= float(factor)
    return stream.with_(cost=cost, label=f"{stream.label}; {stream.models[j]}'s cost x{factor:g} from step {at}")


def adoption_lag(choice, reference_choice, model: int, at: int, window: int, ratio: float = 0.8,
                 min_reference_share: float = 0.01) -> np.ndarray:
    """Steps after the event until a policy routes to ``model`` at least ``ratio`` times as often as
    the reference does, and keeps doing so to the end of the stream; per order.

    On the steps from ``at`` on, shares are :func:`~routerlib.online.metrics.window_share` over
    ``window`` steps (and over lambda values); only full windows count, so the lag is at least
    ``window`` (its resolution). The lag is ``t + 1`` for the first post-event step t from which
    ``share(t) >= ratio * reference_share(t)`` holds through the last step. NaN where it does not
    hold at the last step (not adopted by the end), or where the reference's share over the last
    window is below ``min_reference_share`` (the reference does not use the model: nothing to adopt).

    Parameters
    ----------
    choice, reference_choice : (T, S, L) and (T, S, L') model indices
    model, at, window : int

    Returns
    -------
    (S,) float

    >>> ref = np.ones((8, 1, 1), int); pol = np.array([0, 0, 0, 0, 0, 1, 1, 1])[:, None, None]
    >>> adoption_lag(pol, ref, 1, 2, 2).tolist()  # post-event shares 0, 0, 0, .5, 1, 1: from the 5th step on
    [5.0]
    """
    ch = np.asarray(choice)[at:]
    ref = np.asarray(reference_choice)[at:]
    w = int(window)
    if ch.shape[0] < w:
        raise ValueError(f"window {w} is longer than the {ch.shape[0]} steps after the event")
    p = window_share(ch, model, w)[w - 1:]  # (T', S), full windows only
    r = window_share(ref, model, w)[w - 1:]
    ok = p >= ratio * r
    out = np.full(ok.shape[1], np.nan)
    for s in range(ok.shape[1]):
        if r[-1, s] < min_reference_share or not ok[-1, s]:
            continue
        bad = np.flatnonzero(~ok[:, s])
        first = 0 if bad.size == 0 else int(bad[-1]) + 1
        out[s] = first + w  # steps since the event, counting the full first window
    return out
