"""Seed mixing: one reproducible random stream per (seed, key).

Every seeded draw in routerlib that must not depend on what else is in the data (a dataset's
70/30 split, a dataset's judge errors, the rows kept at a scale below 1) takes its generator
from :func:`rng`, keyed by the user's seed and a name (the dataset, a purpose). So selecting
datasets first, or adding others, never changes a dataset's draws.

>>> stable_seed(0, "mmlu") == stable_seed(0, "mmlu"), stable_seed(0, "mmlu") == stable_seed(1, "mmlu")
(True, False)
>>> float(rng(3, "arc-challenge").random()) == float(rng(3, "arc-challenge").random())
True
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["stable_seed", "rng"]


def stable_seed(seed: int, key: str) -> int:
    """A 32-bit seed from ``seed`` and ``key``: ``(seed * 1000003 + crc32(key)) mod 2**32``."""
    return (int(seed) * 1_000_003 + zlib.crc32(str(key).encode())) % (2**32)


def rng(seed: int | None, key: str) -> np.random.Generator:
    """``np.random.default_rng`` seeded by :func:`stable_seed`; ``seed=None`` draws fresh numbers."""
    return np.random.default_rng(None if seed is None else stable_seed(seed, key))
