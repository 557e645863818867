"""Speed benchmarks (`make bench`). Prints timings; not a test.

Covers: ndch + aiq on 1,000,000 random points; ndch against the O(n^3) all-pairs reference
on 500 points; simulate_routerbench at scale 1; loading a ~36k-row wide file; and, when
present, the router, cascade and protocol benchmarks (scripts/bench_routers.py, bench_cascade.py,
bench_protocol.py: the 5-seed protocol's time, and how its time and memory grow with the prompts
and the routers).

    .venv/bin/python scripts/bench.py [--embedder minilm] [--protocol-sections headline,leaderboard,prompts,routers]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from routerlib import hull as H

HERE = Path(__file__).resolve().parent


def best_of(fn, repeat=3):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def bench_hull():
    rng = np.random.default_rng(0)
    c, q = rng.random(1_000_000), rng.random(1_000_000)
    t, h = best_of(lambda: H.aiq(H.ndch(c, q), 0.0, 1.0))
    print(f"ndch + aiq, 1,000,000 uniform random points: {t * 1000:.0f} ms (target < 1000 ms)")
    # a harder case: every point near the hull (points on a concave curve, jittered)
    x = rng.random(1_000_000)
    y = np.sqrt(x) - rng.random(1_000_000) * 1e-3
    t, _ = best_of(lambda: H.aiq(H.ndch(x, y), 0.0, 1.0))
    print(f"ndch + aiq, 1,000,000 points near a concave curve: {t * 1000:.0f} ms")
    c5, q5 = rng.random(500), rng.random(500)
    t_fast, hf = best_of(lambda: H.ndch(c5, q5), repeat=20)
    t0 = time.perf_counter()
    hb = H.ndch_bruteforce(c5, q5)
    t_brute = time.perf_counter() - t0
    assert np.array_equal(hf.cost, hb.cost)
    print(f"ndch on 500 points: {t_fast * 1e6:.0f} us; O(n^3) all-pairs reference: {t_brute:.2f} s; "
          f"speed-up x{t_brute / t_fast:,.0f} (target >= 1000)")


def bench_data():
    from routerlib.data import load_routerbench, save_wide, simulate_routerbench

    t, rd = best_of(lambda: simulate_routerbench(seed=0, scale=1.0), repeat=2)
    print(f"simulate_routerbench(scale=1): {t:.2f} s for {rd.n} prompts x {rd.m} models (target < 10 s)")
    big = simulate_routerbench(seed=1, scale=1.0)
    # responses of realistic length (the hub files hold every model's answer text)
    filler = np.array([("answer %d " % k) * 60 for k in range(97)], dtype=object)
    big.responses = filler[np.arange(big.n * big.m).reshape(big.n, big.m) % 97]
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("bench.csv.gz", "bench.parquet", "bench.pkl"):
            p = save_wide(big, Path(tmp) / name)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t, rd2 = best_of(lambda: load_routerbench(p, trust_pickle=True), repeat=2)  # our own pickle
            print(f"load_routerbench({name}): {t:.2f} s for {rd2.n} rows (target < 10 s)")


def run_script(name, argv=()):
    path = HERE / name
    if not path.exists():
        print(f"({name} not present)")
        return
    spec = importlib.util.spec_from_file_location(name[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(list(argv))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="minilm", help="features of the protocol's headline and leaderboard runs")
    ap.add_argument("--protocol-sections", default="headline,leaderboard,prompts,routers")
    ap.add_argument("--scheduler", default="", help="a Dask cluster (local:N, tcp://host:port): the leaderboard "
                    "protocol is also timed there against this machine (bench_protocol.py's 'cluster' section)")
    args = ap.parse_args(argv)
    sections = args.protocol_sections + (",cluster" if args.scheduler.strip() else "")
    print("== hull ==")
    bench_hull()
    print("== data ==")
    bench_data()
    print("== routers ==")
    run_script("bench_routers.py")
    print("== cascades ==")
    run_script("bench_cascade.py")
    print("== the 5-seed protocol ==")
    run_script("bench_protocol.py", ["--embedder", args.embedder, "--sections", sections,
                                     "--scheduler", args.scheduler.strip() or "local:2"])
    print("== online routing (35k steps x every policy x 5 orders x 10 lambdas) ==")
    run_script("bench_online.py")


if __name__ == "__main__":
    sys.exit(main())
