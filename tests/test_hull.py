"""routerlib.hull: properties (hypothesis), brute force, and the paper's worked rules."""

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from routerlib import hull as H

costs = st.floats(0, 100, allow_nan=False, allow_infinity=False)
quals = st.floats(0, 1, allow_nan=False, allow_infinity=False)


@st.composite
def point_sets(draw, min_size=1, max_size=40):
    n = draw(st.integers(min_size, max_size))
    # a small grid makes ties and duplicates common
    grid = draw(st.booleans())
    if grid:
        c = draw(arrays(float, n, elements=st.integers(0, 6).map(float)))
        q = draw(arrays(float, n, elements=st.integers(0, 5).map(lambda k: k / 5)))
    else:
        c = draw(arrays(float, n, elements=costs))
        q = draw(arrays(float, n, elements=quals))
    return c, q


@given(point_sets())
def test_hull_sorted_strictly_increasing_concave(pts):
    h = H.ndch(*pts)
    assert len(h) >= 1
    assert np.all(np.diff(h.cost) > 0) and np.all(np.diff(h.quality) > 0)
    if len(h) >= 3:
        slopes = np.diff(h.quality) / np.diff(h.cost)
        assert np.all(np.diff(slopes) <= 1e-12 * (1 + np.abs(slopes[1:])))


@given(point_sets())
def test_vertices_are_input_points(pts):
    c, q = pts
    h = H.ndch(c, q)
    for cv, qv in zip(h.cost, h.quality):
        assert np.any((c == cv) & (q == qv))


@given(point_sets())
def test_hull_at_or_above_every_point(pts):
    c, q = pts
    h = H.ndch(c, q)
    at = h(c)
    # the null-router line below the first vertex may lie under a cheaper-than-c1 point: none exists
    assert np.all(at >= q - 1e-9)


@given(point_sets(), st.randoms())
def test_shuffle_invariant_and_idempotent(pts, rnd):
    c, q = pts
    h = H.ndch(c, q)
    perm = np.array(rnd.sample(range(c.size), c.size))
    h2 = H.ndch(c[perm], q[perm])
    np.testing.assert_array_equal(h.cost, h2.cost)
    np.testing.assert_array_equal(h.quality, h2.quality)
    h3 = H.ndch(h.cost, h.quality)
    np.testing.assert_array_equal(h.cost, h3.cost)
    np.testing.assert_array_equal(h.quality, h3.quality)


# points on one line through the origin, one with a subnormal cost: the chord products
# underflow to 0, so the brute force once kept a point that ndch (rightly) drops as collinear
@example((np.array([0.5, 5e-324]), np.array([0.5, 5e-324])))
@example((np.array([7.98859349e-131, 2.22507386e-309]), np.array([7.98859349e-131, 2.22507386e-309])))
# a vertex just above the flat chord from (0, 0) to a dominated point: the unscaled cross
# product (1.4e-45 * 2.75e-303) underflowed to 0 and the brute force dropped the vertex
@example((np.array([2.75404227e-303, 0.0, 1.40129846e-045]), np.array([2.75404227e-303, 0.0, 0.0])))
@given(point_sets(max_size=25))
def test_matches_bruteforce(pts):
    h = H.ndch(*pts)
    b = H.ndch_bruteforce(*pts)
    np.testing.assert_allclose(h.cost, b.cost)
    np.testing.assert_allclose(h.quality, b.quality)


@given(point_sets(), st.floats(0, 50), st.floats(0, 150))
def test_aiq_exact_against_dense_numeric(pts, lo, width):
    h = H.ndch(*pts)
    hi = lo + width
    assume(width > 1e-3)
    g = np.linspace(lo, hi, 20001)
    # add the vertices so the trapezoid rule is exact on each linear piece
    g = np.union1d(g, h.cost[(h.cost > lo) & (h.cost < hi)])
    numeric = np.trapezoid(h(g), g) / (hi - lo)
    assert H.aiq(h, lo, hi) == pytest.approx(numeric, abs=1e-9)


@given(point_sets(), point_sets())
def test_aiq_within_quality_range_and_monotone_in_added_router(a, b):
    ca, qa = a
    cb, qb = b
    lo, hi = 0.0, max(ca.max(), cb.max()) + 1.0
    base = H.aiq(H.ndch(ca, qa), lo, hi)
    both = H.aiq(H.ndch(np.r_[ca, cb], np.r_[qa, qb]), lo, hi)
    assert -1e-12 <= base <= qa.max() + 1e-12
    assert both >= base - 1e-12


def test_paper_rules_interpolation_extrapolation():
    h = H.ndch([1.0, 3.0], [0.4, 0.8])
    assert h(0.0) == 0.0  # null router
    assert h(0.5) == pytest.approx(0.2)  # q1 * c / c1
    assert h(2.0) == pytest.approx(0.6)  # linear interpolation
    assert h(10.0) == pytest.approx(0.8)  # flat after the last vertex
    np.testing.assert_allclose(h(np.array([0.5, 2.0, 10.0])), [0.2, 0.6, 0.8])
    # interpolation of two routers (section 3.1)
    assert H.interpolate((1.0, 0.4), (3.0, 0.8), 0.25) == pytest.approx((2.5, 0.7))


