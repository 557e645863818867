"""The multi-seed protocol: tidy results, held-out selection, statistics, bad input, your own router."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from routerlib.data import RoutingData, load_routerbench, save_wide
from routerlib.evaluate import RouterSpec
from routerlib.hull import ndch
from routerlib.protocol import parse_seeds, registry_specs, run_protocol

FAST = {"mlp": {"hidden_layer_sizes": (8,), "max_iter": 40}}


def make_data(n_per: int = 80, datasets=("alpha", "beta"), seed: int = 0) -> tuple[RoutingData, np.ndarray]:
    """Two topics; model 1 is good on 'red', model 2 on 'blue', model 3 on both but dear."""
    rng = np.random.default_rng(seed)
    ids, prompts, ds, topic = [], [], [], []
    for d in datasets:
        for i in range(n_per):
            t = "red" if i % 2 else "blue"
            ids.append(f"{d}-{i}"), prompts.append(f"{d} question {i} about {t}"), ds.append(d), topic.append(t)
    topic = np.array(topic)
    n = len(ids)
    q = np.zeros((n, 4))
    q[:, 0] = rng.random(n) < 0.3
    q[:, 1] = np.where(topic == "red", rng.random(n) < 0.9, rng.random(n) < 0.2)
    q[:, 2] = np.where(topic == "blue", rng.random(n) < 0.9, rng.random(n) < 0.2)
    q[:, 3] = rng.random(n) < 0.85
    c = np.array([1e-4, 3e-4, 3e-4, 5e-3])[None, :] * (1 + 0.1 * rng.random((n, 4)))
    data = RoutingData.from_arrays(q, c, models=[f"m{j}" for j in range(4)], prompts=prompts, dataset=np.array(ds),
                                   sample_id=ids, name="toy")
    X = np.where(topic[:, None] == "red", [1.0, 0.0], [0.0, 1.0]) + 0.05 * rng.standard_normal((n, 2))
    return data, X.astype(np.float32)


@pytest.fixture(scope="module")
def toy():
    return make_data()


@pytest.fixture(scope="module")
def result(toy):
    data, X = toy
    specs = [RouterSpec("knn", "knn", grid=({"n_neighbors": 5}, {"n_neighbors": 20})),
             RouterSpec("random_score", "random_score"), RouterSpec("oracle", "oracle"),
             RouterSpec("best_single", "best_single")]
    return run_protocol(data, specs, X, seeds=(0, 1, 2), cache=False, progress=False)


def test_tidy_tables(result):
    p = result.points
    assert {"seed", "dataset", "router", "params", "knob", "value", "cost", "quality"} <= set(p.columns)
    assert set(p.seed) == {0, 1, 2} and set(p.dataset) == {"alpha", "beta"}
    assert set(result.aiq.router) == {"zero", "knn", "random_score", "oracle", "best_single"}
    assert len(result.aiq) == 3 * 2 * 5
    assert (p[p.router == "oracle"].groupby(["seed", "dataset"]).size() == 1).all()  # no knob: one point
    assert result.selection.groupby(["seed", "dataset", "router"]).selected.sum().eq(1).all()


def test_deterministic_and_cached(toy, tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    data, X = toy
    specs = [RouterSpec("knn", "knn", {"n_neighbors": 5})]
    a = run_protocol(data, specs, X, seeds=(0, 1), progress=False)
    b = run_protocol(data, specs, X, seeds=(0, 1), progress=False)  # from the cache
    c = run_protocol(data, specs, X, seeds=(0, 1), cache=False, progress=False)
    assert list((tmp_path / "protocol").rglob("output.pkl"))
    pd.testing.assert_frame_equal(a.aiq, b.aiq)
    pd.testing.assert_frame_equal(a.aiq, c.aiq)


def test_a_whole_run_is_read_from_one_file_with_its_readings(toy, tmp_path, monkeypatch, capsys):
    """A rerun of the same run reads the whole result (per-seed readings included) from one file:
    no job is read and no reading is made again. Another run on the same jobs (here, fewer seeds)
    is a new entry that reuses the jobs' cache."""
    import routerlib.protocol as P

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    data, X = toy
    specs = [RouterSpec("knn", "knn", {"n_neighbors": 5}), RouterSpec("best_single", "best_single")]
    a = run_protocol(data, specs, X, seeds=(0, 1), progress=False)
    assert len(list((tmp_path / "protocol_runs").rglob("output.pkl"))) == 1
    with monkeypatch.context() as m:
        m.setattr(P, "_read_cached", lambda tasks: pytest.fail("a job was read"))
        m.setattr(P, "_per_seed", lambda res: pytest.fail("the readings were made again"))
        b = run_protocol(data, specs, X, seeds=(0, 1))
        assert "read from the cache" in capsys.readouterr().err
        for k in ("points", "heldout", "perf", "models", "refs", "aiq", "selection"):
            pd.testing.assert_frame_equal(getattr(a, k), getattr(b, k))
        pd.testing.assert_frame_equal(a.per_seed(), b.per_seed())
        assert a.meta == b.meta
    jobs = sorted((tmp_path / "protocol").rglob("output.pkl"))
    one = run_protocol(data, specs, X, seeds=(1,), progress=False)
    assert len(list((tmp_path / "protocol_runs").rglob("output.pkl"))) == 2
    assert sorted((tmp_path / "protocol").rglob("output.pkl")) == jobs  # the seed's jobs were read
    pd.testing.assert_frame_equal(one.points, a.points[a.points.seed == 1].reset_index(drop=True))
    changed = run_protocol(data, [RouterSpec("knn", "knn", {"n_neighbors": 7}), specs[1]], X, seeds=(0, 1),
                           progress=False)
    assert not changed.points.equals(a.points)  # another parameter: another run, computed


