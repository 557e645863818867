"""Measure how learnable the simulated benchmark is for a few (v, w) settings.

For each ``v,w`` given on the command line: simulate at scale 1 (seed 0) with
``visible_share=v`` and ``specialty_weight=w``, run the paper's best KNN and MLP
(Figure 4 protocol, no selection) on MiniLM embeddings (cached), and print each router's AIQ
gain over the Zero router per dataset. The prompt texts do not depend on v and w, so the
embeddings are computed once.

    python scripts/calibrate_learnability.py 0.2,0.05 0.5,0.3
"""

from __future__ import annotations

import sys
import warnings

from routerlib.data.simulate import SPECIALTY_WEIGHT, VISIBLE_SHARE, simulate_routerbench
from routerlib.embed import embed
from routerlib.evaluate import evaluate_predictive, paper_specs
from routerlib.metrics import aiq_wide


def main(argv: list[str]) -> None:
    settings = [tuple(float(x) for x in a.split(",")) for a in argv] or [(VISIBLE_SHARE, SPECIALTY_WEIGHT)]
    X = None
    for v, w in settings:
        rd = simulate_routerbench(seed=0, scale=1.0, visible_share=v, specialty_weight=w).subset(exclude="mt-bench")
        if X is None:
            X = embed(rd.prompt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = evaluate_predictive(rd, X, paper_specs(("knn", "mlp"), select=False), seed=0, select=False)
        wide = aiq_wide(res.aiq)
        gain = wide.sub(wide["zero"], axis=0).drop(columns=["zero"])
        print(f"v={v} w={w}: AIQ gain over the Zero router (paper convention)")
        print(gain.round(3).to_string(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
