"""Routers: one module per family, one registry by name.

| name | class | module | paper |
|---|---|---|---|
| knn | KNNRouter | predictive | section 5.1, Appendix B (cosine, k = 5/10/40) |
| mlp | MLPRouter | predictive | section 5.1, Appendix B (ReLU, (100,) / (100, 100), lr 0.001) |
| svm | SVMRouter | predictive | public code (`routers/svm_router.py`, LinearSVR per model) |
| random_score | RandomScoreRouter | control | ours: the KNN sweep with random neighbours (the hindsight-bias control) |
| oracle | OracleRouter | baselines | section 4 (best quality, cheapest among ties) |
| random | RandomRouter | baselines | baseline |
| best_single | BestSingleRouter | baselines | baseline |
| cascade | CascadeRouter | cascade | section 5.2 (judge with error rate, cost cap T; paper and public variants) |
| overgenerate | OvergenerateRouter | cascade | section 5.2 (overgenerate-and-rerank) |

The Zero router is a hull, not a per-prompt router: ``baselines.zero_router_points``.
Each family's ``knob`` (the argument a sweep varies): ``willingness_to_pay`` for knn, mlp, svm and
random_score; ``cap`` for cascade; none (one point) for oracle, random, best_single, overgenerate.
"""

from .base import Router
from .baselines import BestSingleRouter, OracleRouter, RandomRouter, zero_router_hull, zero_router_points
from .cascade import CascadeRouter, OvergenerateRouter
from .control import RandomScoreRouter
from .predictive import KNNRouter, MLPRouter, SVMRouter

ROUTERS: dict[str, type] = {
    "knn": KNNRouter,
    "mlp": MLPRouter,
    "svm": SVMRouter,
    "random_score": RandomScoreRouter,
    "oracle": OracleRouter,
    "random": RandomRouter,
    "best_single": BestSingleRouter,
    "cascade": CascadeRouter,
    "overgenerate": OvergenerateRouter,
}

__all__ = [
    "Router",
    "ROUTERS",
    "KNNRouter",
    "MLPRouter",
    "SVMRouter",
    "RandomScoreRouter",
    "OracleRouter",
    "RandomRouter",
    "BestSingleRouter",
    "zero_router_points",
    "zero_router_hull",
    "CascadeRouter",
    "OvergenerateRouter",
]
