"""How the protocol grows with the number of prompts, on this machine and on a Dask cluster.

A random benchmark of LLMRouterBench's shape (``--models`` models, 8 datasets, random features
of ``--dim`` columns; quality and cost drawn per model) is built at each size of ``--sizes``; for
each size and each scheduler of ``--schedulers`` (``""`` = this machine, ``local:2``, a
``tcp://`` address) a fresh process measures

* load: building the arrays and the RoutingData;
* start, warm-up: starting the cluster, the workers' first import of routerlib (0 here);
* jobs: :func:`routerlib.protocol.run_protocol` over ``--seeds`` with ``--routers`` (uncached);
* leaderboard: ``ProtocolResult.leaderboard()``;

and the peak resident memory of that process (and of the cluster's workers, each). One line
per run, then a table (median of ``--repeat`` runs) with the time per 1k prompts, which is flat
when the cost grows linearly.

    python scripts/bench_scale.py --sizes 36000,100000 --schedulers ,local:2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ("mmlu", "gsm8k", "mbpp", "arc-challenge", "hellaswag", "winogrande", "mt-bench", "math")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def build(n: int, m: int, dim: int, seed: int = 0):
    """A random benchmark of n prompts x m models with (n, dim) float32 features that carry signal."""
    import numpy as np

    from routerlib.data import RoutingData

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, dim)).astype(np.float32)
    skill = rng.standard_normal((dim, m)) / np.sqrt(dim)
    ability = np.linspace(-1.0, 1.5, m)
    p = 1 / (1 + np.exp(-(X @ skill + ability)))
    quality = (rng.random((n, m)) < p).astype(float)
    price = np.geomspace(1e-6, 3e-5, m)
    cost = price[None, :] * rng.integers(50, 2000, size=(n, 1)) * (1 + 0.05 * rng.random((n, m)))
    ds = np.asarray(DATASETS)[np.arange(n) % len(DATASETS)]
    data = RoutingData.from_arrays(quality, cost, models=[f"model-{j:02d}" for j in range(m)],
                                   prompts=[f"prompt {i}" for i in range(n)], dataset=ds,
                                   sample_id=[f"s{i}" for i in range(n)], name=f"random-{n}")
    return data, X


def one(n: int, m: int, dim: int, scheduler: str, seeds: str, routers: list[str], n_jobs: int = -1) -> dict:
    """One measured run in this process."""
    from routerlib.protocol import registry_specs, run_protocol
    from routerlib.scheduler import connect

    t0 = time.perf_counter()
    data, X = build(n, m, dim)
    t_load = time.perf_counter() - t0
    specs = registry_specs(routers)
    workers_peak: list[float] = []
    t0 = time.perf_counter()
    with connect(scheduler) as client:
        t_start = time.perf_counter() - t0
        t0 = time.perf_counter()
        if client is not None:  # the workers import routerlib, pandas, scikit-learn once: timed apart
            from routerlib.protocol import _worker_source_hash

            client.run(_worker_source_hash)
        t_warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = run_protocol(data, specs, X, seeds=seeds, cache=False, progress=False, n_jobs=n_jobs,
                           scheduler=client.scheduler.address if client is not None else "")
        t_jobs = time.perf_counter() - t0
        if client is not None:
            workers_peak = sorted(client.run(_peak_mib).values())
    t0 = time.perf_counter()
    lb = res.leaderboard()
    t_lb = time.perf_counter() - t0
    return {"n": n, "models": m, "scheduler": scheduler or f"this machine (n_jobs={n_jobs})", "load_s": t_load, "start_s": t_start,
            "warmup_s": t_warm, "jobs_s": t_jobs,
            "leaderboard_s": t_lb, "peak_mib": _peak_mib(), "workers_peak_mib": workers_peak,
            "jobs": int(len(res.aiq)), "leaderboard_rows": int(len(lb))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="36000,100000", help="numbers of prompts, comma-separated")
    ap.add_argument("--models", type=int, default=33)
    ap.add_argument("--dim", type=int, default=32, help="feature columns")
    ap.add_argument("--schedulers", default=",local:2", help="comma-separated; an empty entry is this machine")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--routers", default="knn,best_single,random_score")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--n-jobs", type=int, default=-1, help="joblib's n_jobs for the run on this machine")
    ap.add_argument("--json", default=None, help="also write the runs here")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    from routerlib.scheduler import check_scheduler

    scheds = args.schedulers.split(",")
    try:
        for s in scheds:
            check_scheduler(s)
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    routers = [r for r in args.routers.split(",") if r]
    if args.one:
        print(json.dumps(one(sizes[0], args.models, args.dim, scheds[0], args.seeds, routers, args.n_jobs)))
        return 0
    runs = []
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for n in sizes:
        for s in scheds:
            for _ in range(args.repeat):  # a fresh process per run: its peak memory is that run's
                out = subprocess.run([sys.executable, __file__, "--one", "--sizes", str(n), "--schedulers", s,
                                      "--models", str(args.models), "--dim", str(args.dim), "--seeds", args.seeds,
                                      "--routers", ",".join(routers), "--n-jobs", str(args.n_jobs)],
                                     capture_output=True, text=True, env=env, cwd=ROOT)
                if out.returncode:
                    print(out.stderr[-3000:], file=sys.stderr)
                    return out.returncode
                r = json.loads(out.stdout.strip().splitlines()[-1])
                runs.append(r)
                print(json.dumps(r), flush=True)
    import pandas as pd

    df = pd.DataFrame(runs)
    df["workers_peak_mib"] = df["workers_peak_mib"].map(lambda v: max(v) if v else float("nan"))
    t = df.groupby(["n", "scheduler"], sort=False).median(numeric_only=True)
    t["jobs_s_per_1k"] = t["jobs_s"] / (t.index.get_level_values("n") / 1000)
    print(t[["load_s", "start_s", "warmup_s", "jobs_s", "jobs_s_per_1k", "leaderboard_s", "peak_mib", "workers_peak_mib"]].round(2)
          .to_string())
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
