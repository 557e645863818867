"""Answers: the extractors on real-looking responses, the simulated answers (consistent with
correctness, shared wrong answers at the measured rate, the rest of the simulation untouched), and
the measured rates re-derived from the real rows when they are present."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from routerlib import paths
from routerlib.data import answers as A
from routerlib.data import simulate as S
from routerlib.data.answers import answer_stats, extract_answer, extract_answers, simulate_answers


# ----- extractors --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, want", [
    ("['B']", "B"), ("['C\\n']", "C"), ("['A)']", "A"), ("['D (']", "D"), ("['A.']", "A"), ("['A:']", "A"),
    ("['A chart']", "A"),  # the option's text after its letter
    ("['E']", "E"), ("(c)", "C"), ("Answer: B", "B"), ("The answer is (D).", "D"), ("b", "B"),
    ("['I do']", None), ("['Unfortunately I']", None), ("['Based on']", None), ("['Selenium has']", None),
    ("['G\\n']", None), ("", None), ("['13']", None),
])
def test_letter_extractor(text, want):
    assert extract_answer(text, "letter") == want


@pytest.mark.parametrize("text, want", [
    ("['A']", "1"), ("['B\\n']", "2"), ("['A)']", "1"), ("2", "2"), ("Option 1", "1"), ("option 2.", "2"),
    ("The answer is 1", "1"), ("['C\\n']", None), ("['There is']", None), ("['Rachel']", None),
])
def test_option_extractor(text, want):
    assert extract_answer(text, "option") == want


@pytest.mark.parametrize("text, want", [
    ("Natalia sold 48 + 24 = 72 clips.\n#### 72", "72"), ("The answer is $1,234.50.", "1234.5"),
    ("She has 18 apples left.", "18"), ("so the total is 12.0", "12"), ("The answer is -3.", "-3"),
    ("The answer is 42. (We used 7 steps.)", "42"), ("I cannot tell.", None),
])
def test_number_extractor(text, want):
    assert extract_answer(text, "number") == want


def test_no_answer_kinds_and_text():
    assert A.answer_kind("mbpp") is None and A.answer_kind("mt-bench") is None
    assert extract_answer("def f(): return 1", None) is None
    assert extract_answer("  Paris! ", "text") == extract_answer("paris", "text") == "paris"


def test_option_text_from_the_prompt():
    prompt = ("['Q: Kyle or Logan?\\nA) Kyle\\nB) Logan\\nAnswer:\\nB\\n\\n"
              "Rachel touches the vest of Kayla because _ is curious.\\nA) Kayla\\nB) Rachel\\nAnswer:']")
    got = extract_answers(np.array([["['Rachel']", "['A']", "['I do']"]], dtype=object), ["winogrande"], [prompt])
    assert got.tolist() == [["2", "1", None]]  # the last question's options, not the examples'
    got = extract_answers(np.array([["['Rachel']"]], dtype=object), ["winogrande"])  # without prompts: none
    assert got.tolist() == [[None]]
    inline = "Science question: which? (A) iron nail (B) wooden spoon (C) glass (D) rubber\nAnswer:"
    assert extract_answers(np.array([["wooden spoon"]], dtype=object), ["arc-challenge"], [inline]).tolist() == [["B"]]


def test_extract_answers_by_dataset():
    R = np.array([["['B']", "#### 5"], ["def f(): pass", "x"], ["2", "['A']"]], dtype=object)
    got = extract_answers(R, ["arc-challenge", "mbpp", "winogrande"])
    assert got.tolist() == [["B", None], [None, None], ["2", "1"]]
    with pytest.raises(ValueError):
        extract_answers(R, ["arc-challenge", "mbpp"])


# ----- simulated answers -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim():
    return S.simulate_routerbench(seed=0, scale=0.1)


def test_simulated_answers_consistent_with_correctness(sim):
    gold, resp = simulate_answers(sim.quality, sim.dataset, 0)
    np.testing.assert_array_equal(resp, sim.responses)  # what simulate_routerbench stores
    ans = extract_answers(resp, sim.dataset)
    right = sim.quality >= 0.5
    for d in sim.datasets:
        rows = sim.dataset == d
        a, g, r = ans[rows], np.broadcast_to(gold[rows][:, None], ans[rows].shape), right[rows]
        if A.answer_kind(d) is None:  # MBPP, MT-Bench: no answer
            assert (resp[rows] == "").all() and (a == None).all()  # noqa: E711
            continue
        assert (a[r] == g[r]).all(), d  # a correct model gives the gold answer
        assert not (a[~r] == g[~r]).any(), d  # a wrong one never does
        assert (a[~r] == None).any() and (a[~r] != None).any(), d  # noqa: E711 (refusals and wrong answers)


@pytest.mark.parametrize("dataset", ["arc-challenge", "mmlu", "hellaswag", "gsm8k", "winogrande"])
def test_shared_wrong_rate_is_the_fitted_one(sim, dataset):
    st = answer_stats(sim, dataset)
    key = dataset if dataset in A.SHARED_WRONG_RATE else "arc-challenge"
    want = 1.0 if dataset == "winogrande" else A.SHARED_WRONG_RATE[key]  # one wrong option there
    tol = 4 / np.sqrt(st["wrong_pairs"]) + 0.01
    assert abs(st["shared_wrong"] - want) < tol, (dataset, st)
    p, n_wrong = A.NO_ANSWER_SHARE[key], int((sim.quality[sim.dataset == dataset] < 0.5).sum())
    assert abs(st["no_answer"] - p) < 4 * np.sqrt(p * (1 - p) / n_wrong) + 0.005, (dataset, st)
    assert st["right_is_gold"] == 1.0


def test_attraction_solves_the_pair_rate():
    for L in (2, 3, 9):
        for rate in (1 / L, 0.5, 0.675, 1.0):
            p = A._attraction(max(rate, 1 / L), L)
            assert abs(p**2 + (1 - p) ** 2 / (L - 1) - max(rate, 1 / L)) < 1e-12
    assert A._attraction(0.3, 1) == 1.0 and abs(A._attraction(0.49, None) - 0.7) < 1e-12


def _digest(d) -> str:
    """SHA-256 of what is exact on every machine: the strings, the shapes and the quality. Quality
    is 0/1 (k/10 on MT-Bench) given by the rank of a latent built from normal draws with sqrt, +
    and x only, operations IEEE rounds the same way on every CPU; so its bytes are pinned too."""
    h = hashlib.sha256()
    h.update(repr((d.quality.shape, d.cost.shape, d.quality.dtype.str)).encode())
    h.update(np.ascontiguousarray(d.quality).tobytes())
    for a in (d.prompt, d.sample_id, d.eval_name, d.dataset, d.models):
        h.update("\x00".join(map(str, a)).encode())
    return h.hexdigest()


def _cost_summary(cost: np.ndarray) -> np.ndarray:
    """Costs pass through exp, whose last bit differs between CPUs with and without AVX-512 (5,635
    of 382,558 costs at scale 1, relative 7e-16 at most), so they are pinned by summaries compared
    at rtol 1e-12: the total, a sum weighted by a fixed pattern over (row, model), so that a moved
    or changed cell shows, and the largest cost."""
    n, m = cost.shape
    i, j = np.indices((n, m))
    w = 1.0 + ((i * 7919 + j * 104729) % 1009) / 1009.0
    return np.array([cost.sum(), (cost * w).sum(), cost.max()])


COST_RTOL = 1e-12

# measured on the simulation before it had responses (commit bea0173), same digest and summaries
_BEFORE = {(0, 0.02): ("4b43586d20ea56f10a684a0689711696cbab4a9ffd764e3ff43c2776c70820da",
                       (13.732140332291525, 20.57147885696439, 0.0791488253560681)),
           (7, 0.02): ("cae91a98bf7e0702b85ee24b9527edeaea697bd3e145013a25cbd228c2064ffa",
                       (13.732140332291523, 20.57570799755972, 0.07416809177269774)),
           (1, 0.1): ("5caa581cb80221e4c27d9f7389cc295c8c3f9d8c69201072ed4aec56303ca797",
                      (53.52434102762554, 80.25991846235588, 0.10051894396851581))}


@pytest.mark.parametrize("seed, scale", sorted(_BEFORE))
def test_answers_leave_the_rest_of_the_simulation_unchanged(seed, scale):
    d = S.simulate_routerbench(seed=seed, scale=scale)
    digest, costs = _BEFORE[(seed, scale)]
    assert _digest(d) == digest
    np.testing.assert_allclose(_cost_summary(d.cost), costs, rtol=COST_RTOL, atol=0)


def test_cost_pins_pass_last_bit_changes_and_catch_real_ones():
    cost = S.simulate_routerbench(seed=0, scale=0.02).cost
    want = _cost_summary(cost)
    last_bit = cost.copy()
    last_bit[::3] = np.nextafter(last_bit[::3], np.inf)  # a third of the rows, one ulp up (AVX-512 moves 1.5%)
    assert not np.array_equal(last_bit, cost)
    np.testing.assert_allclose(_cost_summary(last_bit), want, rtol=COST_RTOL, atol=0)
    moved = cost.copy()
    moved[[5, 6], 2] = moved[[6, 5], 2]  # two prompts' costs swapped: the total stays
    changed = cost.copy()
    changed[100, 4] *= 1 + 1e-6  # one cell of ~7,700, one part in a million
    for bad in (moved, changed):
        assert not np.allclose(_cost_summary(bad), want, rtol=COST_RTOL, atol=0)


def test_answers_come_from_their_own_stream(monkeypatch):
    a = S.simulate_routerbench(seed=3, scale=0.02)
    monkeypatch.setattr(S, "simulate_answers", lambda q, d, seed: (None, np.full(q.shape, "x", dtype=object)))
    b = S.simulate_routerbench(seed=3, scale=0.02)
    assert _digest(a) == _digest(b) and a.cost.tobytes() == b.cost.tobytes()  # one machine: the same bytes
    assert (b.responses == "x").all()
    assert not np.array_equal(simulate_answers(a.quality, a.dataset, 3)[1], simulate_answers(a.quality, a.dataset, 4)[1])


# ----- the measured constants, from the real rows --------------------------------------------------
@pytest.mark.skipif(not paths.SHARED_ROUTERBENCH.exists(), reason="shared real rows not present")
@pytest.mark.parametrize("dataset", ["arc-challenge", "winogrande"])
def test_constants_are_measured_on_the_real_rows(dataset):
    import warnings

    from routerlib.data import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = load(str(paths.SHARED_ROUTERBENCH))
    st = answer_stats(real, dataset)
    assert round(st["shared_wrong"], 3) == A.SHARED_WRONG_RATE[dataset]
    assert round(st["no_answer"], 3) == A.NO_ANSWER_SHARE[dataset]
    assert st["right_is_gold"] == 1.0  # the real scoring agrees with the extracted answers
