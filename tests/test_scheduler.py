"""The SCHEDULER setting on a real Dask cluster: 2 worker processes on 127.0.0.1, started and
stopped here. Results equal the local run's, faults lose nothing, bad settings are refused."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from test_protocol import make_data

from routerlib import extras
from routerlib.evaluate import RouterSpec
from routerlib.protocol import run_protocol
from routerlib.scheduler import CONNECT_TIMEOUT, check_scheduler, connect, parse_scheduler

pytest.importorskip("distributed")

SPECS = [RouterSpec("knn", "knn", grid=({"n_neighbors": 5}, {"n_neighbors": 20})),
         RouterSpec("best_single", "best_single"),
         RouterSpec("random_score", "random_score")]


@pytest.fixture(scope="module")
def toy():
    return make_data(n_per=100, datasets=("alpha", "beta", "gamma"))


@pytest.fixture(scope="module")
def local(toy):
    data, X = toy
    return run_protocol(data, SPECS, X, seeds=(0, 1, 2), cache=False, progress=False)


@pytest.fixture(scope="module")
def client():
    """SCHEDULER=local:2 (the one cluster of this module: starting one takes seconds); the tests
    reach it as SCHEDULER=tcp://127.0.0.1:<port>, an existing scheduler."""
    with connect("local:2") as c:
        assert len(c.scheduler_info()["workers"]) == 2
        assert c.scheduler.address.startswith("tcp://127.0.0.1:")
        assert set(c.run(lambda: os.environ["OMP_NUM_THREADS"]).values()) == {"1"}
        # glibc's adaptive mmap threshold left on (the jobs ran 1.5 times slower without it)
        assert set(c.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values()) == {None}
        yield c


# ----- the setting --------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, msg", [
    ("local:0", "at least 1 worker"), ("local:-2", "at least 1 worker"), ("local:two", "'two' is not an integer"),
    ("local:1.5", "'1.5' is not an integer"), ("local:", "'' is not an integer"),
    ("127.0.0.1:8786", "unknown scheduler '127.0.0.1:8786'"), ("http://127.0.0.1:8786", "unknown scheduler"),
    ("tcp://127.0.0.1", "unknown scheduler"), ("tcp://127.0.0.1:70000", "port 70000"), ("dask", "unknown scheduler"),
    (3, "must be a string")])
def test_bad_settings_are_refused_with_the_accepted_forms(bad, msg):
    with pytest.raises(ValueError, match=msg) as e:
        parse_scheduler(bad)
    assert "accepted: empty" in str(e.value) and "local:N" in str(e.value) and "tcp://host:port" in str(e.value)


def test_good_settings():
    assert parse_scheduler(None) is None and parse_scheduler("  ") is None
    assert parse_scheduler("local:3") == ("local", 3)
    assert parse_scheduler("tcp://[::1]:8786") == ("tcp", "tcp://[::1]:8786")


def test_a_bad_setting_is_refused_before_any_work(toy, monkeypatch):
    data, X = toy
    monkeypatch.setattr("routerlib.protocol._run_job", lambda *a: pytest.fail("a job ran"))
    with pytest.raises(ValueError, match="local:0"):
        run_protocol(data, SPECS, X, seeds=(0,), scheduler="local:0", progress=False)
    monkeypatch.setenv("ROUTERLIB_SCHEDULER", "cluster-please")
    with pytest.raises(ValueError, match="unknown scheduler 'cluster-please'"):
        run_protocol(data, SPECS, X, seeds=(0,), progress=False)
    with pytest.raises(ValueError, match="backend='loky' and scheduler='local:2'"):
        run_protocol(data, SPECS, X, seeds=(0,), scheduler="local:2", backend="loky", progress=False)


def test_missing_dask_names_the_extra(monkeypatch):
    real = extras._find_spec
    monkeypatch.setattr(extras, "_find_spec", lambda m: None if m in ("dask", "distributed") else real(m))
    with pytest.raises(extras.MissingExtra, match=r'pip install "routerlib\[cluster\]"'):
        check_scheduler("local:2")
    assert check_scheduler("") == ""  # this machine needs no Dask


def test_an_unreachable_scheduler_fails_fast_naming_it():
    t = time.perf_counter()
    with pytest.raises(OSError, match="tcp://127.0.0.1:1"):
        with connect("tcp://127.0.0.1:1"):
            pytest.fail("connected to a closed port")
    assert time.perf_counter() - t < CONNECT_TIMEOUT + 5


def test_backend_dask_without_a_client_says_what_to_do(toy):
    data, X = toy
    from distributed import default_client

    with pytest.raises(ValueError):
        default_client()  # none active here: the module's client is only made by the tests that use it
    with pytest.raises(ValueError, match="needs an active dask.distributed.Client"):
        run_protocol(data, SPECS, X, seeds=(0,), backend="dask", cache=False, progress=False)