def test_per_seed_is_made_once_and_returned_as_a_copy(toy, monkeypatch):
    import dataclasses

    import routerlib.protocol as P

    data, X = toy
    res = run_protocol(data, [RouterSpec("best_single", "best_single")], X, seeds=(0,), cache=False, progress=False)
    made = []
    real = P._per_seed
    monkeypatch.setattr(P, "_per_seed", lambda r: made.append(1) or real(r))
    first = res.per_seed()
    first["value"] = -1.0
    assert (res.per_seed()["value"] != -1.0).any() and len(made) == 1
    other = dataclasses.replace(res, aiq=res.aiq.assign(aiq=0.0))  # another result: its own readings
    assert other._readings is None
    other.per_seed()
    assert len(made) == 2


def test_a_whole_run_folder_that_cannot_be_written_is_named_and_the_jobs_still_cached(toy, tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    monkeypatch.setattr("routerlib.memo.writable", lambda folder: folder.name != "protocol_runs")
    data, X = toy
    with pytest.warns(UserWarning, match=f"cache folder {tmp_path / 'protocol_runs'} cannot be written; the protocol"):
        res = run_protocol(data, [RouterSpec("best_single", "best_single")], X, seeds=(0,), progress=False)
    assert list((tmp_path / "protocol").rglob("output.pkl"))
    assert not list((tmp_path / "protocol_runs").rglob("output.pkl"))
    pd.testing.assert_frame_equal(res.points, run_protocol(data, [RouterSpec("best_single", "best_single")], X,
                                                           seeds=(0,), cache=False, progress=False).points)


def test_jobs_in_parallel_give_the_same_tables_and_no_warning(toy, result, tmp_path, monkeypatch):
    """Two joblib processes give the in-process run's tables, with every job computed and with
    every job read from the cache; and joblib's result generator is run to its end each time (one
    left unstarted, when every job was cached, warned that it cancelled 0 tasks)."""
    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    data, X = toy
    specs = [RouterSpec("knn", "knn", grid=({"n_neighbors": 5}, {"n_neighbors": 20})),
             RouterSpec("random_score", "random_score"), RouterSpec("oracle", "oracle"),
             RouterSpec("best_single", "best_single")]
    for _ in ("computed", "cached"):
        shutil.rmtree(tmp_path / "protocol_runs", ignore_errors=True)  # the jobs' cache, not the whole run's
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            par = run_protocol(data, specs, X, seeds=(0, 1, 2), progress=False, n_jobs=2)
        assert [str(w.message) for w in caught] == []
        pd.testing.assert_frame_equal(par.aiq, result.aiq)


def test_the_cache_follows_each_datasets_inputs_hashed_once_per_run(toy, tmp_path, monkeypatch):
    """Jobs are keyed by the hash of their dataset's rows, features and texts, made once per dataset
    (not once per job): a changed feature on one dataset recomputes that dataset's jobs only."""
    import routerlib.protocol as P

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    data, X = toy
    specs = [RouterSpec("knn", "knn", {"n_neighbors": 5}), RouterSpec("best_single", "best_single")]
    hashed = []
    real_hash = P.content_hash
    monkeypatch.setattr(P, "content_hash", lambda *v: hashed.append(len(v)) or real_hash(*v))
    a = run_protocol(data, specs, X, seeds=(0, 1, 2), progress=False)
    assert len(hashed) == 2  # two datasets, 12 jobs
    X2 = np.array(X, copy=True)
    X2[np.flatnonzero(data.dataset == "beta")[0], 0] += 1.0  # one feature of one beta prompt
    b = run_protocol(data, specs, X2, seeds=(0, 1, 2), progress=False)
    cached = list((tmp_path / "protocol").rglob("output.pkl"))
    assert len(cached) == 12 + 6  # alpha's 6 jobs reused, beta's 6 new
    alpha = a.aiq.dataset == "alpha"
    pd.testing.assert_frame_equal(a.aiq[alpha], b.aiq[b.aiq.dataset == "alpha"])


def test_heldout_uses_validation_hull_only(result, toy):
    h, p = result.heldout, result.points
    for (seed, d), g in h[h.router == "knn"].groupby(["seed", "dataset"]):
        # the held-out configurations are vertices of the validation hull ...
        hull = ndch(g.val_cost, g.val_quality)
        assert len(g) == len(hull)
        assert np.isin(g.val_cost, hull.cost).all()
        # ... and no more than the router's whole hindsight sweep
        assert len(g) <= len(p[(p.router == "knn") & (p.seed == seed) & (p.dataset == d)])
    # held-out AIQ never beats the hindsight hull on the same domain (it is a subset of configurations,
    # and a curve through points is under their hull)
    a = result.aiq
    assert (a.aiq_heldout <= a.aiq + 1e-12).all()
    # the Zero router's held-out configurations are the models on the training split's hull
    m = result.models
    assert m.groupby(["seed", "dataset"]).on_train_hull.sum().ge(1).all()


def test_knn_beats_zero_here_and_the_verdict_says_so(result):
    lb = result.leaderboard()
    row = lb[(lb.dataset == "all") & (lb.router == "knn") & (lb.metric == "aiq_heldout_minus_zero")].iloc[0]
    assert row["mean"] > 0 and row.verdict == "above" and row.ci_low > 0  # learnable topics
    assert set(lb.columns) >= {"dataset", "router", "metric", "mean", "std", "ci_low", "ci_high", "n_seeds"}
    assert (lb.n_seeds <= 3).all()


def test_followup_properties(result):
    ps = result.per_seed()
    gap = ps[(ps.router == "oracle") & (ps.metric == "gap_o")]
    assert np.allclose(gap.value, 0)  # the Oracle's Gap@O is 0
    gb = ps[(ps.router == "best_single") & (ps.metric == "gain_b")]
    assert np.allclose(gb.value, 0)  # Gain@B of the Best Single, on the split where it was chosen, is 0
    hind = ps[(ps.router == "best_single (test hindsight)") & (ps.metric == "gain_b_hindsight")]
    assert np.allclose(hind.value, 0)
    assert (ps[(ps.metric == "gap_o")].value >= -1e-12).all()  # nobody beats the Oracle


def test_bad_input(toy):
    data, X = toy
    spec = [RouterSpec("knn", "knn")]
    with pytest.raises(ValueError, match="no seeds"):
        run_protocol(data, spec, X, seeds=[], progress=False)
    with pytest.raises(ValueError, match="duplicate seeds"):
        run_protocol(data, spec, X, seeds=[1, 1], progress=False)
    with pytest.raises(ValueError, match=r"\['alpha'\] named more than once"):
        run_protocol(data, spec, X, seeds=[0], datasets=["alpha", "beta", "alpha"], progress=False)
    with pytest.raises(ValueError, match="got the string 'alpha'; for one dataset pass \\['alpha'\\]"):
        run_protocol(data, spec, X, seeds=[0], datasets="alpha", progress=False)
    with pytest.raises(ValueError, match=r"\['gamma'\] not in this data"):
        run_protocol(data, spec, X, seeds=[0], datasets=["gamma"], progress=False)
    assert parse_seeds("0,1, 2") == (0, 1, 2)
    with pytest.raises(ValueError, match="integers"):
        parse_seeds("0,x")
    tiny = data.select(np.r_[np.flatnonzero(data.dataset == "alpha"), np.flatnonzero(data.dataset == "beta")[:6]])
    with pytest.warns(UserWarning, match="'beta' has [0-9]+ prompts, fewer than 10"):
        r = run_protocol(tiny, spec, X[: tiny.n], seeds=[0], cache=False, progress=False)
    assert r.meta["skipped"] == ["beta"] and set(r.aiq.dataset) == {"alpha"}


class Fails:
    """A router that breaks on one dataset."""

    def fit(self, data, X=None):
        if "beta" in data.datasets:
            raise ValueError("cannot fit beta")
        return self

    def route(self, data, X=None):
        return np.zeros(data.n, dtype=int)


def test_a_failing_router_is_named(toy):
    data, X = toy
    with pytest.raises(RuntimeError, match=r"router 'fails' failed on seed 4, dataset 'beta'.*cannot fit beta"):
        run_protocol(data, [RouterSpec("fails", Fails())], X, seeds=[4], cache=False, progress=False)


class CheapestOnLongPrompts:
    """Bring your own router: send long prompts to the cheapest model, the rest to the best one."""

    def __init__(self, max_len: int = 30):
        self.max_len = max_len

    def fit(self, data, X=None):
        self.cheapest_ = int(np.argmin(data.cost.mean(axis=0)))
        self.best_ = int(np.argmax(data.quality.mean(axis=0)))
        return self

    def route(self, data, X=None):
        long = np.array([len(p) > self.max_len for p in data.prompt])
        return np.where(long, self.cheapest_, self.best_)


def test_bring_your_own_router_on_sim_and_on_a_file(tmp_path):
    from routerlib.data import simulate_routerbench

    sim = simulate_routerbench(seed=0, scale=0.02).subset(["mbpp", "winogrande"])
    path = save_wide(sim, tmp_path / "mine.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_file = load_routerbench(path)
    for data in (sim, from_file):
        specs = registry_specs(["random_score"]) + [RouterSpec("mine", CheapestOnLongPrompts())]
        res = run_protocol(data, specs, None, seeds=(0, 1), cache=False, progress=False)
        lb = res.leaderboard()
        mine = lb[lb.router == "mine"]
        assert {"aiq", "aiq_heldout", "aiq_minus_zero", "acc", "gain_b"} <= set(mine.metric)
        assert set(mine.dataset) == {"mbpp", "winogrande", "all"}


# ----- datasets too small for a router: left out, not fatal ----------------------------------------
def _with_small(n_small: int = 13):
    data, X = make_data(n_per=60, datasets=("alpha",))
    small, Xs = make_data(n_per=n_small, datasets=("beta",), seed=1)
    from routerlib.data import RoutingData

    both = RoutingData.from_arrays(np.r_[data.quality, small.quality], np.r_[data.cost, small.cost],
                                   models=data.models, prompts=np.r_[data.prompt, small.prompt],
                                   dataset=np.r_[data.dataset, small.dataset],
                                   sample_id=np.r_[data.sample_id, small.sample_id], name="toy")
    return both, np.r_[X, Xs]


def test_a_dataset_too_small_for_a_router_is_left_out_with_one_warning():
    data, X = _with_small(13)
    specs = [RouterSpec("knn", "knn", grid=({"n_neighbors": 5}, {"n_neighbors": 40})), RouterSpec("best_single", "best_single")]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = run_protocol(data, specs, X, seeds=(0, 1), cache=False, progress=False)
    small = [str(x.message) for x in w if "too small" in str(x.message)]
    assert len(small) == 1, [str(x.message) for x in w]
    assert "knn on 'beta'" in small[0] and "best_single on 'beta'" in small[0] and "9 for training" in small[0]
    assert set(res.meta["refused"]) == {"knn/beta", "best_single/beta"}
    assert "validation split" in res.meta["refused"]["knn/beta"]
    assert res.meta["datasets"] == ["alpha", "beta"] and res.meta["skipped"] == []
    assert set(res.points.dataset) == {"alpha"}  # the other dataset's pairs ran
    assert set(res.aiq[res.aiq.dataset == "beta"].router) == {"zero"}
    lb, ps = res.leaderboard(), res.per_seed()
    assert not len(lb[(lb.router == "knn") & (lb.dataset.isin(["beta", "all"]))])  # no reading over datasets
    assert len(lb[(lb.router == "knn") & (lb.dataset == "alpha") & (lb.metric == "aiq_heldout")]) == 1
    assert len(ps[(ps.router == "zero") & (ps.dataset == "beta") & (ps.metric == "acc")]) == 2  # baselines still there
    assert res.aiq_summary() is not None and len(res.split_points(0))


def test_every_pair_too_small_gives_baselines_only():
    data, X = _with_small(12)
    data = data.select(data.dataset == "beta")
    with pytest.warns(UserWarning, match="too small"):
        res = run_protocol(data, registry_specs(["best_single"]), X[-data.n:], seeds=[0], cache=False, progress=False)
    assert res.points.empty and res.routers == [] and set(res.aiq.router) == {"zero"}
    assert {"oracle (analytic)", "zero"} <= set(res.leaderboard().router)


def test_split_sizes_follow_split_mask():
    from routerlib.data import RoutingData
    from routerlib.evaluate import split_sizes

    for n in range(2, 40):
        rd = RoutingData.from_arrays(np.zeros((n, 2)), np.zeros((n, 2)))
        for seed in (0, 7):
            test = rd.split_mask(seed)
            assert split_sizes(n) == (int((~test).sum()), int(test.sum())), n


class Needy:
    """A router that declares the fewest training rows its fit can learn from."""

    def __init__(self, need: int = 1):
        self.need = need

    def get_params(self, deep=True):
        return {"need": self.need}

    def set_params(self, **kw):
        self.need = kw.get("need", self.need)
        return self

    def min_train_rows(self):
        return self.need

    def fit(self, data, X=None):
        if data.n < self.need:
            raise ValueError(f"needs {self.need} rows, got {data.n}")
        return self

    def route(self, data, X=None):
        return np.zeros(data.n, dtype=int)


def test_too_small_rules():
    from routerlib.evaluate import too_small

    spec = RouterSpec("knn", "knn", grid=({"n_neighbors": 5}, {"n_neighbors": 40}))
    why, grid = too_small(spec, 13)
    assert "13 sample ids leave 9 for training" in why and "14 sample ids" in why and grid == ()
    assert too_small(spec, 14) == (None, tuple(spec.grid))  # n_neighbors is capped, not infeasible
    needy = RouterSpec("needy", Needy(), grid=({"need": 1}, {"need": 30}))
    assert too_small(needy, 70) == (None, ({"need": 1}, {"need": 30}))  # 49 training ids, 34 train-in
    why, grid = too_small(needy, 40)  # 28 training, 20 train-in: need=30 cannot fit
    assert why is None and grid == ({"need": 1},)
    why, grid = too_small(RouterSpec("needy", Needy(), grid=({"need": 30},)), 40)
    assert "20 train-in rows" in why and "at least 30" in why


def test_an_infeasible_grid_entry_is_dropped_with_a_warning():
    data, X = make_data(n_per=40, datasets=("alpha",))
    spec = RouterSpec("needy", Needy(), grid=({"need": 1}, {"need": 30}))
    with pytest.warns(UserWarning, match=r"needy on 'alpha': need=30"):
        res = run_protocol(data, [spec], X, seeds=[0], cache=False, progress=False)
    assert list(res.selection.params) == ["need=1"]


@pytest.mark.skipif(not __import__("routerlib.paths").paths.SHARED_ROUTERBENCH.exists(), reason="real rows absent")
def test_real_winogrande_cut_to_13_rows_is_left_out_not_fatal():
    from routerlib.paths import SHARED_ROUTERBENCH

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = load_routerbench(SHARED_ROUTERBENCH)
    wino = np.flatnonzero(real.dataset == "winogrande")[:13]
    arc = np.flatnonzero(real.dataset == "arc-challenge")[:60]
    data = real.select(np.r_[arc, wino])
    with pytest.warns(UserWarning, match=r"too small.*random_score on 'winogrande'"):
        res = run_protocol(data, registry_specs(["random_score"]), None, seeds=[0, 1], cache=False, progress=False)
    assert res.meta["refused"].keys() == {"random_score/winogrande"}
    assert set(res.points.dataset) == {"arc-challenge"}


# ----- the order of the tables ------------------------------------------------------------------
def _is_in_order(table: pd.DataFrame, datasets, routers) -> bool:
    """Whether the rows run by seed, then dataset in the order of ``datasets``, then router in the
    order of ``routers``."""
    key = list(zip(table.seed, table.dataset.map(list(datasets).index), table.router.map(list(routers).index)))
    return key == sorted(key)


def test_tables_are_ordered_by_seed_dataset_router_past_100_routers():
    """102 copies of the Best Single router (one point each) on two datasets asked out of their
    order in the data, routers given against the order of their names.

    Sorting on one number, ``seed * 10_000 + dataset * 100 + router`` (positions of the dataset
    and the router), fails here: the second dataset's first router gets the key 100 + 0 = 100,
    below the first dataset's 102nd router (0 + 101), so the two datasets' rows interleave."""
    data, X = make_data(n_per=20)
    routers = [f"copy-{i}" for i in reversed(range(102))]
    datasets = ["beta", "alpha"]
    res = run_protocol(data, [RouterSpec(r, "best_single") for r in routers], X, seeds=[0], datasets=datasets,
                       cache=False, progress=False)
    for name in ("points", "heldout", "perf", "selection"):
        table = getattr(res, name)
        assert len(table) == len(datasets) * len(routers), name
        assert _is_in_order(table, datasets, routers), name
    aiq = res.aiq[res.aiq.router != "zero"]
    assert len(aiq) == len(datasets) * len(routers) and _is_in_order(aiq, datasets, routers)


def test_the_sorting_step_orders_by_seed_dataset_router_and_keeps_ties():
    """The sort used on the job tables, on a shuffled table past 100 routers and 100 datasets:
    seeds ascending, datasets and routers in the order given, rows with the same key in their
    original order (``tie``). The one-number key ``seed * 10_000 + dataset * 100 + router`` would
    mix routers with datasets past 100 routers and datasets with seeds past 100 datasets."""
    from routerlib.protocol import _in_run_order

    rng = np.random.default_rng(0)
    routers = [f"r{i}" for i in rng.permutation(130)]
    datasets = [f"d{i}" for i in rng.permutation(105)]
    rows = [(s, d, r) for s in (7, 2) for d in datasets[:3] + datasets[-2:] for r in routers[:2] + routers[-3:]]
    rows += [(2, datasets[0], routers[-1])] * 2  # one key three times
    table = pd.DataFrame(rows, columns=["seed", "dataset", "router"]).sample(frac=1, random_state=0)
    table["tie"] = np.arange(len(table))
    out = _in_run_order(table.reset_index(drop=True), datasets, routers)
    assert _is_in_order(out, datasets, routers) and len(out) == len(table)
    assert out.seed.iloc[0] == 2 and list(out.index) == list(range(len(out)))
    tied = out[(out.seed == 2) & (out.dataset == datasets[0]) & (out.router == routers[-1])]
    assert len(tied) == 3 and tied.tie.is_monotonic_increasing


# ----- seeds --------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, msg", [
    ("a,b", "seed 'a' is not an integer"), ("0,1.5", "seed '1.5' is not an integer"),
    ("1.0", "seed '1.0' is not an integer"), ("0,-1", "seed -1 is negative"), (f"{2**32}", "too large"),
    ("0,,1", "seed #2 of '0,,1' is empty"), ("1,1", "duplicate seeds"), ("", "no seeds"), ([True], "not an integer"),
    ([1.5], "not an integer"), ([1.0], r"not an integer \(float\)"), (["1"], r"not an integer \(str\)"),
    ([-3], "negative"), ([2**32], "too large"), (3, "for one seed give"), (None, "sequence of integers"),
])
def test_parse_seeds_refuses(bad, msg):
    with pytest.raises(ValueError, match=msg):
        parse_seeds(bad)


