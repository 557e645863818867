"""Online routing: RouterBench replayed as a stream with bandit feedback.

A router deployed online sees one prompt at a time, calls one model, and learns only that model's
outcome. RouterBench's table holds every model's outcome on every prompt, so the replay is exact.

* :mod:`.stream` -- :func:`make_stream` (seeded orders of one dataset's prompts or of all datasets
  mixed, projected embeddings), :func:`replay` (one policy over every order and lambda at once),
  :func:`resume` (a replay from a state kept midway, for streams that share their first steps),
  :func:`lambda_grid`, the checks of bad input
* :mod:`.policies` -- uniform random, epsilon-greedy, UCB1, Beta Thompson sampling, LinUCB, linear
  Thompson sampling; each also as a full-information learner
* :mod:`.metrics` -- cumulative means, regret against the best fixed model and the Oracle, AIQ over
  the last 30%, intervals over orders (paired where two systems share an order)
* :mod:`.scenarios` -- a model that arrives midway, a price that drops midway, adoption lags
* :mod:`.study` -- the offline references (registry routers trained on the first 70% and frozen),
  learning curves, the AIQ table and the scenario tables of notebook 13

It imports from the layers below it only (data through the stream, hull, metrics, routers, seeds).
"""

from .metrics import (
    best_fixed_model,
    cumulative_mean,
    cumulative_regret,
    oracle_reward,
    paired_interval,
    reward,
    stream_aiq,
    window_points,
    window_share,
)
from .policies import UCB1, BetaThompson, EpsilonGreedy, LinearThompson, LinUCB, Policy, UniformRandom, default_policies
from .scenarios import adoption_lag, arrival, price_drop
from .stream import (
    Checkpoint,
    PolicyError,
    Stream,
    Trace,
    check_lambdas,
    lambda_grid,
    make_stream,
    project_features,
    replay,
    resume,
)
from .study import aiq_table, learning_curves, offline_points, run_policies, scenario_tables

__all__ = ["Stream", "Trace", "PolicyError", "make_stream", "project_features", "check_lambdas", "lambda_grid",
           "replay", "resume", "Checkpoint", "Policy", "UniformRandom", "EpsilonGreedy", "UCB1", "BetaThompson", "LinUCB", "LinearThompson",
           "default_policies", "reward", "cumulative_mean", "cumulative_regret", "best_fixed_model", "oracle_reward",
           "window_points", "stream_aiq", "paired_interval", "window_share", "arrival", "price_drop", "adoption_lag",
           "offline_points", "run_policies", "learning_curves", "aiq_table", "scenario_tables"]
