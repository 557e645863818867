"""Measure how learnable the simulated benchmark is for a few (v, w) settings.

For each ``v,w`` given on the command line: simulate at scale 1 (seed 0) with
``VISIBLE_SHARE = v`` and ``SPECIALTY_WEIGHT = w``, run the paper's best KNN and MLP
(Figure 4 protocol, no selection) on MiniLM embeddings (cached), and print each router's AIQ
gain over the Zero router per dataset. The prompt texts do not depend on v and w, so the
embeddings are computed once.

    python scripts/calibrate_learnability.py 0.2,0.05 0.5,0.3
"""

from __future__ import annotations

import sys
import warnings

import routerlib.simulate as S
from routerlib.embed import embed
from routerlib.evaluate import evaluate_predictive
from routerlib.metrics import aiq_wide


def main(argv: list[str]) -> None:
    settings = [tuple(float(x) for x in a.split(",")) for a in argv] or [(S.VISIBLE_SHARE, S.SPECIALTY_WEIGHT)]
    X = None
    for v, w in settings:
        S.VISIBLE_SHARE, S.SPECIALTY_WEIGHT = v, w
        rd = S.simulate_routerbench(seed=0, scale=1.0).subset(exclude="mt-bench")
        if X is None:
            X = embed(rd.prompt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = evaluate_predictive(rd, X, routers=("knn", "mlp"), seed=0, select=False)
        wide = aiq_wide(res.aiq)
        gain = wide.sub(wide["zero"], axis=0).drop(columns=["zero"])
        print(f"v={v} w={w}: AIQ gain over the Zero router (paper convention)")
        print(gain.round(3).to_string(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