def test_parse_seeds_accepts_and_distinct_seeds_give_distinct_splits():
    from routerlib.seeds import stable_seed

    assert parse_seeds(" 0, +1,2 ") == (0, 1, 2) and parse_seeds(np.array([4, 5])) == (4, 5)
    assert parse_seeds([2**32 - 1]) == (2**32 - 1,) and all(type(s) is int for s in parse_seeds(np.arange(2)))
    # stable_seed multiplies by an odd number modulo 2**32: one-to-one on [0, 2**32), so distinct seeds differ
    seeds = [0, 1, 2, 2**31, 2**32 - 1]
    assert len({stable_seed(s, "mmlu") for s in seeds}) == len(seeds)


# ----- the cache: keyed by a user's router code, and a folder that cannot be written --------------
ROUTER_SRC = '''
import numpy as np

class Pick:
    def fit(self, data, X=None):
        return self

    def route(self, data, X=None):
        return np.full(data.n, {model}, dtype=int)
'''


def test_editing_a_users_router_changes_the_cached_numbers(tmp_path, monkeypatch):
    import importlib
    import shutil
    import sys

    from routerlib.protocol import router_code

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path))
    mod_file = tmp_path / "my_pick_router.py"
    mod_file.write_text(ROUTER_SRC.format(model=0))
    data, X = make_data(n_per=30, datasets=("alpha",))

    def run():
        mod = importlib.import_module("my_pick_router")
        return run_protocol(data, [RouterSpec("pick", mod.Pick())], X, seeds=[0], progress=False), mod

    try:
        a, mod = run()
        key_a = router_code(mod.Pick())
        again, _ = run()  # unchanged code: the cache serves the same numbers
        pd.testing.assert_frame_equal(a.points, again.points)
        mod_file.write_text(ROUTER_SRC.format(model="(3)"))  # edit route(), then re-import
        shutil.rmtree(tmp_path / "__pycache__", ignore_errors=True)  # a same-second, same-size .pyc would be reused
        importlib.reload(mod)
        b, mod = run()
        assert router_code(mod.Pick()) != key_a
        test = data.select(data.split_mask(0))
        assert a.points.cost.iloc[0] == pytest.approx(test.cost[:, 0].sum())
        assert b.points.cost.iloc[0] == pytest.approx(test.cost[:, 3].sum())  # the new code's numbers, not the old
    finally:
        sys.modules.pop("my_pick_router", None)
    assert router_code("knn") == "" and router_code(__import__("routerlib").routers.KNNRouter()) == ""


