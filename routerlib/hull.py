"""Cost-quality geometry of the paper's section 3: NDCH, interpolation, extrapolation, AIQ.

numpy only. Everything here works on points ``(cost, quality)`` of routers or models.

* :func:`ndch` -- the non-decreasing convex hull (section 3.2), O(n log n): a sort, a
  running-maximum Pareto filter, then vectorised passes that drop every point on or
  below the chord of its neighbours (a monotone chain finishes if a few passes do not
  settle); the result is the upper concave envelope of the Pareto front, with the null
  router (0, 0) counted as available.
* :class:`Hull` -- the routing system the hull describes; ``hull(c)`` follows the paper's
  rules: linear interpolation between vertices (section 3.1), flat after the last vertex
  (extra cost buys nothing), and interpolation with the null router ``(0, 0)`` below the
  first vertex (``q1 * c / c1``).
* :func:`aiq` -- the paper's Average Improvement in Quality (section 3.3): the exact
  integral of ``hull(c)`` over ``[c_min, c_max]`` divided by ``c_max - c_min``.
* :func:`aiq_public` -- the public code's convention (``evaluation/AIQ.py`` of the paper's
  repository): area under the hull from the system's own cheapest vertex (zero area
  below it), the hull extended flat to the largest cost ``C`` over all compared systems,
  divided by ``C``. Use it to compare with the AIQ values printed in the paper.
* :func:`shared_domain` -- the one rule for the domain systems are compared on: the smallest and
  largest cost over all their points.
* :func:`compare_aiq` -- AIQ of several systems on one shared domain, both conventions.
* :func:`ndch_bruteforce` -- an O(n^3) all-pairs reference, for tests and benchmarks only.

Example
-------
>>> h = ndch([1.0, 2.0, 3.0, 2.5], [0.5, 0.8, 0.85, 0.6])
>>> h.cost.tolist(), h.quality.tolist()
([1.0, 2.0, 3.0], [0.5, 0.8, 0.85])
>>> float(h(0.5)), float(h(1.5)), float(h(10.0))
(0.25, 0.65, 0.85)
>>> round(aiq(h, 1.0, 3.0), 6)
0.7375
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

__all__ = [
    "Curve",
    "Hull",
    "curve",
    "ndch",
    "aiq",
    "aiq_public",
    "compare_aiq",
    "shared_domain",
    "public_end",
    "ndch_bruteforce",
    "interpolate",
]


def _as_points(cost, quality) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(cost, dtype=float).ravel()
    q = np.asarray(quality, dtype=float).ravel()
    if c.shape != q.shape:
        raise ValueError(f"cost and quality differ in length: {c.size} != {q.size}")
    if c.size == 0:
        raise ValueError("ndch needs at least one point; got none")
    if np.isnan(c).any() or np.isnan(q).any():
        bad = int(np.flatnonzero(np.isnan(c) | np.isnan(q))[0])
        raise ValueError(f"NaN in the points (first at index {bad})")
    if not (np.isfinite(c).all() and np.isfinite(q).all()):
        raise ValueError("infinite cost or quality in the points")
    if (c < 0).any():
        bad = int(np.flatnonzero(c < 0)[0])
        raise ValueError(f"negative cost {c[bad]!r} at index {bad}")
    return c, q


@dataclass(frozen=True)
class Curve:
    """A piecewise-linear routing system through points sorted by cost, by the paper's rules.

    ``curve(c)`` interpolates linearly between the points (a mixture of two configurations),
    is flat after the last point and follows the null router's line ``q1 * c / c1`` below the
    first. :class:`Hull` is the special case the paper uses; :func:`curve` builds one through
    chosen points without taking their hull (the held-out AIQ, where which points count was
    decided on another split).

    Attributes
    ----------
    cost : ndarray of shape (k,)
        Strictly increasing.
    quality : ndarray of shape (k,)
    """

    cost: np.ndarray
    quality: np.ndarray

    def __len__(self) -> int:
        return int(self.cost.size)

    def __call__(self, c):
        """Quality reached at cost ``c`` (scalar or array, USD >= 0)."""
        c_arr = np.asarray(c, dtype=float)
        if np.isnan(c_arr).any() or (c_arr < 0).any():
            raise ValueError("hull evaluated at a NaN or negative cost")
        c1, q1 = self.cost[0], self.quality[0]
        inside = np.interp(c_arr, self.cost, self.quality)  # flat beyond both ends
        if c1 > 0:
            below = q1 * (np.minimum(c_arr, c1) / c1)
            out = np.where(c_arr < c1, below, inside)
        else:
            out = inside
        return out if out.ndim else float(out)

    def integral(self, c):
        """Exact integral of the curve from 0 to ``c`` (scalar or array)."""
        c_arr = np.asarray(c, dtype=float)
        if np.isnan(c_arr).any() or (c_arr < 0).any():
            raise ValueError("hull integrated to a NaN or negative cost")
        xs, ys = self.cost, self.quality
        c1, q1 = xs[0], ys[0]
        # antiderivative at each vertex: triangle below c1, then trapezoids
        seg = np.diff(xs) * (ys[1:] + ys[:-1]) / 2.0
        f_vert = np.concatenate([[q1 * c1 / 2.0], q1 * c1 / 2.0 + np.cumsum(seg)])
        k = np.clip(np.searchsorted(xs, c_arr, side="right") - 1, 0, xs.size - 1)
        # between vertex k and c the hull is linear: trapezoid from xs[k] to c
        hc = self(c_arr)
        f = f_vert[k] + (c_arr - xs[k]) * (ys[k] + hc) / 2.0
        # below the first vertex: triangle of the null-router line
        f = np.where(c_arr < c1, hc * c_arr / 2.0, f)
        return f if f.ndim else float(f)


@dataclass(frozen=True)
class Hull(Curve):
    """A non-decreasing convex hull, i.e. the routing system it stands for.

    Attributes
    ----------
    cost, quality : ndarray of shape (k,)
        The vertices, sorted by cost, strictly increasing in both coordinates.
    """


def curve(cost, quality) -> Curve:
    """The system through the given points as they are (no hull): sorted by cost, points of
    equal cost merged into their mean quality (a fair mixture of them).

    >>> c = curve([2.0, 1.0, 3.0], [0.6, 0.5, 0.55])
    >>> c.cost.tolist(), c.quality.tolist(), float(c(2.5))
    ([1.0, 2.0, 3.0], [0.5, 0.6, 0.55], 0.575)
    """
    c, q = _as_points(cost, quality)
    uc, inv = np.unique(c, return_inverse=True)
    uq = np.bincount(inv, weights=q) / np.bincount(inv)
    return Curve(cost=uc, quality=uq)


_MAX_PASSES = 16


def _under_chord(c0, q0, c1, q1, c2, q2):
    """True where point 1 is on or below the chord from point 0 to point 2 (arrays or scalars).

    Collinear within rounding counts as on it, so collinear points are not vertices. The cost
    differences and the quality differences are each divided by their larger magnitude before
    the cross product is taken: that leaves its sign alone but keeps the products from
    underflowing to 0 when the differences are tiny (subnormal costs such as 5e-324), which
    would make any point look collinear.
    """
    dc1, dc2, dq1, dq2 = c1 - c0, c2 - c0, q1 - q0, q2 - q0
    sc = np.maximum(np.abs(dc1), np.abs(dc2))
    sq = np.maximum(np.abs(dq1), np.abs(dq2))
    sc = np.where(sc > 0, sc, 1.0)
    sq = np.where(sq > 0, sq, 1.0)
    a = (dc2 / sc) * (dq1 / sq)
    b = (dq2 / sq) * (dc1 / sc)
    return a - b <= 1e-12 * (np.abs(a) + np.abs(b))


def _monotone_chain(c: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper hull of points sorted by cost (Andrew's monotone chain), O(k)."""
    hc: list[float] = []
    hq: list[float] = []
    for x, y in zip(c.tolist(), q.tolist()):
        while len(hc) >= 2 and _under_chord(hc[-2], hq[-2], hc[-1], hq[-1], x, y):
            hc.pop()
            hq.pop()
        hc.append(x)
        hq.append(y)
    return np.array(hc), np.array(hq)


