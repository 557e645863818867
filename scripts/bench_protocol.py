"""Timing of the 5-seed protocol, and how its cost grows with the prompts and the routers.

    .venv/bin/python scripts/bench_protocol.py [--embedder minilm] [--seeds 0,1,2,3,4] [--n-jobs 2]
        [--sections headline,leaderboard,prompts,routers] [--sizes 0.25,0.5,1,2,4] [--growth-seeds 0,1,2,3,4]

Sections (``--sections``, default all):

* ``headline`` -- the paper's routers (KNN, MLP, SVM over Appendix B's grids, the Zero router,
  held-out selection; no job cache) on the simulated default without MT-Bench, embeddings read
  from the cache (the first run embeds: MiniLM takes about 7.5 minutes on 2 cores;
  ``--embedder minilm-static`` seconds), then each family alone.
* ``leaderboard`` -- notebook 09's protocol: every registry router on every dataset.
* ``prompts`` -- protocol time and peak memory of the paper's routers against the number of
  prompts: ``--sizes`` times the simulated default (sizes above 1 stack independently simulated
  benchmarks, seeds 0, 1, ..., their sample ids prefixed by the seed; sizes below 1 are the
  loader's ``scale``), static MiniLM features (``minilm-static``) or seeded random ones
  (``--growth-features random``); the slope of log time against log prompts; and the CPU seconds
  of each stage, the largest named: data (simulation), features, router fits, routing sweeps,
  and the rest of the protocol (splits, hulls, AIQ tables, baselines).
* ``routers`` -- the same at the default size against the number of routers (registry order,
  the first 1, 2, 4, 8 and all), with the slope.
* ``cluster`` -- the leaderboard protocol (every registry router, 5 seeds) on this machine (joblib,
  ``--n-jobs``) and then on ``--scheduler`` (default ``local:2``, a Dask LocalCluster started once
  before timing, and its workers warmed by one small job): the ratio of the two times (the
  cluster's overhead) and whether the two leaderboards are equal.

Every run of the two growth tables is a fresh process with ``n_jobs=1``, so stages can be timed
in-process in CPU seconds (which other work on a shared machine does not inflate, unlike wall
seconds) and the peak resident memory (``ru_maxrss``) is the run's own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import warnings

PAPER = ("knn", "mlp", "svm")
STAGES = ("data", "features", "fit", "route", "rest")


# ----- one growth run, in its own process -----------------------------------------------------
def _stacked_sim(size: float):
    """The simulated default at ``size`` times its rows: the loader's scale below 1, independently
    simulated benchmarks (seeds 0, 1, ...) stacked above it, sample ids prefixed by the seed."""
    import math
    from dataclasses import replace

    import numpy as np

    from routerlib.data import load

    if size <= 1:
        return load("sim", 0, size)
    whole = int(math.floor(size))
    parts = [load("sim", k, 1.0) for k in range(whole)]
    if size > whole:
        parts.append(load("sim", whole, size - whole))
    cat = {a: np.concatenate([getattr(p, a) for p in parts]) for a in ("prompt", "eval_name", "dataset", "quality",
                                                                        "cost")}
    sid = np.concatenate([np.array([f"s{k}:{s}" for s in p.sample_id], dtype=object) for k, p in enumerate(parts)])
    return replace(parts[0], sample_id=sid, latency=None, responses=None, meta={**parts[0].meta, "stacked": len(parts)},
                   **cat)


def _instrument(clock: dict) -> None:
    """Add the time spent in every registry router's ``fit`` and in its routing (``route``,
    ``sweep_outcomes``) to ``clock``; nested calls count once, in the outermost."""
    import functools

    from routerlib.routers import ROUTERS

    depth = threading.local()

    def wrap(f, stage):
        @functools.wraps(f)
        def timed(*a, **kw):
            if getattr(depth, "n", 0):
                return f(*a, **kw)
            depth.n = 1
            t0 = time.process_time()
            try:
                return f(*a, **kw)
            finally:
                clock[stage] += time.process_time() - t0
                depth.n = 0

        return timed

    done = set()
    for cls in ROUTERS.values():
        for klass in cls.__mro__:
            for name, stage in (("fit", "fit"), ("route", "route"), ("sweep_outcomes", "route")):
                f = vars(klass).get(name)
                if f is not None and (klass, name) not in done:
                    setattr(klass, name, wrap(f, stage))
                    done.add((klass, name))


def _rss_mib(field: str) -> float | None:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process from /proc, MiB (None where there is no /proc)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset this process's peak resident memory (Linux: ``5`` into /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def growth_run(size: float, routers: list[str], seeds: str, features: str) -> dict:
    """One protocol run (``n_jobs=1``, no job cache) with its stages timed in CPU seconds; returns a dict.

    Features are read from the embedding cache (prompts it lacks are embedded first, untimed), so
    the features stage is what a run with a warm cache pays.
    """
    import numpy as np

    clock = dict.fromkeys(STAGES, 0.0)
    _instrument(clock)
    from routerlib.embed import cache as embed_cache
    from routerlib.embed import features_for
    from routerlib.protocol import registry_specs, run_protocol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.process_time()
        rd = _stacked_sim(size)
        if "mt-bench" in rd.datasets and set(routers) <= set(PAPER):
            rd = rd.subset(exclude="mt-bench")  # as the paper's figures (80 prompts)
        clock["data"] = time.process_time() - t0
        if features != "random":
            features_for(features, rd.prompt)  # fill the cache (untimed)
            embed_cache._memo.clear()
        t0 = time.process_time()
        if features == "random":
            X = np.random.default_rng(0).standard_normal((rd.n, 384)).astype(np.float32)
        else:
            X = features_for(features, rd.prompt)
        clock["features"] = time.process_time() - t0
        rss0 = _rss_mib("VmRSS")
        reset = _reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        run_protocol(rd, registry_specs(routers), X, seeds, n_jobs=1, cache=False, progress=False)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    clock["rest"] = cpu - clock["fit"] - clock["route"]
    peak = _rss_mib("VmHWM") if reset else None
    if peak is None:  # no resettable peak: the process's peak so far
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": size, "prompts": int(rd.n), "routers": len(routers), "protocol_s": wall, "protocol_cpu_s": cpu,
            **clock, "rss_before_mib": rss0 if rss0 is not None else float("nan"), "peak_mib": peak,
            "protocol_growth_mib": peak - rss0 if rss0 is not None else float("nan")}


def _child(size: float, routers: list[str], seeds: str, features: str) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    args = json.dumps([size, routers, seeds, features])
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", args], capture_output=True, text=True,
                       env=env)
    if p.returncode != 0:
        raise RuntimeError(f"growth run {args} failed:\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def slope(x, y) -> float:
    """Least-squares slope of log y against log x."""
    import numpy as np

    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def _table(rows: list[dict], key: str) -> None:
    import pandas as pd

    df = pd.DataFrame(rows)
    shares = df[list(STAGES)].div(df[list(STAGES)].sum(axis=1), axis=0)
    df["dominant"] = [f"{s} ({shares.loc[i, s]:.0%})" for i, s in shares.idxmax(axis=1).items()]
    cols = [key, "prompts", *(["routers"] if key != "routers" else []), "protocol_s", "protocol_cpu_s", *STAGES,
            "rss_before_mib", "peak_mib", "protocol_growth_mib", "dominant"]
    print(df[cols].to_string(index=False, formatters={"size": "{:g}".format},
                             float_format=lambda v: f"{v:.1f}"))
    print("(protocol_s: wall seconds; protocol_cpu_s and the stages: CPU seconds of the one process, which a busy "
          "machine does not inflate; features: a read from the embedding cache; rss_before_mib: resident memory "
          "when the protocol starts (data, features, imports); peak_mib: peak resident memory during the protocol; "
          "protocol_growth_mib: the difference)")
    x = df["prompts"] if key == "size" else df["routers"]
    if len(df) > 1:
        parts = [f"protocol CPU {slope(x, df['protocol_cpu_s']):.2f}", f"wall {slope(x, df['protocol_s']):.2f}"] + [
            f"{s} {slope(x, df[s]):.2f}" for s in ("fit", "route", "rest") if (df[s] > 0).all()]
        print(f"log-log slope against {'prompts' if key == 'size' else 'routers'}: " + ", ".join(parts)
              + f"; peak memory {slope(x, df['peak_mib']):.2f}, its growth during the protocol "
          + f"{slope(x, df['protocol_growth_mib'].clip(lower=1e-3)):.2f}")


def bench_prompts(sizes, seeds: str, features: str) -> list[dict]:
    print(f"\n-- protocol against the number of prompts: {', '.join(PAPER)}, seeds {seeds}, {features} features, "
          "n_jobs=1, no job cache (size: times the simulated default) --")
    rows = []
    for s in sizes:
        rows.append(_child(s, list(PAPER), seeds, features))
        print(f"  size {s:g}: {rows[-1]['prompts']} prompts, {rows[-1]['protocol_s']:.1f} s wall, "
              f"{rows[-1]['protocol_cpu_s']:.1f} s CPU", flush=True)
    _table(rows, "size")
    return rows


def bench_routers(counts, seeds: str, features: str) -> list[dict]:
    from routerlib.routers import ROUTERS

    names = list(ROUTERS)
    print(f"\n-- protocol against the number of routers (registry order: {', '.join(names)}), simulated default, "
          f"seeds {seeds}, {features} features, n_jobs=1, no job cache --")
    rows = []
    for k in counts:
        k = min(k, len(names))
        rows.append(_child(1.0, names[:k], seeds, features))
        print(f"  {k} routers: {rows[-1]['protocol_s']:.1f} s wall, {rows[-1]['protocol_cpu_s']:.1f} s CPU", flush=True)
    _table(rows, "routers")
    return rows


# ----- the headline and the leaderboard ---------------------------------------------------------
def bench_headline(embedder: str, seeds: str, n_jobs: int) -> dict:
    from routerlib.data import load
    from routerlib.embed import features_for
    from routerlib.protocol import registry_specs, run_protocol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rd = load("sim", 0, 1.0).subset(exclude="mt-bench")
    X = features_for(embedder, rd.prompt)
    out = {}
    t0 = time.perf_counter()
    res = run_protocol(rd, registry_specs(list(PAPER)), X, seeds, n_jobs=n_jobs, cache=False, progress=False)
    out["all"] = time.perf_counter() - t0
    n = len(res.meta["seeds"]) * len(res.meta["datasets"])
    print(f"5-seed protocol, KNN + MLP + SVM, {rd.n} prompts ({len(res.meta['datasets'])} datasets x "
          f"{len(res.meta['seeds'])} seeds = {n} splits), {embedder} embeddings, n_jobs={n_jobs}: {out['all']:.1f} s "
          "(goal < 60 s)")
    for fam in PAPER:
        t0 = time.perf_counter()
        run_protocol(rd, registry_specs([fam]), X, seeds, n_jobs=n_jobs, cache=False, progress=False)
        out[fam] = time.perf_counter() - t0
        print(f"  {fam} alone: {out[fam]:.1f} s")
    return out


def bench_leaderboard(embedder: str, seeds: str, n_jobs: int) -> dict:
    from routerlib.data import load
    from routerlib.embed import features_for
    from routerlib.protocol import registry_specs, run_protocol

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        full = load("sim", 0, 1.0)
        Xf = features_for(embedder, full.prompt)
        t0 = time.perf_counter()
        res = run_protocol(full, registry_specs(), Xf, seeds, n_jobs=n_jobs, cache=False, progress=False)
        out["leaderboard"] = time.perf_counter() - t0
        print(f"leaderboard protocol (notebook 09): {len(res.meta['routers'])} routers, {full.n} prompts, "
              f"{len(res.meta['seeds'])} seeds, {embedder} embeddings, n_jobs={n_jobs}: {out['leaderboard']:.1f} s "
              "(goal < 120 s)")
        for fam in ("avengers_pro", "mf", "escalation", "escalation_random", "agreement", "cascade"):
            t0 = time.perf_counter()
            run_protocol(full, registry_specs([fam]), Xf, seeds, n_jobs=n_jobs, cache=False, progress=False)
            out[fam] = time.perf_counter() - t0
            print(f"  {fam} alone: {out[fam]:.1f} s")
    return out


def bench_cluster(embedder: str, seeds: str, n_jobs: int, scheduler: str) -> dict:
    import pandas as pd

    from routerlib.data import load
    from routerlib.embed import features_for
    from routerlib.protocol import registry_specs, run_protocol
    from routerlib.scheduler import connect

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        full = load("sim", 0, 1.0)
        X = features_for(embedder, full.prompt)
        specs = registry_specs()
        t0 = time.perf_counter()
        here = run_protocol(full, specs, X, seeds, n_jobs=n_jobs, cache=False, progress=False)
        t_here = time.perf_counter() - t0
        with connect(scheduler) as client:
            t0 = time.perf_counter()
            small = load("sim", 0, 0.02)  # the workers' first import and first job, outside the timing
            run_protocol(small, registry_specs(["best_single"]), None, "0", cache=False, progress=False,
                         scheduler=client.scheduler.address)
            t_warm = time.perf_counter() - t0
            t0 = time.perf_counter()
            there = run_protocol(full, specs, X, seeds, cache=False, progress=False, scheduler=client.scheduler.address)
            t_there = time.perf_counter() - t0
    equal = True
    try:
        pd.testing.assert_frame_equal(here.leaderboard(), there.leaderboard(), check_exact=True)
    except AssertionError:
        equal = False
    out = {"here": t_here, "warm-up": t_warm, "cluster": t_there, "ratio": t_there / t_here, "equal": equal}
    print(f"leaderboard protocol ({len(specs)} routers, {full.n} prompts, {len(here.meta['seeds'])} seeds, {embedder}): "
          f"this machine (n_jobs={n_jobs}) {t_here:.1f} s, {scheduler} {t_there:.1f} s "
          f"(+ {t_warm:.1f} s warm-up): x{out['ratio']:.2f} (goal <= 1.3); leaderboards "
          f"{'equal' if equal else 'DIFFER'}")
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="minilm", help="features of the headline and the leaderboard")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--sections", default="headline,leaderboard,prompts,routers")
    ap.add_argument("--sizes", default="0.25,0.5,1,2,4", help="times the simulated default's prompts")
    ap.add_argument("--router-counts", default="1,2,4,8,99", help="first k registry routers (99: all)")
    ap.add_argument("--growth-seeds", default="0,1,2,3,4", help="seeds of the two growth tables")
    ap.add_argument("--growth-features", default="minilm-static", help="'minilm-static' or 'random'")
    ap.add_argument("--scheduler", default="local:2", help="the cluster of the 'cluster' section")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(growth_run(*json.loads(args.child))))
        return {}
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - {"headline", "leaderboard", "prompts", "routers", "cluster"}
    if unknown:
        ap.error(f"unknown section(s) {sorted(unknown)}")
    out = {}
    if "headline" in sections:
        out["headline"] = bench_headline(args.embedder, args.seeds, args.n_jobs)
    if "leaderboard" in sections:
        out["leaderboard"] = bench_leaderboard(args.embedder, args.seeds, args.n_jobs)
    if "prompts" in sections:
        out["prompts"] = bench_prompts([float(s) for s in args.sizes.split(",")], args.growth_seeds,
                                       args.growth_features)
    if "routers" in sections:
        out["routers"] = bench_routers([int(s) for s in args.router_counts.split(",")], args.growth_seeds,
                                       args.growth_features)
    if "cluster" in sections:
        out["cluster"] = bench_cluster(args.embedder, args.seeds, args.n_jobs, args.scheduler)
    return out


if __name__ == "__main__":
    main()
