"""The simple prompt-features embedder: the counts by hand, standardisation on training prompts,
its place in the embedder registry."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from routerlib.embed import EMBEDDERS, PromptFeatures, features_for, make_embedder
from routerlib.embed.features import FEATURES, raw_features

PROMPTS = ["What is 12 + 30?", "Which is a metal?\nA) wood\nB) iron\nC) glass\nD) paper\nAnswer:",
           "Solve: 3 * x = 12. Then x^2 = ?", "Write a python function to reverse a string."]


def test_counts_by_hand():
    F = dict(zip(FEATURES, raw_features([PROMPTS[1]])[0]))
    assert F["options"] == 4 and F["newlines"] == 5 and F["question_marks"] == 1 and F["digits"] == 0
    G = dict(zip(FEATURES, raw_features([PROMPTS[2]])[0]))
    assert G["digits"] == 4 and G["numbers"] == 3 and G["math"] == 4 and G["options"] == 0  # *, =, ^, =
    assert G["chars"] == len(PROMPTS[2]) and G["words"] == len(PROMPTS[2].split())
    # RouterBench's stored prompts carry literal backslash-n: counted as newlines too
    assert dict(zip(FEATURES, raw_features(["a\\nb\\nc"])[0]))["newlines"] == 2


def test_character_classes_count_every_character_as_python_classifies_it():
    texts = ["ÄÖÜ ß ǅ Ⅻ ١٢٣ ² Abc 12", "日本語 テキスト", "", "\n\\n?! x", "MiXeD 9"]
    F = raw_features(texts)
    for row, s in zip(F, texts):
        letters = sum(ch.isalpha() for ch in s)
        assert row[FEATURES.index("digits")] == sum(ch.isdigit() for ch in s)
        assert row[FEATURES.index("upper_share")] == (sum(ch.isupper() for ch in s) / letters if letters else 0.0)


def test_standardised_on_training_prompts():
    emb = PromptFeatures().fit(PROMPTS)
    Z = emb.transform(PROMPTS)
    assert Z.shape == (4, len(FEATURES)) and Z.dtype == np.float32
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-5)
    sd = Z.std(axis=0)
    assert np.all((np.abs(sd - 1) < 1e-4) | (sd < 1e-6))  # a constant feature is centred only
    # the training prompts' scale is kept for new ones
    z = emb.transform(["x" * 5000])
    assert z[0, FEATURES.index("chars")] > Z[:, FEATURES.index("chars")].max()
    assert not hasattr(clone(emb), "mean_")


def test_registered_and_fitted_per_split():
    assert "features" in EMBEDDERS
    e = make_embedder("features")
    assert isinstance(e, PromptFeatures) and e.name == "features" and e.fits_on_prompts
    got = features_for("features", PROMPTS)  # fitted per split by the protocols: the unfitted embedder
    assert isinstance(got, PromptFeatures) and not hasattr(got, "mean_")