def test_figure2_middle_dominated_points_dropped():
    # A, B, C on the hull; D under AB; E costs more than C for less quality
    h = H.ndch([0.15, 0.40, 0.75, 0.30, 0.90], [0.50, 0.78, 0.90, 0.55, 0.80])
    np.testing.assert_array_equal(h.cost, [0.15, 0.40, 0.75])


def test_aiq_hand_worked():
    h = H.ndch([1.0, 3.0], [0.4, 0.8])
    # over [0, 4]: triangle 0.2 + trapezoid 1.2 + flat 0.8 = 2.2 -> 0.55
    assert H.aiq(h, 0.0, 4.0) == pytest.approx(2.2 / 4)
    # public convention: area from c1=1 to C=4 is 2.0, divided by 4
    assert H.aiq_public(h, 4.0) == pytest.approx(2.0 / 4)
    res = H.compare_aiq({"a": ([1.0, 3.0], [0.4, 0.8]), "b": ([2.0, 4.0], [0.5, 0.9])})
    assert res["a"]["aiq"] == pytest.approx(H.aiq(h, 1.0, 4.0))
    assert res["a"]["aiq_public"] == pytest.approx(0.5)


def test_single_point_ties_duplicates():
    h = H.ndch([2.0], [0.5])
    assert h.cost.tolist() == [2.0] and h(1.0) == pytest.approx(0.25) and h(5.0) == 0.5
    h = H.ndch([1.0, 1.0, 1.0, 2.0, 2.0], [0.3, 0.5, 0.5, 0.5, 0.7])
    assert h.cost.tolist() == [1.0, 2.0] and h.quality.tolist() == [0.5, 0.7]
    h = H.ndch([0.0, 1.0], [0.2, 0.2])  # a free point: flat everywhere
    assert h.cost.tolist() == [0.0] and h(3.0) == 0.2
    assert H.aiq(h, 0.0, 1.0) == pytest.approx(0.2)


@pytest.mark.parametrize(
    "cost, quality, msg",
    [
        ([1.0, np.nan], [0.1, 0.2], "NaN"),
        ([1.0, 2.0], [np.nan, 0.2], "NaN"),
        ([-1.0, 2.0], [0.1, 0.2], "negative cost"),
        ([], [], "at least one point"),
        ([1.0], [0.1, 0.2], "differ in length"),
    ],
)
def test_bad_input_raises(cost, quality, msg):
    with pytest.raises(ValueError, match=msg):
        H.ndch(cost, quality)


def test_bad_domain_raises():
    h = H.ndch([1.0], [0.5])
    with pytest.raises(ValueError):
        H.aiq(h, 2.0, 1.0)
    with pytest.raises(ValueError):
        h(-1.0)


def test_large_random_hull_is_exact():
    rng = np.random.default_rng(0)
    c = rng.random(200_000)
    q = rng.random(200_000)
    h = H.ndch(c, q)
    # every point is at or under the hull, and the hull's vertices are concave
    assert np.all(h(c) >= q - 1e-12)
    # points on a concave curve are all vertices
    x = np.sort(rng.random(5000)) + 0.01
    hc = H.ndch(x, np.sqrt(x))
    assert len(hc) == np.unique(x).size


@given(point_sets(max_size=30))
def test_monotone_chain_fallback_matches(pts):
    # the O(k) monotone chain that finishes when the vectorised passes do not settle
    import routerlib.hull as hm

    fast = H.ndch(*pts)
    old = hm._MAX_PASSES
    try:
        hm._MAX_PASSES = 0
        chain = H.ndch(*pts)
    finally:
        hm._MAX_PASSES = old
    np.testing.assert_array_equal(fast.cost, chain.cost)
    np.testing.assert_array_equal(fast.quality, chain.quality)


def test_public_convention_end_is_the_best_points_cost_not_the_dearest_point():
    # A's dearest point (4, 0.7) is not its best (2, 0.8): the public code's C is 2, not 4
    systems = {"A": ([1.0, 2.0, 4.0], [0.5, 0.8, 0.7]), "B": ([1.0], [0.6])}
    assert H.public_end(systems) == 2.0
    res = H.compare_aiq(systems)
    # A: hull from its cheapest point, (0.5 + 0.8) / 2 over [1, 2], divided by C = 2
    assert res["A"]["aiq_public"] == pytest.approx(0.65 / 2)
    # B: flat at 0.6 from its only point to C = 2
    assert res["B"]["aiq_public"] == pytest.approx(0.6 / 2)
    # the paper's convention keeps the shared domain [1, 4] of all points
    assert res["A"]["aiq"] == pytest.approx((0.65 + 2 * 0.8) / 3)


def test_curve_keeps_points_off_the_hull():
    c = H.curve([1.0, 2.0, 3.0, 3.0], [0.6, 0.4, 0.9, 0.7])
    assert c.cost.tolist() == [1.0, 2.0, 3.0] and c.quality.tolist() == [0.6, 0.4, 0.8]
    assert float(c(1.5)) == pytest.approx(0.5)  # between the points, not the hull's 0.7
    assert float(c(0.5)) == pytest.approx(0.3)  # the null router's line below the first point
    assert H.aiq(c, 1.0, 3.0) == pytest.approx(((0.6 + 0.4) / 2 + (0.4 + 0.8) / 2) / 2)
    assert H.aiq(c, 1.0, 3.0) < H.aiq(H.ndch(c.cost, c.quality), 1.0, 3.0)