def ndch(cost, quality, null_router: bool = True) -> Hull:
    """Non-decreasing convex hull of points in the cost-quality plane.

    Parameters
    ----------
    cost, quality : array_like of shape (n,)
        The points. Duplicates, ties and a single point are fine.
    null_router : bool, default True
        Count the null router (cost 0, quality 0) as an available system when deciding
        which points are vertices (section 3.1, extrapolation): a point under the line from
        the origin to a better point is then not a vertex. It is never a vertex itself.
        With False the hull starts at the cheapest best point, as in the public code.

    Returns
    -------
    Hull
        Vertices sorted by cost, strictly increasing in cost and quality; each vertex is
        one of the input points.

    Raises
    ------
    ValueError
        On NaN, infinite values, negative cost or no points.
    """
    c, q = _as_points(cost, quality)
    # sort by cost ascending, then quality descending: the first of each cost is its best
    order = np.lexsort((-q, c))
    c, q = c[order], q[order]
    # Pareto filter: keep a point only if it beats the best quality of every cheaper point
    prev_best = np.concatenate([[-np.inf], np.maximum.accumulate(q)[:-1]])
    keep = q > prev_best
    c, q = c[keep], q[keep]  # now strictly increasing in both
    origin = bool(null_router and c[0] > 0 and c.size > 1)
    if origin:  # a virtual first point; it is dropped again below
        c, q = np.r_[0.0, c], np.r_[0.0, q]
    # upper concave envelope: drop every interior point on or below its neighbours' chord,
    # all at once (each dropped point is under a chord of two available points), until stable.
    # A few vectorised passes settle almost every input; if not, a monotone chain over the
    # survivors finishes in O(k), so the whole stays O(n log n) (the sort) at worst.
    for _ in range(_MAX_PASSES):
        if c.size <= 2:
            break
        below = _under_chord(c[:-2], q[:-2], c[1:-1], q[1:-1], c[2:], q[2:])
        if not below.any():
            break
        keep = np.concatenate([[True], ~below, [True]])
        c, q = c[keep], q[keep]
    else:
        c, q = _monotone_chain(c, q)
    if origin:
        c, q = c[1:], q[1:]
    return Hull(cost=c.copy(), quality=q.copy())