# ----- the protocol on the cluster ----------------------------------------------------------------
def test_the_cluster_gives_the_local_leaderboard_and_fills_the_cache(toy, local, client, tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    data, X = toy
    res = run_protocol(data, SPECS, X, seeds=(0, 1, 2), scheduler=client.scheduler.address, progress=False)
    pd.testing.assert_frame_equal(res.leaderboard(), local.leaderboard())
    for k in ("points", "heldout", "perf", "selection", "aiq"):
        pd.testing.assert_frame_equal(getattr(res, k), getattr(local, k))
    n_jobs = 3 * 3 * len(SPECS)
    outputs = sorted((tmp_path / "protocol").rglob("output.pkl"))
    assert len(outputs) == n_jobs  # written here, from the results the workers sent back
    stamps = [p.stat().st_mtime_ns for p in outputs]
    shutil.rmtree(tmp_path / "protocol_runs")  # the jobs the cluster stored, not the whole run, are read
    again = run_protocol(data, SPECS, X, seeds=(0, 1, 2), progress=False)  # this machine, all from the cache
    pd.testing.assert_frame_equal(again.leaderboard(), local.leaderboard())
    assert sorted((tmp_path / "protocol").rglob("output.pkl")) == outputs
    assert [p.stat().st_mtime_ns for p in outputs] == stamps  # read, not computed and written again


def test_backend_dask_uses_the_active_client(toy, local, client):
    data, X = toy
    res = run_protocol(data, SPECS, X, seeds=(0, 1, 2), backend="dask", cache=False, progress=False)
    pd.testing.assert_frame_equal(res.leaderboard(), local.leaderboard())


def test_a_router_error_on_a_worker_names_the_router(toy, client):
    data, X = toy
    spec = RouterSpec("knn", "knn", grid=({"n_neighbors": -3},))
    with pytest.raises(RuntimeError, match="router 'knn' failed on seed 0"):
        run_protocol(data, [spec], X, seeds=(0,), backend="dask", cache=False, progress=False)


def test_a_worker_killed_mid_run_changes_nothing(toy, local, client):
    data, X = toy
    before = client.run(os.getpid)
    killed = []

    def kill_a_busy_worker():
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            busy = [w for w, tasks in client.processing().items() if tasks and w in before]
            if busy:
                os.kill(before[busy[0]], signal.SIGKILL)
                killed.append(before[busy[0]])
            time.sleep(0.01)

    t = threading.Thread(target=kill_a_busy_worker)
    t.start()
    res = run_protocol(data, SPECS, X, seeds=(0, 1, 2), backend="dask", cache=False, progress=False)
    t.join()
    assert killed, "no worker was busy to kill"
    client.wait_for_workers(2, timeout=90)
    assert killed[0] not in client.run(os.getpid, on_error="ignore").values()  # it did die (the nanny started another)
    pd.testing.assert_frame_equal(res.leaderboard(), local.leaderboard())


# ----- the embedding on the cluster ----------------------------------------------------------------
def test_the_embedding_on_the_cluster_gives_the_local_vectors_into_the_same_cache(client, tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers")
    from routerlib.data import simulate_routerbench
    from routerlib.embed import sentence
    from routerlib.embed.cache import EmbeddingCache, prompt_hashes

    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    monkeypatch.setattr(sentence, "CLUSTER_CHUNK", 6)  # several chunks, so both workers encode
    prompts = [str(p) for p in simulate_routerbench(seed=0, scale=0.02).prompt[:18]]
    prompts += prompts[:3]  # duplicates are encoded once and returned for every row
    here = sentence.embed(prompts, cache=False, progress=False, scheduler="")
    there = sentence.embed(prompts, progress=False, scheduler=client.scheduler.address)
    assert np.array_equal(here, there)
    store = EmbeddingCache(sentence.embedding_cache_dir())
    found, _ = store.lookup(np.unique(prompt_hashes(prompts)))
    assert found.all() and len(found) == 18  # written here, from the vectors the workers sent back
    monkeypatch.setattr(sentence, "_encode_on_cluster", lambda *a: pytest.fail("a cached prompt was sent"))
    assert np.array_equal(sentence.embed(prompts, progress=False, scheduler=client.scheduler.address), here)


def test_the_embedding_refuses_a_bad_scheduler_before_loading_anything(monkeypatch):
    from routerlib.embed import sentence

    monkeypatch.setattr(sentence, "load_model", lambda *a: pytest.fail("the model was loaded"))
    with pytest.raises(ValueError, match="unknown scheduler 'tcp:/x'"):
        sentence.embed(["a prompt"], cache=False, progress=False, scheduler="tcp:/x")
