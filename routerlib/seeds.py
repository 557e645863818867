"""Seed mixing: one reproducible random stream per (seed, key).

Every seeded draw in routerlib that must not depend on what else is in the data (a dataset's
70/30 split, a dataset's judge errors, the rows kept at a scale below 1) takes its generator
from :func:`rng`, keyed by the user's seed and a name (the dataset, a purpose). So selecting
datasets first, or adding others, never changes a dataset's draws.

A seed is an integer in ``[0, 2**32)`` (:func:`check_seed`): :func:`stable_seed` reduces mod
``2**32``, and since the multiplier 1000003 is odd, the seeds of that range give distinct
streams for one key; a negative seed or one of ``2**32`` or more would silently share the stream
of another (``-1`` that of ``2**32 - 1``, ``2**32`` that of ``0``), so they are refused.

>>> stable_seed(0, "mmlu") == stable_seed(0, "mmlu"), stable_seed(0, "mmlu") == stable_seed(1, "mmlu")
(True, False)
>>> float(rng(3, "arc-challenge").random()) == float(rng(3, "arc-challenge").random())
True
"""

from __future__ import annotations

import numbers
import zlib

import numpy as np

__all__ = ["SEED_LIMIT", "check_seed", "stable_seed", "rng"]

SEED_LIMIT = 2**32  # seeds lie in [0, SEED_LIMIT)


def check_seed(seed, name: str = "seed") -> int:
    """``seed`` as an int, after checking it is an integer in ``[0, 2**32)``.

    Parameters
    ----------
    seed : int (Python or NumPy integer; not a bool)
    name : str, the argument's name, for the message

    Raises
    ------
    ValueError
        Naming the argument and the value: not an integer (a float such as 1.5 or 1.0, a string,
        a bool, None), negative, or ``2**32`` or more.

    >>> check_seed(7)
    7
    >>> check_seed(-1, "random_state")
    Traceback (most recent call last):
    ...
    ValueError: random_state must be an integer in [0, 2**32); got -1
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"{name} must be an integer in [0, 2**32); got {seed!r} ({type(seed).__name__})")
    if not 0 <= int(seed) < SEED_LIMIT:
        raise ValueError(f"{name} must be an integer in [0, 2**32); got {int(seed)}")
    return int(seed)


def stable_seed(seed: int, key: str) -> int:
    """A 32-bit seed from ``seed`` (checked by :func:`check_seed`) and ``key``:
    ``(seed * 1000003 + crc32(key)) mod 2**32``."""
    return (check_seed(seed) * 1_000_003 + zlib.crc32(str(key).encode())) % SEED_LIMIT


def rng(seed: int | None, key: str) -> np.random.Generator:
    """``np.random.default_rng`` seeded by :func:`stable_seed`; ``seed=None`` draws fresh numbers."""
    if seed is None:
        return np.random.default_rng(None)
    return np.random.default_rng(stable_seed(check_seed(seed, f"seed (for {key!r})"), key))