def interpolate(p1: Sequence[float], p2: Sequence[float], t):
    """The router that calls router 1 with probability ``t`` and router 2 otherwise.

    Returns its expected ``(cost, quality)`` (linearity of expectation, section 3.1).

    >>> interpolate((1.0, 0.5), (3.0, 0.9), 0.5)
    (2.0, 0.7)
    """
    t = np.asarray(t, dtype=float)
    if (t < 0).any() or (t > 1).any():
        raise ValueError("interpolation weight t must lie in [0, 1]")
    c = t * p1[0] + (1 - t) * p2[0]
    qq = t * p1[1] + (1 - t) * p2[1]
    if c.ndim == 0:
        return float(c), float(qq)
    return c, qq


def _as_hull(system, null_router: bool = True) -> Curve:
    if isinstance(system, Curve):
        return system
    c, q = system
    return ndch(c, q, null_router=null_router)


def aiq(hull, c_min: float, c_max: float) -> float:
    """The paper's AIQ: mean of ``hull(c)`` over ``[c_min, c_max]``, integrated exactly.

    ``hull`` is a :class:`Hull` (any :class:`Curve`) or a pair ``(cost, quality)`` of point
    arrays, whose NDCH is then taken.
    """
    h = _as_hull(hull)
    c_min, c_max = float(c_min), float(c_max)
    if not (np.isfinite(c_min) and np.isfinite(c_max)) or c_min < 0:
        raise ValueError(f"bad AIQ domain [{c_min}, {c_max}]")
    if c_max < c_min:
        raise ValueError(f"AIQ domain is empty: c_max {c_max} < c_min {c_min}")
    if c_max == c_min:
        return float(h(c_min))
    return (h.integral(c_max) - h.integral(c_min)) / (c_max - c_min)


def aiq_public(hull, c_max: float) -> float:
    """AIQ in the public code's convention.

    The area under the hull from its own cheapest vertex (no area below it) to ``c_max``
    (the hull flat past its last vertex), divided by ``c_max``. The public code's ``c_max`` is
    :func:`public_end` of the compared systems.
    """
    h = _as_hull(hull, null_router=False)
    c_max = float(c_max)
    if c_max <= 0 or c_max < h.cost[0]:
        raise ValueError(f"c_max {c_max} must be positive and >= the hull's first cost {h.cost[0]}")
    return (h.integral(c_max) - h.integral(h.cost[0])) / c_max


