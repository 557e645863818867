"""Timings of the cascade sweep (Figures 5 and 8) against a row-by-row reference.

    .venv/bin/python scripts/bench_cascade.py [--scale 1.0] [--seed 0]

Prints: the vectorised sweep (8 error rates x 20 caps, and x the public 11 caps) over the
six datasets of Figures 5 and 8, on the 30% test split and on every prompt of the simulated
benchmark; then the row-by-row reference (``cascade_reference``) on one error rate, checked
equal to the sweep, with its time extrapolated to the whole sweep.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from routerlib.data import load
from routerlib.routers.cascade import (
    ERROR_RATES,
    CascadeRouter,
    cascade_caps,
    cascade_reference,
    cascade_sweep,
    judge_draws,
)

FIG_DATASETS = ["mmlu", "mbpp", "gsm8k", "arc-challenge", "mt-bench", "hellaswag"]


def _best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    data = load("sim", seed=args.seed, scale=args.scale)
    data = data.subset([d for d in FIG_DATASETS if d in data.datasets])
    train, test = data.split(args.seed)
    print(f"data: {data.label}, {data.n} prompts x {data.m} models, {len(data.datasets)} datasets "
          f"(test split {test.n}); loaded in {time.perf_counter() - t0:.2f} s")

    n_e = len(ERROR_RATES)
    for label, tr, te in (("test split", train, test), ("every prompt", data, data)):
        for caps, k in ((None, 20), ("public", 11)):
            for variant in ("paper", "public"):
                t, df = _best_of(lambda: cascade_sweep(tr, te, ERROR_RATES, caps=caps, variant=variant,
                                                       seed=args.seed))
                print(f"sweep on {label:12s} ({te.n:6d} prompts), {n_e} error rates x {k:2d} caps x "
                      f"{te.datasets.__len__()} datasets, {variant:6s} variant: {t:6.3f} s  ({len(df)} points)")

    # row-by-row reference on one error rate, every cap, every dataset of the test split
    e = 0.2
    router = CascadeRouter(error_rate=e, seed=args.seed).fit(train)
    df = cascade_sweep(train, test, [e], seed=args.seed)
    t_ref, n_casc = 0.0, 0
    for d in test.datasets:
        part = test.subset(d)
        order, thr = router.order_[d], router.threshold_[d]
        flips = judge_draws(part, args.seed) < e
        grid = cascade_caps(part, 20, order)
        for k, T in enumerate(grid):
            t0 = time.perf_counter()
            rc, rq, _ = cascade_reference(part.quality, part.cost, order, thr, flips, T, "total")
            t_ref += time.perf_counter() - t0
            n_casc += part.n
            row = df[df.dataset == d].iloc[k]
            assert np.isclose(rc.sum(), row.cost, rtol=1e-12, atol=0) and np.isclose(rq.mean(), row.quality)
    t_vec, _ = _best_of(lambda: cascade_sweep(train, test, [e], seed=args.seed))
    print(f"row-by-row reference, error rate {e}, 20 caps, test split: {t_ref:.2f} s for {n_casc} cascades "
          f"(equal to the sweep); the vectorised sweep of the same: {t_vec:.3f} s -> {t_ref / t_vec:.0f}x; "
          f"the reference would take about {t_ref * n_e:.0f} s for all {n_e} error rates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
