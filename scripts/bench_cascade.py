"""Timings of the cascade sweep (Figures 5 and 8) against a row-by-row reference.

    .venv/bin/python scripts/bench_cascade.py [--scale 1.0] [--seed 0]

Prints: the cascade study (8 error rates x 20 caps, both variants) over the six datasets of
Figures 5 and 8 on the 30% test split; the vectorised sweep of one fitted cascade over 20 caps on
every prompt of the simulated benchmark; then the row-by-row reference (``cascade_reference``)
on one error rate, checked equal to the sweep, with its time extrapolated to every error rate.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from routerlib.data import load
from routerlib.evaluate import evaluate_cascade, sweep
from routerlib.routers.cascade import ERROR_RATES, CascadeRouter, cascade_reference, judge_draws

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
    t, st = _best_of(lambda: evaluate_cascade(data, FIG_DATASETS, seed=args.seed))
    print(f"cascade study on the test split ({test.n} prompts): {n_e} error rates x 20 caps x 2 variants x "
          f"{len(st.datasets)} datasets: {t:.3f} s ({len(st.sweep)} points, AIQ tables included)")
    router = CascadeRouter(error_rate=0.2, seed=args.seed).fit(data)
    t, df = _best_of(lambda: sweep(router, data))
    print(f"one cascade over 20 caps on every prompt ({data.n}): {t:.3f} s")

    # row-by-row reference on one error rate, every cap, every dataset of the test split
    e = 0.2
    t_ref, t_vec, n_casc = 0.0, 0.0, 0
    for d in test.datasets:
        part, r = test.subset(d), CascadeRouter(error_rate=e, seed=args.seed).fit(train.subset(d))
        order, thr = r.order_[d], r.threshold_[d]
        flips = judge_draws(part, args.seed) < e
        grid = r.knob_grid(20, d)
        dt, s = _best_of(lambda: sweep(r, part, values=grid), repeat=1)
        t_vec += dt
        for k, T in enumerate(grid):
            t0 = time.perf_counter()
            rc, rq, _ = cascade_reference(part.quality, part.cost, order, thr, flips, T, "total")
            t_ref += time.perf_counter() - t0
            n_casc += part.n
            assert np.isclose(rc.sum(), s.cost.iloc[k], rtol=1e-12, atol=0) and np.isclose(rq.mean(), s.quality.iloc[k])
    print(f"row-by-row reference, error rate {e}, 20 caps, test split: {t_ref:.2f} s for {n_casc} cascades "
          f"(equal to the sweep); the vectorised sweep of the same: {t_vec:.3f} s -> {t_ref / t_vec:.0f}x; "
          f"the reference would take about {t_ref * n_e:.0f} s for all {n_e} error rates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