def shared_domain(systems: Mapping[object, object]) -> tuple[float, float]:
    """The shared AIQ domain ``(c_min, c_max)``: smallest and largest cost over every point of every system.

    ``systems``: name -> (cost array, quality array).

    >>> shared_domain({"a": ([1.0, 2.0], [0.1, 0.2]), "b": ([0.5], [0.3])})
    (0.5, 2.0)
    """
    if not systems:
        raise ValueError("a shared domain needs at least one system")
    all_c = np.concatenate([_as_points(*s)[0] for s in systems.values()])
    return float(all_c.min()), float(all_c.max())


def public_end(systems: Mapping[object, object]) -> float:
    """The public code's domain end ``C`` for comparing systems: for each system, the cost of
    the last vertex of its hull (taken from its cheapest point, no null router: the system's
    cheapest point at its best quality); then the largest of those.

    It differs from the largest cost of any point when the dearest point is not the best
    (``evaluation/AIQ.py`` of the public RouterBench code: ``max_x_value`` over the hulls).

    >>> public_end({"a": ([1.0, 2.0, 4.0], [0.5, 0.8, 0.7]), "b": ([1.0], [0.6])})
    2.0
    """
    if not systems:
        raise ValueError("public_end needs at least one system")
    return max(float(ndch(*_as_points(*s), null_router=False).cost[-1]) for s in systems.values())


def compare_aiq(
    systems: Mapping[str, object],
    c_min: float | None = None,
    c_max: float | None = None,
) -> dict[str, dict[str, float]]:
    """AIQ of several routing systems on one shared domain.

    Parameters
    ----------
    systems : mapping name -> (cost array, quality array)
        Each system's points (its NDCH is taken here).
    c_min, c_max : float, optional
        The shared domain of the paper's convention; by default the smallest and largest cost
        over all points (:func:`shared_domain`). The public convention's end is always
        :func:`public_end` of the systems.

    Returns
    -------
    dict name -> {"aiq": paper convention, "aiq_public": public code's convention}
    """
    if not systems:
        raise ValueError("compare_aiq needs at least one system")
    pts = {name: _as_points(*s) for name, s in systems.items()}
    d_lo, d_hi = shared_domain(systems)
    lo = d_lo if c_min is None else float(c_min)
    hi = d_hi if c_max is None else float(c_max)
    c_pub = public_end(systems)
    out = {}
    for name, (c, q) in pts.items():
        out[name] = {"aiq": aiq(ndch(c, q), lo, hi), "aiq_public": aiq_public(ndch(c, q, null_router=False), c_pub)}
    return out


def ndch_bruteforce(cost, quality, null_router: bool = True) -> Hull:
    """O(n^3) all-pairs reference NDCH (tests and benchmarks only).

    A point is a vertex iff no other point is at most as costly and at least as good
    (ties: the first copy wins), no segment between two points strictly around it in
    cost passes at or above it, and (with ``null_router``) no segment from the origin to
    a costlier, better point passes at or above it. "At or above" is decided by the same
    predicate as in :func:`ndch` (cross products, a relative tolerance), so the two can only
    differ in which points they compare, never in rounding: an interpolated height
    ``q_i + (q_j - q_i) (c_p - c_i) / (c_j - c_i)`` underflows for subnormal costs and once
    kept a point lying exactly on a chord.
    """
    c, q = _as_points(cost, quality)
    n = c.size
    keep = []
    for p in range(n):
        ok = True
        for i in range(n):
            if i == p:
                continue
            if c[i] <= c[p] and q[i] >= q[p] and (c[i] < c[p] or q[i] > q[p] or i < p):
                ok = False
                break
        if ok:
            for i in range(n):
                if not ok:
                    break
                if not c[i] < c[p]:
                    continue
                for j in range(n):
                    if c[j] > c[p] and _under_chord(c[i], q[i], c[p], q[p], c[j], q[j]):
                        ok = False
                        break
        if ok and null_router and c[p] > 0:
            for j in range(n):
                if c[j] > c[p] and q[j] > q[p] and _under_chord(0.0, 0.0, c[p], q[p], c[j], q[j]):
                    ok = False
                    break
        if ok:
            keep.append(p)
    keep = np.array(keep, dtype=int)
    order = np.argsort(c[keep], kind="stable")
    return Hull(cost=c[keep][order], quality=q[keep][order])
