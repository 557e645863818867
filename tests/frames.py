"""Small synthetic benchmark frames shared by the data tests (no real rows)."""

import numpy as np
import pandas as pd

MODELS = ["gpt-4-1106-preview", "mistralai/mistral-7b-chat", "claude-v2"]
EVALS = ["mmlu-astronomy", "grade-school-math", "mtbench", "hellaswag"]


def wide(n=12, seed=0, evals=EVALS) -> pd.DataFrame:
    """A wide-format frame of ``n`` prompts cycling over ``evals``, 3 models, 0/1 quality, small costs."""
    rng = np.random.default_rng(seed)
    ev = np.array(evals)[np.arange(n) % len(evals)]
    df = pd.DataFrame({
        "sample_id": [f"{e}.test.{i}" for i, e in enumerate(ev)],
        "prompt": [f"question {i}" for i in range(n)],
        "eval_name": ev,
    })
    for m in MODELS:
        df[m] = rng.integers(0, 2, n).astype(float)
        df[f"{m}|model_response"] = "answer"
        df[f"{m}|total_cost"] = rng.random(n) / 1000
    return df