def test_a_cache_folder_that_cannot_be_written_is_read_and_named(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    data, X = make_data(n_per=30, datasets=("alpha",))
    spec = [RouterSpec("knn", "knn", {"n_neighbors": 5})]
    first = run_protocol(data, spec, X, seeds=[0], progress=False)
    stored = sorted((tmp_path / "protocol").rglob("output.pkl"))
    assert stored
    # tests run as root, where permissions do not stop writes: the probe is what says "read-only"
    monkeypatch.setattr("routerlib.memo.writable", lambda folder: False)
    with pytest.warns(UserWarning, match=f"cache folder {tmp_path / 'protocol'} cannot be written") as w:
        again = run_protocol(data, spec, X, seeds=[0, 1], progress=False)
    assert sum("cache folder" in str(x.message) for x in w) == 1
    pd.testing.assert_frame_equal(first.points, again.points[again.points.seed == 0].reset_index(drop=True))
    assert sorted((tmp_path / "protocol").rglob("output.pkl")) == stored  # seed 1 computed, not stored


def test_a_cache_folder_that_cannot_be_made_runs_uncached(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ROUTERLIB_CACHE", str(blocker / "cache"))
    data, X = make_data(n_per=30, datasets=("alpha",))
    with pytest.warns(UserWarning, match="cache folder .*a-file.* cannot be made"):
        res = run_protocol(data, [RouterSpec("best_single", "best_single")], X, seeds=[0], progress=False)
    assert len(res.points) == 1


def test_the_real_writable_probe(tmp_path):
    from routerlib.memo import writable as _writable

    assert _writable(tmp_path) and not _writable(tmp_path / "missing")
    assert not list(tmp_path.iterdir())  # the probe leaves nothing behind


def test_protocol_counts_prompts_by_eval_name_and_id():
    """Ids that restart in each eval name of one dataset are distinct prompts: the dataset is not
    skipped as small (the split counts them the same way)."""
    from routerlib.data import RoutingData

    n, m = 16, 2
    rng = np.random.default_rng(0)
    ids = np.r_[np.arange(8), np.arange(8)].astype(str)  # 8 ids (fewer than MIN_IDS), each under two eval names
    data = RoutingData(sample_id=ids, prompt=np.array([f"p{i}" for i in range(n)], dtype=object),
                       eval_name=np.repeat(["fam-a", "fam-b"], 8), dataset=np.repeat("fam", n),
                       models=np.array(["cheap", "dear"]), quality=rng.integers(0, 2, (n, m)).astype(float),
                       cost=np.tile([1e-4, 1e-3], (n, 1)))
    assert data.n_prompts("fam") == 16
    r = run_protocol(data, registry_specs(["random"]), seeds=[0], cache=False, progress=False)
    assert r.meta["skipped"] == [] and set(r.refs.dataset) == {"fam"}
