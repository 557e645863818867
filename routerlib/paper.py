"""Every number the paper (arXiv 2403.12031) prints that we compare with, and the one list of its
models and datasets.

* ``MODELS``: the 11 models (hub column names), in Table 1's order; ``DATASETS``: the 7 eval
  families, in Table 1's order. Every other module takes these lists from here.
* ``TABLE1``: Table 1, per model and dataset: (quality, total cost in USD over the 30% test split).
* ``PAPER_NAMES``: the paper's short model names; ``short_name`` looks one up.
* ``PAPER_AIQ``, ``PAPER_PREDICTIVE_VS_ZERO``: section 5.3's AIQ values and verdicts.
* ``PAPER_BEST``: the best router configurations of Appendix B.
"""

from __future__ import annotations

import pandas as pd

PAPER_NAMES = {
    'WizardLM/WizardLM-13B-V1.2': 'WizardLM 13B',
    'mistralai/mistral-7b-chat': 'Mistral 7B',
    'mistralai/mixtral-8x7b-chat': 'Mixtral 8x7B',
    'meta/code-llama-instruct-34b-chat': 'Code Llama 34B',
    'zero-one-ai/Yi-34B-Chat': 'Yi 34B',
    'gpt-3.5-turbo-1106': 'GPT-3.5',
    'claude-instant-v1': 'Claude Instant V1',
    'meta/llama-2-70b-chat': 'Llama 70B',
    'claude-v1': 'Claude V1',
    'claude-v2': 'Claude V2',
    'gpt-4-1106-preview': 'GPT-4',
    'oracle': 'Oracle',
}

# model -> dataset -> (performance, total_cost)
TABLE1 = {
    'WizardLM/WizardLM-13B-V1.2': {
        'mmlu': (0.568, 0.122),
        'mt-bench': (0.796, 0.006),
        'mbpp': (0.364, 0.011),
        'hellaswag': (0.636, 0.727),
        'winogrande': (0.512, 0.04),
        'gsm8k': (0.51, 0.354),
        'arc-challenge': (0.66, 0.068),
    },
    'mistralai/mistral-7b-chat': {
        'mmlu': (0.562, 0.081),
        'mt-bench': (0.779, 0.003),
        'mbpp': (0.349, 0.006),
        'hellaswag': (0.541, 0.485),
        'winogrande': (0.562, 0.027),
        'gsm8k': (0.409, 0.21),
        'arc-challenge': (0.642, 0.046),
    },
    'mistralai/mixtral-8x7b-chat': {
        'mmlu': (0.733, 0.245),
        'mt-bench': (0.921, 0.012),
        'mbpp': (0.573, 0.023),
        'hellaswag': (0.707, 1.455),
        'winogrande': (0.677, 0.081),
        'gsm8k': (0.515, 0.594),
        'arc-challenge': (0.844, 0.137),
    },
    'meta/code-llama-instruct-34b-chat': {
        'mmlu': (0.569, 0.317),
        'mt-bench': (0.796, 0.015),
        'mbpp': (0.465, 0.021),
        'hellaswag': (0.525, 1.882),
        'winogrande': (0.617, 0.104),
        'gsm8k': (0.462, 0.752),
        'arc-challenge': (0.644, 0.177),
    },
    'zero-one-ai/Yi-34B-Chat': {
        'mmlu': (0.743, 0.326),
        'mt-bench': (0.938, 0.018),
        'mbpp': (0.333, 0.031),
        'hellaswag': (0.931, 1.938),
        'winogrande': (0.748, 0.107),
        'gsm8k': (0.552, 0.867),
        'arc-challenge': (0.882, 0.182),
    },
    'gpt-3.5-turbo-1106': {
        'mmlu': (0.72, 0.408),
        'mt-bench': (0.908, 0.026),
        'mbpp': (0.651, 0.044),
        'hellaswag': (0.816, 2.426),
        'winogrande': (0.63, 0.134),
        'gsm8k': (0.601, 1.17),
        'arc-challenge': (0.855, 0.228),
    },
    'claude-instant-v1': {
        'mmlu': (0.384, 0.327),
        'mt-bench': (0.863, 0.03),
        'mbpp': (0.55, 0.064),
        'hellaswag': (0.801, 1.943),
        'winogrande': (0.512, 0.108),
        'gsm8k': (0.626, 1.3),
        'arc-challenge': (0.821, 0.183),
    },
    'meta/llama-2-70b-chat': {
        'mmlu': (0.647, 0.367),
        'mt-bench': (0.854, 0.022),
        'mbpp': (0.302, 0.039),
        'hellaswag': (0.736, 2.183),
        'winogrande': (0.504, 0.121),
        'gsm8k': (0.529, 0.87),
        'arc-challenge': (0.794, 0.205),
    },
    'claude-v1': {
        'mmlu': (0.475, 3.269),
        'mt-bench': (0.938, 0.361),
        'mbpp': (0.527, 0.607),
        'hellaswag': (0.841, 19.43),
        'winogrande': (0.57, 1.077),
        'gsm8k': (0.653, 11.09),
        'arc-challenge': (0.889, 1.829),
    },
    'claude-v2': {
        'mmlu': (0.619, 3.27),
        'mt-bench': (0.854, 0.277),
        'mbpp': (0.605, 0.77),
        'hellaswag': (0.421, 19.5),
        'winogrande': (0.446, 1.081),
        'gsm8k': (0.664, 13.49),
        'arc-challenge': (0.546, 1.833),
    },
    'gpt-4-1106-preview': {
        'mmlu': (0.828, 4.086),
        'mt-bench': (0.971, 0.721),
        'mbpp': (0.682, 1.235),
        'hellaswag': (0.923, 24.29),
        'winogrande': (0.858, 1.346),
        'gsm8k': (0.654, 19.08),
        'arc-challenge': (0.921, 2.286),
    },
    'oracle': {
        'mmlu': (0.957, 0.297),
        'mt-bench': (0.996, 0.052),
        'mbpp': (0.899, 0.041),
        'hellaswag': (0.994, 0.86),
        'winogrande': (1.0, 0.042),
        'gsm8k': (0.748, 1.282),
        'arc-challenge': (0.977, 0.091),
    },
}

