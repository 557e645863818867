"""routerlib.seeds and the seed and scale arguments of the data: integers in [0, 2**32), scales
in (0, 1]; anything else refused, naming the argument and its value."""

import numpy as np
import pytest

from routerlib import data as D
from routerlib.seeds import check_seed, rng, stable_seed


@pytest.mark.parametrize("seed, msg", [
    (-1, r"seed must be an integer in \[0, 2\*\*32\); got -1$"),
    (2**32, r"got 4294967296$"),
    (1.5, r"got 1\.5 \(float\)"),
    (1.0, r"got 1\.0 \(float\)"),
    ("3", r"got '3' \(str\)"),
    (True, r"got True \(bool\)"),
    (None, r"got None \(NoneType\)"),
])
def test_stable_seed_refuses_what_is_not_a_seed(seed, msg):
    with pytest.raises(ValueError, match=msg):
        stable_seed(seed, "mmlu")


def test_seeds_of_the_range_are_accepted_and_distinct():
    assert check_seed(np.int64(3)) == 3 and check_seed(2**32 - 1) == 2**32 - 1
    # 0 and 2**32 - 1 are both valid and give different streams; -1 (which would equal 2**32 - 1) is refused
    assert stable_seed(0, "k") != stable_seed(2**32 - 1, "k")
    with pytest.raises(ValueError, match=r"seed \(for 'escalation/random'\) must be an integer .* got -1"):
        rng(-1, "escalation/random")
    assert rng(None, "k").random() != rng(None, "k").random()  # None draws fresh numbers


@pytest.mark.parametrize("seed", [-1, 2**32, 0.5, "a"])
def test_split_and_simulations_refuse_a_bad_seed(seed):
    rd = D.RoutingData.from_arrays([[0.0, 1.0]] * 20, [[1.0, 2.0]] * 20)
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, 2\*\*32\)"):
        rd.split_mask(seed=seed)
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, 2\*\*32\)"):
        D.simulate_routerbench(seed=seed, scale=0.01)
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, 2\*\*32\)"):
        D.simulate_rag(seed=seed, scale=0.25)


@pytest.mark.parametrize("scale", [0, -0.5, 1.05, 2, float("nan"), "0.5", True])
def test_simulations_refuse_a_scale_outside_0_1(scale):
    with pytest.raises(ValueError, match=r"^scale must be a number in \(0, 1\] .*got"):
        D.simulate_routerbench(seed=0, scale=scale)
    with pytest.raises(ValueError, match=r"^scale must be a number in \(0, 1\]"):
        D.simulate_rag(seed=0, scale=scale)


def test_tiny_scale_keeps_each_simulated_dataset_at_its_minimum():
    """No simulated dataset is ever empty: a tiny scale keeps min(rows, 40) of each, recorded."""
    sim = D.simulate_routerbench(seed=0, scale=1e-6)
    assert set(sim.dataset_sizes()) == {40}
    assert sim.meta["row_share"]["mt-bench"] == 0.5 and sim.meta["row_share"]["mmlu"] == pytest.approx(40 / 14042)
