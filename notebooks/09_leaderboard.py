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
#     embeds: [data]
# ---

# %% [markdown]
# # Leaderboard: every router over seeds, with confidence intervals (beyond the paper)
#
# > We present ROUTERBENCH [...] to assess the efficacy of LLM routing systems. (paper, abstract)
#
# > It evaluates 10 routing baselines using 70/30 train/test splits with 5 random seeds,
# > comparing against Random Router, Best Single, and Oracle baselines. (the follow-up,
# > LLMRouterBench, `shared/paper/llmrouterbench-summary.txt`)
#
# The paper scores each router on one split with the hull of its sweep on that same split. This
# notebook scores every router of the registry (`routerlib.routers.ROUTERS`: the paper's KNN, MLP
# and SVM, the random-score control, Oracle, Random, Best Single, the cascade with a judge of error
# rate 0.2, overgenerate-and-rerank; beyond the paper, Avengers-Pro, matrix factorisation,
# escalation along the Zero hull with its random-score control, and the cascade whose judge is the
# agreement of the models' answers, which skips MBPP and MT-Bench: no answer to extract) and the
# Zero router on every dataset over the seeds of `seeds`
# (default 0-4), with the protocol of `routerlib.protocol`: a 70/30 split per seed, selection on
# an inner split of the training part, and AIQ three ways (the paper's convention, the public
# code's, and **held-out**: the configurations on the validation hull, scored on the test split
# with no hindsight). Statistics: means with 95% confidence intervals over seeds, corrected for
# overlapping splits (`routerlib.metrics.stats`), and the paired difference to the Zero router
# with a verdict: above, within noise, below. The follow-up's metrics (AvgAcc, Gain@R, Gain@B,
# Gap@O, PerfGain, CostSave, ParetoDist, model recall; APGR and CPT for two models) are defined
# in `routerlib.metrics.followup`.
#
# Outputs: `leaderboard.csv` (long format: dataset, router, metric, mean, std, ci_low, ci_high,
# n_seeds, ...; dataset `all` holds the readings over datasets), `leaderboard.png` (a forest
# plot of the difference to the Zero router), `controls.csv` (each router against its
# random-score control) and `judge_error.csv` (the agreement judge's measured error). On the
# default data the numbers are SIMULATED.

# %%
import pandas as pd

from routerlib.claims import against_controls, agreement_judge, mark_not_run
from routerlib.data import load
from routerlib.embed import embedder_name, features_for
from routerlib.metrics import ci_table
from routerlib.paths import figures_dir
from routerlib.plots import draw, write_csv
from routerlib.protocol import parse_seeds, registry_specs, run_protocol

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0
seeds: str = "0,1,2,3,4"
embedder: str = "minilm"

# %%
rd, out_dir = load(data, seed=seed, scale=scale), figures_dir(data, scale)
print(rd, "|", rd.label)
res = run_protocol(rd, registry_specs(), features_for(embedder, rd.prompt), parse_seeds(seeds), n_jobs=-1)
lb = res.leaderboard()
# a (router, dataset) pair the protocol left out is a row "not run here" with its reason
marked = mark_not_run(lb, res, res.meta["routers"])
write_csv(marked, out_dir / "leaderboard.csv", rd.provenance(seed, embedder_name(embedder)) | {"seeds": seeds})
draw("leaderboard", out_dir)
print("left out by the protocol (not run here):", res.meta.get("refused", {}) or "none")

# %% [markdown]
# The verdicts: a router is *above* (or *below*) the Zero router on a dataset only when the 95%
# interval over seeds of its paired AIQ difference excludes 0; hindsight (the paper's hull on
# the test split) first, then held-out. The random-score control shows how much a sweep gains
# from hindsight alone.

# %%
pd.set_option("display.width", 250)
pd.set_option("display.max_columns", 30)
for metric in ("aiq_minus_zero", "aiq_heldout_minus_zero"):
    print(f"\n{metric}:\n", ci_table(lb[lb.metric == metric]).to_string())

