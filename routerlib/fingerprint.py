"""Fingerprints for cache keys: of values (arrays, texts, containers) and of routerlib's own source.

* :func:`content_hash` -- SHA-256 of values, one pass over the arrays' bytes (an object array of
  texts through each item's ``repr``): equal values give equal hashes, any changed value, text,
  shape or dtype another. Many times faster than hashing a pickle of the same arrays.
* :func:`source_hash` -- a fingerprint of every ``.py`` file of the installed routerlib, so cached
  results are recomputed when the code that made them changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

__all__ = ["content_hash", "source_hash"]

_SOURCE: str | None = None


def content_hash(*values) -> str:
    """SHA-256 (hex) of ``values``: arrays by dtype, shape and contents (an object array, e.g. of
    texts, through the ``repr`` of each item, so ``None`` and ``"None"`` differ), tuples item by
    item, anything else by ``repr`` -- except a dict, by its sorted items.

    >>> content_hash(np.array(["a", None], dtype=object)) != content_hash(np.array(["a", "None"], dtype=object))
    True
    >>> content_hash(np.arange(3)) == content_hash(np.arange(3)), content_hash(np.arange(3)) == content_hash(np.arange(3.0))
    (True, False)
    """
    h = hashlib.sha256()

    def add(v) -> None:
        if isinstance(v, np.ndarray):
            h.update(f"array{v.dtype.str}{v.shape}:".encode())
            if v.dtype == object:
                h.update("\x1f".join(map(repr, v.ravel().tolist())).encode("utf-8", "surrogatepass"))
            else:
                h.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, (tuple, list)):
            h.update(f"{type(v).__name__}{len(v)}:".encode())
            for x in v:
                add(x)
        elif isinstance(v, dict):
            h.update(f"dict{len(v)}:".encode())
            for k in sorted(v, key=repr):
                add((k, v[k]))
        else:
            h.update(f"{type(v).__name__}:{v!r};".encode("utf-8", "surrogatepass"))

    for v in values:
        add(v)
    return h.hexdigest()


def source_hash() -> str:
    """A fingerprint (24 hex digits) of routerlib's source, read once per process."""
    global _SOURCE
    if _SOURCE is None:
        h = hashlib.blake2b(digest_size=12)
        for p in sorted(Path(__file__).resolve().parent.rglob("*.py")):
            h.update(p.read_bytes())
        _SOURCE = h.hexdigest()
    return _SOURCE
