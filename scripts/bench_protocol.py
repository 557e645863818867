"""Timing of the 5-seed protocol: the paper's routers, then the whole leaderboard.

    .venv/bin/python scripts/bench_protocol.py [--scale 1.0] [--seeds 0,1,2,3,4] [--n-jobs 2]

Embeddings are read from the cache (the first run embeds). Prints the wall time of the whole
protocol (KNN, MLP, SVM over Appendix B's grids, the Zero router, held-out selection; no job
cache), then each family alone, to say what dominates; then notebook 09's protocol, every
registry router on every dataset (MT-Bench included), and the routers beyond the paper alone.
"""

from __future__ import annotations

import argparse
import time
import warnings


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args(argv)

    from routerlib.data import load
    from routerlib.embed import features_for
    from routerlib.protocol import registry_specs, run_protocol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rd = load("sim", 0, args.scale).subset(exclude="mt-bench")
    X = features_for("minilm", rd.prompt)
    out = {}
    t0 = time.perf_counter()
    res = run_protocol(rd, registry_specs(["knn", "mlp", "svm"]), X, args.seeds, n_jobs=args.n_jobs, cache=False,
                       progress=False)
    out["all"] = time.perf_counter() - t0
    n = len(res.meta["seeds"]) * len(res.meta["datasets"])
    print(f"5-seed protocol, KNN + MLP + SVM, {rd.n} prompts ({len(res.meta['datasets'])} datasets x "
          f"{len(res.meta['seeds'])} seeds = {n} splits), n_jobs={args.n_jobs}: {out['all']:.1f} s (target < 180 s)")
    for fam in ("knn", "mlp", "svm"):
        t0 = time.perf_counter()
        run_protocol(rd, registry_specs([fam]), X, args.seeds, n_jobs=args.n_jobs, cache=False, progress=False)
        out[fam] = time.perf_counter() - t0
        print(f"  {fam} alone: {out[fam]:.1f} s")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        full = load("sim", 0, args.scale)
        Xf = features_for("minilm", full.prompt)
        t0 = time.perf_counter()
        res = run_protocol(full, registry_specs(), Xf, args.seeds, n_jobs=args.n_jobs, cache=False, progress=False)
        out["leaderboard"] = time.perf_counter() - t0
        print(f"leaderboard protocol (notebook 09): {len(res.meta['routers'])} routers, {full.n} prompts, "
              f"{len(res.meta['seeds'])} seeds, n_jobs={args.n_jobs}: {out['leaderboard']:.1f} s (target < 300 s)")
        for fam in ("avengers_pro", "mf", "escalation", "escalation_random", "agreement", "cascade"):
            t0 = time.perf_counter()
            run_protocol(full, registry_specs([fam]), Xf, args.seeds, n_jobs=args.n_jobs, cache=False, progress=False)
            out[fam] = time.perf_counter() - t0
            print(f"  {fam} alone: {out[fam]:.1f} s")
    return out


if __name__ == "__main__":
    main()