# %% [markdown]
# Against the controls: a sweep over a knob gains from hindsight even with scores that know
# nothing of the prompt. Each router's AIQ-minus-Zero against its control's (escalation against
# the same policy on random scores; every other router against the random-score KNN sweep),
# paired by seed: a router is better than chance only where this interval excludes 0.

# %%
ctl = against_controls(res)
write_csv(ctl, out_dir / "controls.csv", rd.provenance(seed, embedder_name(embedder)) | {"seeds": seeds})
for metric in dict.fromkeys(ctl.metric):
    print(f"\n{metric}:\n", ci_table(ctl[ctl.metric == metric]).to_string())

# %% [markdown]
# The paper's cascade (Figures 5 and 8) assumes a judge that errs with probability epsilon and
# leaves open whether a real one is good enough. The agreement cascade's judge is real; its error
# on the test split (share of wrong verdicts: an accepted wrong answer or a rejected right one),
# in each split's best efficient configuration that judges, places it on the paper's curves.

# %%
judge_seeds, judge = agreement_judge(rd, seeds)
write_csv(judge, out_dir / "judge_error.csv", rd.provenance(seed) | {"seeds": seeds})
print(judge.round(3).to_string(index=False) if len(judge) else "no dataset with extractable answers")

# %% [markdown]
# The follow-up's metrics over datasets (mean over seeds with the 95% interval): AvgAcc (macro and
# pooled), Gain@R, Gain@B and Gap@O in both readings (ratio of averages, mean of ratios), and per
# dataset the cost-setting metrics (PerfGain, CostSave, ParetoDist) and the accuracy on the hard
# prompts (1-3 models right: model recall).

# %%
overall = lb[lb.dataset == "all"]
print(overall.pivot(index="router", columns="metric", values="mean").round(3).to_string())
per_dataset = lb[lb.metric.isin(["acc", "acc_hard", "perf_gain", "cost_save", "pareto_dist"]) & (lb.dataset != "all")]
print(per_dataset.pivot_table(index=["dataset", "router"], columns="metric", values="mean").round(3).to_string())
print("prompts per test split: hard (1-3 models right) and none right, mean over seeds:",
      res.refs.groupby("dataset")[["n_test", "n_hard", "n_none"]].mean().round(1).to_dict("index"))

# %%
# NBVAL_CHECK_OUTPUT
# asserts: the Oracle's Gap@O is 0; the Best Single's Gain@B is 0 on the split where it was chosen;
# nothing beats the Oracle; the held-out AIQ never exceeds the hindsight AIQ; at most one value per
# seed; every router of the run has readings or is marked not run, on every dataset
ps = res.per_seed()
assert ps[(ps.router == "oracle") & (ps.metric == "gap_o")].value.abs().max() < 1e-12
assert ps[(ps.router == "best_single") & (ps.metric == "gain_b")].value.abs().max() < 1e-12
assert (ps[ps.metric == "gap_o"].value > -1e-12).all()
assert (res.aiq.aiq_heldout <= res.aiq.aiq + 1e-9).all()
assert (lb.n_seeds <= len(res.meta["seeds"])).all()
shown = set(zip(marked.dataset, marked.router))
assert all((d, r) in shown for d in res.meta["datasets"] for r in res.meta["routers"])
v = lb[(lb.metric == "aiq_heldout_minus_zero") & (lb.dataset == "all")].set_index("router")
print(rd.label, "| seeds:", res.meta["seeds"], "| skipped:", res.meta["skipped"])
print("held-out AIQ - Zero over datasets:", v["mean"].round(3).to_dict())
print("verdicts:", v.verdict.to_dict())
assert judge.empty or judge.error_rate.between(0, 1).all()
print("agreement judge error rate:", judge.set_index("dataset").error_rate.round(3).to_dict() if len(judge) else {})
