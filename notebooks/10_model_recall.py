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
#     after: [09_leaderboard]
# ---

# %% [markdown]
# # Model recall: routers on the prompts only a few models get right (beyond the paper)
#
# > A significant performance gap exists between current routers and Oracle, primarily due to
# > model-recall failures on hard queries where only 1-3 models answer correctly (~12% of test
# > set). [...] routers achieve 23-25% accuracy vs. near-ceiling on easier queries. (the
# > follow-up, LLMRouterBench, `shared/paper/llmrouterbench-summary.txt`)
#
# Per dataset and seed (the protocol of notebook 09, `routerlib.protocol`), each router's
# accuracy at its performance configuration (the knob value of best validation accuracy) on all
# test prompts and on the **hard** ones, where at least 1 and at most 3 of the eleven models are
# right; prompts no model solves are counted apart (no router can answer them). Beside the
# routers: GPT-4 alone, the Best Single model (chosen on training) and the Oracle (perfect
# predictions: 1 on the hard prompts by definition). Means over seeds with 95% intervals
# (`routerlib.claims.model_recall`). On the default data the numbers are SIMULATED.

# %%
from routerlib.claims import mark_not_run, model_recall, recall_claims
from routerlib.data import load
from routerlib.embed import embedder_name, features_for
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
routers = [r for r in registry_specs() if r.name not in ("random", "overgenerate", "oracle")]
res = run_protocol(rd, routers, features_for(embedder, rd.prompt), parse_seeds(seeds), n_jobs=-1)
recall = model_recall(res)
claims = recall_claims(res)
provenance = rd.provenance(seed, embedder_name(embedder)) | {"seeds": seeds}
write_csv(mark_not_run(recall, res, [r.name for r in routers]), out_dir / "model_recall.csv", provenance)
write_csv(claims, out_dir / "model_recall_claims.csv", provenance)
draw("model_recall", out_dir)

# %%
show = recall.assign(hard=recall.acc_hard.map("{:.3f}".format) + " [" + recall.acc_hard_ci_low.map("{:.3f}".format)
                     + ", " + recall.acc_hard_ci_high.map("{:.3f}".format) + "]", all=recall.acc.map("{:.3f}".format))
print(show.pivot(index="router", columns="dataset", values="hard").to_string())
print(show.groupby("dataset")[["share_hard", "share_none"]].first().round(3).to_string())
print("left out by the protocol (not run here):", res.meta.get("refused", {}) or "none")

# %% [markdown]
# The follow-up's statement, measured: each learned router is less accurate on the hard prompts
# than on all prompts. Per seed the paired difference (hard minus all); it *holds* where the 95%
# interval over seeds lies below 0, *does not hold* where it lies above, else *within noise*
# (`routerlib.claims.recall_claims`, saved as `model_recall_claims.csv`).

# %%
print(claims.round(3).to_string(index=False))

# %%
# NBVAL_CHECK_OUTPUT
# asserts: the Oracle's point is 1 on the hard prompts (someone is right there by definition);
# every accuracy lies in [0, 1]. Whether the routers do worse on the hard prompts is measured
# (the verdicts above), not asserted.
oracle = recall[recall.router == "oracle (analytic)"]
assert (oracle.acc_hard.dropna() > 1 - 1e-12).all()
acc = recall[["acc", "acc_hard"]]
assert (acc.isna() | ((acc >= 0) & (acc <= 1))).all().all()  # NaN: a split without hard prompts
assert set(claims.verdict) <= {"holds", "within noise", "does not hold", "n/a", "not run here"}
print("less accurate on the hard prompts:", claims.groupby("verdict").size().to_dict())
gap = recall[recall.router.isin(["knn", "mlp", "svm"])].groupby("router")[["acc", "acc_hard"]].mean()
print("mean over datasets, accuracy on all / hard prompts:", gap.round(3).to_dict("index"))
