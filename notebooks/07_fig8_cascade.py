# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Figure 8 (Appendix D): cascading routers on ARC-Challenge, MT-Bench and HellaSwag
#
# > Total Cost vs Performance for eleven models and cascading routers on ARC-Challenge,
# > MT-Bench, and HellaSwag. Different error rates are tested, and the AIQ value is computed for
# > Zero Router and zero error rate cascading router. The solid lines represent non-decreasing
# > convex hull and the dotted line represents points with increasing maximum cost parameter.
# > (paper, Figure 8)
#
# The same construction as notebook 06 (Figure 5), on the other three datasets, with the same
# code (`routerlib.figures_cascade`). The judge knows each answer's true score and inverts its
# verdict with probability `error_rate`; the models are called from the cheapest up; `T` caps
# each query's total cost.
#
# **What matches the paper:** the eleven models, the error rates 0 ... 0.8, a dotted curve per
# error rate over increasing `T` with its NDCH (solid), the Zero router and the Oracle, AIQ of
# the Zero router and of the zero-error cascade in the legend.
#
# **What differs, and why** (details in notebook 06 and `routerlib.routers.cascade`):
# * measured on the 30% test split of `data.split(seed)`, one AIQ domain per dataset, both AIQ
#   conventions reported;
# * top row: the paper's text (`variant="paper"`: hard cap `T` on the total, a query whose first
#   model costs more than `T` gets no answer); bottom row: the public code's behaviour (first
#   model always called, strict cap, threshold = 0.95 quantile of the scores); judge errors
#   seeded; models ordered by mean training cost; caps on a log grid over the data's own
#   per-query costs;
# * MT-Bench scores are graded (tenths), not binary: the paper-variant judge accepts only the
#   best score reached on the training split, and with a wrong answer everywhere the cascade
#   keeps the last model's answer, so its zero-error curve need not reach the Oracle exactly;
#   the public variant's threshold is the 0.95 quantile. MT-Bench has only 80 prompts, so its
#   30% test split holds 24 (the paper leaves MT-Bench out of its predictive experiments for
#   that reason, but shows it here);
# * on the default data the numbers are SIMULATED (calibrated to Table 1); the real rows hold
#   ARC-Challenge only of this figure's datasets (MT-Bench and HellaSwag are skipped with a note).
#
# This notebook and notebook 06 both write `cascade_aiq.csv` (rows tagged `fig8` and `fig5`),
# each replacing only its own rows, so either can run alone.

# %%
import warnings

import matplotlib.pyplot as plt
import pandas as pd

from routerlib.data import load
from routerlib.figures_cascade import (aiq_wide, cascade_figure, cascade_study, check_invariants, merge_aiq_csv,
                                      paper_checks)
from routerlib.paths import figures_dir
from routerlib.plots import savefig
from routerlib.routers.cascade import ERROR_RATES

pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 20)

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0

# %%
DATASETS = ["arc-challenge", "mt-bench", "hellaswag"]
FIGURE, NAME = "fig8", "fig8_cascade"
out_dir = figures_dir(data)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the real rows: 28 rows with a missing score are dropped
    rd = load(data, seed=seed, scale=scale)
study = cascade_study(rd, DATASETS, seed=seed, error_rates=ERROR_RATES)
for d in study.skipped:
    print(f"note: {d} is not in this data ({rd.name}); its panel is skipped")
print(rd.label, "| datasets shown:", study.datasets)

# %%
fig = cascade_figure(study, f"Figure 8: cascading routers ({', '.join(study.datasets) or 'no dataset present'})")
savefig(fig, out_dir / f"{NAME}.png", study.table())
merged = merge_aiq_csv(out_dir / "cascade_aiq.csv", study.aiq, FIGURE,
                       extra={"data": rd.label, "seed": seed, "scale": scale})
plt.show()

# %% [markdown]
# AIQ per error rate on each dataset's shared domain, the paper's convention, then the public
# code's (area from the system's own cheapest point, divided by the largest cost):

# %%
if study.datasets:
    print(aiq_wide(study).round(3).to_string())
    print()
    print(aiq_wide(study, "aiq_public").round(3).to_string())

# %% [markdown]
# The paper's statements (section 5.3), measured on this data (paper variant): the zero-error
# cascade reaches the Oracle's quality as `T` grows; it beats the Zero router "by a significant
# margin" (taken here as more than 0.05 AIQ) up to error rate 0.1; past 0.2 it "deteriorates
# rapidly" (every cascade above 0.2 has a lower AIQ than the Zero router).

# %%
checks = paper_checks(study) if study.datasets else pd.DataFrame()
if len(checks):
    print(checks.set_index("dataset").T.to_string(float_format=lambda x: f"{x:.3f}"))

# %%
# NBVAL_CHECK_OUTPUT
# asserts: Oracle >= every model; AIQs in [0, 1]; on binary scores the zero-error cascade ends
# exactly at the Oracle's quality; error rate 0 does not depend on the seed
for line in check_invariants(study, rd, seed):
    print(line)
if study.datasets:
    best = study.aiq[study.aiq.system == "cascade"].groupby("dataset").aiq.max()
    print("best cascade AIQ per dataset:", best.round(3).to_dict(), "(paper: about 0.90)")
assert set(merged[merged.figure == FIGURE].dataset) == set(study.datasets)
print("skipped:", study.skipped)
