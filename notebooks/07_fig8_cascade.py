# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: routerlib
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   routerlib:
#     embeds: []
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
# code (`routerlib.evaluate.evaluate_cascade`, `routerlib.plots.figures.cascade_figure`). The
# judge knows each answer's true score and inverts its
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
#   seeded; models ordered by mean training cost; caps on a log grid over the training
#   split's per-query costs;
# * MT-Bench scores are graded (tenths), not binary: the paper-variant judge accepts only the
#   best score reached on the training split, and with a wrong answer everywhere the cascade
#   keeps the last model's answer, so its zero-error curve need not reach the Oracle exactly;
#   the public variant's threshold is the 0.95 quantile. MT-Bench has only 80 prompts, so its
#   30% test split holds 24 (the paper leaves MT-Bench out of its predictive experiments for
#   that reason, but shows it here);
# * on the default data the numbers are SIMULATED (calibrated to Table 1); the real rows hold
#   ARC-Challenge only of this figure's datasets (MT-Bench and HellaSwag are skipped with a note).

# %%
from routerlib.claims import cascade_claims, cascade_claims_ci, cascade_oracle_gaps, cascade_report, check_cascade
from routerlib.data import load
from routerlib.evaluate import evaluate_cascade
from routerlib.paths import figures_dir
from routerlib.plots import draw, write_tables
from routerlib.protocol import cascade_over_seeds

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0
seeds: str = "0,1,2,3,4"
embedder: str = "minilm"

# %%
rd, out_dir = load(data, seed=seed, scale=scale), figures_dir(data, scale)
print(rd.label)
study = evaluate_cascade(rd, ["arc-challenge", "mt-bench", "hellaswag"], seed=seed)
per_seed = cascade_over_seeds(rd, study.datasets, seeds)
margins, verdicts = cascade_claims_ci(per_seed, gaps=cascade_oracle_gaps(rd, study.datasets, seeds))
tables = study.tables("fig8")
tables["fig8_aiq_ci"], tables["fig8_claims"] = margins, verdicts
write_tables(tables, out_dir, rd.provenance(seed) | {"seeds": seeds})
draw("fig8_cascade", out_dir, seed=seed, skipped=study.skipped, title="Figure 8 (Appendix D): cascading routers")

# %% [markdown]
# AIQ per error rate on each dataset's shared domain, the paper's convention, then the public
# code's (area from the system's own cheapest point, divided by the largest cost):
#
# The paper's statements (section 5.3), measured on this data (paper variant): the zero-error
# cascade reaches the Oracle's quality as `T` grows (taken here as within 0.02 of it); it beats
# the Zero router "by a significant margin" (taken here as more than 0.05 AIQ) up to error rate
# 0.1; past 0.2 it "deteriorates rapidly" (every cascade above 0.2 has a lower AIQ than the Zero
# router). Each is reported as *holds*, *within noise* or *does not hold* from its 95% interval
# over the seeds (`routerlib.claims.cascade_claims_ci`) and saved in `fig8_claims.csv`; none is
# asserted.

# %%
print(cascade_report(study))
for name, table in (("verdicts over the seeds (95% CI of the paired cascade - Zero AIQ)", verdicts),
                    ("the paired differences per error rate", margins.round(3))):
    print(f"\n{name}:\n{table.to_string(index=False)}")

# %%
# NBVAL_CHECK_OUTPUT
# asserts: Oracle >= every model; AIQs in [0, 1]; on binary scores the zero-error cascade ends
# exactly at the Oracle's quality; error rate 0 does not depend on the seed. MT-Bench is graded:
# there the zero-error cascade need not reach the Oracle (it keeps the last answer when none is perfect).
# The paper's statements are measured (the verdicts above and in fig8_claims.csv), not asserted.
assert not set(study.skipped) & set(rd.datasets)
assert set(verdicts.dataset) == set(study.datasets)
for line in check_cascade(study, rd, seed):
    print(line)
if "mt-bench" in study.datasets:
    mt = cascade_claims(study).set_index("dataset").loc["mt-bench"]
    print(f"mt-bench (graded): the zero-error cascade tops at {mt.top_quality_e0:.3f}, the Oracle at {mt.oracle:.3f}")
