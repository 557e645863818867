"""Online routing benchmark (run by scripts/bench.py, or alone): every policy of
:func:`routerlib.online.default_policies` replayed over the simulated RouterBench at scale 1
(about 35k prompts, 11 models), 5 stream orders and 10 values of lambda, with the embeddings
computed (and cached) before the clock starts. Target: under 90 s in all on 2 cores.

    python scripts/bench_online.py [--scale 1.0] [--embedder minilm-static] [--components 24]
"""

from __future__ import annotations

import argparse
import time
import warnings


def main(argv=None):
    from routerlib.data import load
    from routerlib.embed import features_for
    from routerlib.online import default_policies, lambda_grid, make_stream, replay

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--embedder", default="minilm-static")
    ap.add_argument("--components", type=int, default=24)
    args = ap.parse_args([] if argv is None else argv)
    rd = load("sim", scale=args.scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        E = features_for(args.embedder, rd.prompt)
        if hasattr(E, "fit"):
            E = E.fit(rd.prompt).transform(rd.prompt)
    stream = make_stream(rd, E, seeds=(0, 1, 2, 3, 4), n_components=args.components)
    lam = lambda_grid(rd.quality, rd.cost, 10)
    total = 0.0
    for name, policy in default_policies().items():
        t0 = time.perf_counter()
        replay(policy, stream, lam)
        dt = time.perf_counter() - t0
        total += dt
        print(f"  {name:28s} {dt:6.1f} s  ({dt / stream.T * 1e6:5.0f} us per step, {stream.S} orders x {lam.size} lambdas)")
    print(f"online replay: {stream.T} steps x {stream.m} models x {len(default_policies())} policies x {stream.S} orders "
          f"x {lam.size} lambdas, d = {stream.d}: {total:.1f} s (target < 90 s)")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
