"""Model-pool curation (routerlib.pools) on small hand-built tables whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlib.data import RoutingData
from routerlib.pools import _pools, greedy_pool, pool_study, pool_summary


def test_greedy_starts_from_the_best_macro_mean_not_the_pooled_one():
    # dataset a: 1 prompt, b: 3 prompts. Pooled means: m0 3/4, m1 2/4; macro means over datasets:
    # m0 (0 + 1) / 2 = 0.5, m1 (1 + 1/3) / 2 = 0.667, so m1 comes first; adding m0 then gives the
    # Oracle 1.0 on both datasets, m2 (never right) nothing
    q = [[0, 1, 0],
         [1, 1, 0],
         [1, 0, 0],
         [1, 0, 0]]
    train = RoutingData.from_arrays(q, [[1, 1, 1]] * 4, dataset=np.array(["a", "b", "b", "b"]))
    assert greedy_pool(train) == [1, 0, 2]
    assert greedy_pool(train, 1) == [1]


def test_greedy_breaks_ties_by_cost_at_every_step():
    # every model alone is right on one of two prompts: m1, the cheapest, comes first. m2 and m3
    # then add the same (the second prompt): m3, cheaper. m0 and m2 add nothing: m0, cheaper
    q = [[1, 1, 0, 0],
         [0, 0, 1, 1]]
    train = RoutingData.from_arrays(q, [[3, 2, 5, 4]] * 2)
    assert greedy_pool(train) == [1, 3, 0, 2]


def test_pools_are_greedy_prefixes_and_seeded_random_draws():
    rng = np.random.default_rng(0)
    train = RoutingData.from_arrays(rng.random((20, 4)), np.ones((20, 4)))
    pools = list(_pools(train, seed=3, n_random=2))
    greedy = [p for kind, _, p in pools if kind == "greedy"]
    full = greedy_pool(train)
    assert greedy == [full[:k] for k in range(1, 5)]
    random = [(draw, p) for kind, draw, p in pools if kind == "random"]
    # two draws per size below the full size, one at the full size
    assert [len(p) for _, p in random] == [1, 1, 2, 2, 3, 3, 4]
    assert all(p == sorted(set(p)) for _, p in random)
    assert random[-1][1] == [0, 1, 2, 3]
    assert list(_pools(train, seed=3, n_random=2)) == pools
    assert list(_pools(train, seed=4, n_random=2)) != pools


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(1)
    n, m = 80, 3
    q = (rng.random((n, m)) < [0.4, 0.6, 0.8]).astype(float)
    c = np.tile([1.0, 2.0, 4.0], (n, 1)) * rng.uniform(0.9, 1.1, (n, 1))
    data = RoutingData.from_arrays(q, c, dataset=np.repeat(["a", "b"], n // 2))
    X = rng.normal(size=(n, 5))
    return data, X, pool_study(data, X, seeds=(0, 1), n_random=2, n_neighbors=5, n_wtp=8)


def test_study_has_one_row_per_seed_dataset_and_pool(small):
    data, _, study = small
    # per seed and dataset: 3 greedy pools, 2 random pools of sizes 1 and 2, 1 of size 3
    assert len(study) == 2 * 2 * (3 + 2 + 2 + 1)
    assert list(study.columns) == ["seed", "dataset", "kind", "draw", "size", "pool", "oracle_acc", "zero_aiq",
                                   "knn_aiq"]
    assert study[["oracle_acc", "zero_aiq", "knn_aiq"]].stack().between(0, 1).all()


def test_full_pool_scores_the_test_oracle_and_every_kind_agrees_there(small):
    data, _, study = small
    for seed in (0, 1):
        test = data.split_mask(seed)
        for d in ("a", "b"):
            rows = study[(study.seed == seed) & (study.dataset == d) & (study["size"] == 3)]
            assert len(rows) == 2  # the greedy pool and the one random pool: the same three models
            by_hand = data.quality[test & (data.dataset == d)].max(axis=1).mean()
            assert np.allclose(rows.oracle_acc, by_hand)
            assert rows.zero_aiq.nunique() == 1 and rows.knn_aiq.nunique() == 1


def test_one_model_pool_router_equals_zero_and_greedy_pools_never_lose(small):
    _, _, study = small
    one = study[study["size"] == 1]
    # a router restricted to one model can only send every prompt there: the Zero router's point
    assert np.allclose(one.knn_aiq, one.zero_aiq)
    greedy = study[study.kind == "greedy"].sort_values(["seed", "dataset", "size"])
    for _, g in greedy.groupby(["seed", "dataset"]):
        # nested pools: the Oracle and the Zero router's hull can only gain from an added model
        assert (np.diff(g.oracle_acc) >= -1e-12).all()
        assert (np.diff(g.zero_aiq) >= -1e-12).all()


def test_summary_averages_draws_then_datasets_then_seeds():
    # seed 0: random draws of size 1 on dataset a score 0.2 and 0.4 (mean 0.3), on b 0.5: macro 0.4;
    # seed 1: a 0.6, b 0.8: macro 0.7. Mean over seeds 0.55
    rows = [(0, "a", "random", 0, 1, 0.2), (0, "a", "random", 1, 1, 0.4), (0, "b", "random", 0, 1, 0.5),
            (1, "a", "random", 0, 1, 0.6), (1, "b", "random", 0, 1, 0.8)]
    study = pd.DataFrame(rows, columns=["seed", "dataset", "kind", "draw", "size", "oracle_acc"])
    study["zero_aiq"] = study.oracle_acc / 2
    study["knn_aiq"] = 0.1
    s = pool_summary(study).set_index("metric")
    assert s.loc["oracle_acc", "mean"] == pytest.approx(0.55)
    assert s.loc["zero_aiq", "mean"] == pytest.approx(0.275)
    assert s.loc["knn_aiq", "mean"] == pytest.approx(0.1)
    assert (s.n_seeds == 2).all()


def test_the_study_is_cached_keyed_by_data_and_features(small, tmp_path, monkeypatch):
    """A second call reads the stored study (nothing computed); a changed quality value or feature
    is a new entry; an embedder from outside routerlib is never cached (its code is not in the key)."""
    import dataclasses

    from sklearn.base import BaseEstimator, TransformerMixin

    import routerlib.pools as P

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    data, X, study = small
    kw = dict(seeds=(0, 1), n_random=2, n_neighbors=5, n_wtp=8)
    entries = lambda: len(list((tmp_path / "pools").rglob("output.pkl")))  # noqa: E731
    pd.testing.assert_frame_equal(pool_study(data, X, **kw), study)
    assert entries() == 1
    knn = P.cosine_neighbors
    monkeypatch.setattr(P, "cosine_neighbors", lambda *a: pytest.fail("computed again"))
    pd.testing.assert_frame_equal(pool_study(data, X, **kw), study)  # read back
    monkeypatch.setattr(P, "cosine_neighbors", knn)
    q = data.quality.copy()
    q[0, 0] = 1.0 - q[0, 0]
    pool_study(dataclasses.replace(data, quality=q), X, **kw)
    X2 = X.copy()
    X2[3, 1] += 1.0
    pool_study(data, X2, **kw)
    assert entries() == 3

    class OutsideEmbedder(TransformerMixin, BaseEstimator):  # the user's, fitted on each split
        def fit(self, texts, y=None):
            return self

        def transform(self, texts):
            return np.array([[len(t), t.count("a") + 1.0] for t in texts], float)

    pool_study(data, OutsideEmbedder(), **kw)
    assert entries() == 3
