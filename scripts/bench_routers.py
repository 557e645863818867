"""Timings of the predictive-router evaluation: embedding, cache read, the Figure 4 sweep.

    .venv/bin/python scripts/bench_routers.py [--data sim] [--scale 1.0] [--seed 0] [--throughput 1024]

Prints, for the given data: the embedding throughput of all-MiniLM-L6-v2 on uncached
prompts (a sample, encoded without touching the cache), one at a time, in equal-length
batches (at least 1.5x faster) and in equal-length batches in a process per core, side by side
(all with the same bytes), the time to read every prompt's
embedding from the cache (the first run embeds and fills it), and the time of notebook
04's full sweep (KNN k = 5/10/40, MLP (100,) / (100, 100), SVM; selection on an inner split;
40 willingness-to-pay values; every dataset but MT-Bench). The target: the sweep
under 2 minutes on the default simulated data (~35,000 prompts) once embeddings are cached.
``main()`` returns the numbers as a dict (scripts/bench.py calls it).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings


def bench_throughput(prompts, size: int, seed: int = 0) -> dict:
    """MiniLM on ``size`` uncached prompts, one at a time and in equal-length batches, and on ``4 * size``
    in equal-length batches in a process per core (whose start each call pays), side by side.

    The sample is made of whole equal-length batches as embedding every prompt would form them
    (batches of up to 64 prompts of one token count, drawn at random), so the batched rate is
    the one of a full run, not of a small sample whose lengths rarely coincide.
    """
    import joblib
    import numpy as np

    from routerlib import embed as E
    from routerlib.embed import sentence as ES

    st = ES.load_model(E.DEFAULT_MODEL)  # load time is not throughput
    batches = ES.same_length_batches(ES.token_lengths(st, list(prompts)), ES.SAME_LENGTH, ES.MIN_BATCH_TOKENS)
    rng = np.random.default_rng(seed)
    rows: list[int] = []
    for b in rng.permutation(len(batches)):
        if len(rows) >= 4 * size:
            break
        rows += batches[b].tolist()
    sample = [str(prompts[i]) for i in rows]
    E.embed(sample[:2], cache=False, progress=False)  # the once-per-process batching probe is not throughput
    rate = {}
    X = {}
    # ``size`` prompts in this process; the per-core mode starts its processes at each call (model
    # loads included), so it gets four times as many, the first ``size`` the same
    modes = (("one at a time", 1, 1, size), ("equal-length batches", ES.SAME_LENGTH, 1, size),
             ("equal-length batches, a process per core", ES.SAME_LENGTH, -1, len(sample)))
    for mode, same, jobs, n in modes:
        t0 = time.perf_counter()
        X[mode] = E.embed(sample[:n], cache=False, progress=False, same_length=same, n_jobs=jobs)
        rate[mode] = n / (time.perf_counter() - t0)
    same_bytes = len({x[:size].tobytes() for x in X.values()}) == 1
    chars = float(np.median([len(s) for s in sample[:size]]))
    one, batched, cores = (rate[m[0]] for m in modes)
    print(f"embedding throughput ({E.DEFAULT_MODEL}, uncached prompts in whole equal-length batches, median "
          f"{chars:.0f} chars, one torch thread per process): {size:,} prompts one at a time {one:.1f} prompts/s; "
          f"in equal-length batches {batched:.1f} prompts/s (x{batched / one:.2f}; target >= x1.5); "
          f"{len(sample):,} prompts in {joblib.effective_n_jobs(-1)} processes, their start included, "
          f"{cores:.1f} prompts/s (x{cores / one:.2f}); same bytes: {same_bytes}")
    from routerlib.embed import static

    if static.is_built():  # (a fresh cache would distil first; `make reproduce EMBEDDER=minilm-static` does)
        static.embed_static(sample[:2], cache=False, progress=False)
        t0 = time.perf_counter()
        static.embed_static(sample, cache=False, progress=False)
        rate["static"] = len(sample) / (time.perf_counter() - t0)
        print(f"embedding throughput (minilm-static, the same prompts, each alone): {rate['static']:,.0f} prompts/s")
    return {"embed_static_per_s": rate.get("static"), "embed_one_per_s": one, "embed_prompts_per_s": batched,
            "embed_cores_per_s": cores, "embed_speedup": batched / one, "embed_same_bytes": same_bytes}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="sim")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--throughput", type=int, default=1024, help="uncached prompts to time the embedder on (0: skip)")
    args = ap.parse_args(argv)

    import numpy as np

    from routerlib import embed as E
    from routerlib.data import load
    from routerlib.evaluate import evaluate_predictive, paper_specs
    from routerlib.metrics import aiq_wide

    out: dict = {}
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rd = load(args.data, args.seed, args.scale).subset(exclude="mt-bench")
    out["load_s"] = time.perf_counter() - t0
    print(f"data: {rd.label}, {rd.n} prompts (MT-Bench excluded), {rd.m} models; load {out['load_s']:.2f} s")

    prompts = E.prompt_view(rd, "stored")
    if args.throughput > 0:
        out.update(bench_throughput(prompts, args.throughput, args.seed))

    t0 = time.perf_counter()
    X = E.embed(prompts, progress=True)
    out["embed_all_s"] = time.perf_counter() - t0
    print(f"embeddings of all {rd.n} prompts (cache; first run encodes): {out['embed_all_s']:.2f} s")
    E.cache._memo.clear()
    t0 = time.perf_counter()
    X2 = E.embed(prompts, progress=False)
    out["cached_load_s"] = time.perf_counter() - t0
    assert np.array_equal(X, X2)
    print(f"cached load of {rd.n} embeddings (fresh read from disk): {out['cached_load_s']:.3f} s")

    t0 = time.perf_counter()
    res = evaluate_predictive(rd, X, paper_specs(("knn", "mlp", "svm")), seed=args.seed)
    out["sweep_s"] = time.perf_counter() - t0
    print(f"Figure 4 sweep (3 routers, 6 configs, inner selection, 40 WTP values, {len(rd.datasets)} datasets): "
          f"{out['sweep_s']:.1f} s  (target < 120 s at scale 1)")
    print(aiq_wide(res.aiq, "aiq", ["zero", "knn", "mlp", "svm"]).round(4).to_string())
    return out


if __name__ == "__main__":
    main()
    sys.exit(0)