MODELS = [m for m in TABLE1 if m != "oracle"]
# The seven eval families of the paper, in Table 1's order.
DATASETS = ["mmlu", "mt-bench", "mbpp", "hellaswag", "winogrande", "gsm8k", "arc-challenge"]

# Section 5.3 / Figure 4: AIQ averaged over the six datasets (all but MT-Bench).
PAPER_AIQ = {"knn": 0.773, "mlp": 0.769, "zero": 0.763}
# Section 5.3: where the predictive routers stand against the Zero router, per dataset.
PAPER_PREDICTIVE_VS_ZERO = {
    "mmlu": "above",
    "winogrande": "above",
    "hellaswag": "comparable",
    "gsm8k": "comparable",
    "arc-challenge": "below",
    "mbpp": "below",
}
# Appendix B: the hyperparameter grids of the predictive routers (SVM: the public code's defaults),
# and the best configurations the paper reports.
PAPER_GRIDS: dict[str, list[dict]] = {
    "knn": [{"n_neighbors": 5}, {"n_neighbors": 10}, {"n_neighbors": 40}],
    "mlp": [{"hidden_layer_sizes": (100,)}, {"hidden_layer_sizes": (100, 100)}],
    "svm": [{}],
}
PAPER_BEST: dict[str, dict] = {"knn": {"n_neighbors": 40}, "mlp": {"hidden_layer_sizes": (100, 100)}, "svm": {}}
# Table 1 costs are totals over the 30% test split.
TABLE1_TEST_SHARE = 0.3


def table1_frame() -> pd.DataFrame:
    """Table 1 as a long frame: model, paper_name, dataset, quality, total_cost."""
    rows = []
    for m, per in TABLE1.items():
        for d, (q, c) in per.items():
            rows.append((m, PAPER_NAMES.get(m, m), d, q, c))
    return pd.DataFrame(rows, columns=["model", "paper_name", "dataset", "quality", "total_cost"])


def short_name(model: str) -> str:
    """The paper's short name of a hub model id (or the id itself)."""
    return PAPER_NAMES.get(model, model)
