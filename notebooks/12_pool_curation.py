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
# # Model-pool curation: greedy against random pools (beyond the paper)
#
# > Carefully curated small model pools outperform large random ensembles, with diminishing
# > returns from adding more models. [...] future work should study model pool curation jointly
# > with routing. (the follow-up, LLMRouterBench, `shared/paper/llmrouterbench-summary.txt`)
#
# The paper routes among all eleven models. Which models are worth having? For every seed's
# 70/30 split and every pool size, a **greedy** pool is chosen on the training split (forward
# selection by the Oracle's accuracy there) and compared with **random** pools of the same size
# on the test split: the Oracle's accuracy (the ceiling a router could reach), the Zero router's
# AIQ and the KNN router's AIQ (k = 40; the paper's best predictive router), all on one cost
# domain per split (`routerlib.pools`). Means over seeds with 95% intervals. On the default data
# the numbers are SIMULATED: how strongly the simulated models complement each other is set by
# its calibration to the paper's Table 1 and the real rows (`docs/simulation.md`).

# %%
from routerlib.data import load
from routerlib.embed import embedder_name, features_for
from routerlib.paths import figures_dir
from routerlib.plots import draw, write_tables
from routerlib.pools import pool_study, pool_summary

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0
seeds: str = "0,1,2,3,4"
embedder: str = "minilm"

# %%
rd, out_dir = load(data, seed=seed, scale=scale), figures_dir(data, scale)
study = pool_study(rd, features_for(embedder, rd.prompt), seeds)
summary = pool_summary(study)
write_tables({"pools": summary, "pools_per_split": study}, out_dir,
             rd.provenance(seed, embedder_name(embedder)) | {"seeds": seeds})
draw("pools", out_dir)

# %% [markdown]
# How close does a small greedy pool come to the full pool, and to random pools of its size? The
# table gives the three metrics per size; the greedy pools' order (chosen on seed 0's training
# split) follows.

# %%
wide = summary.assign(cell=summary["mean"].map("{:.3f}".format) + " [" + summary.ci_low.map("{:.3f}".format)
                      + ", " + summary.ci_high.map("{:.3f}".format) + "]")
print(wide.pivot(index="size", columns=["metric", "kind"], values="cell").to_string())
first = study[(study.kind == "greedy") & (study.seed == study.seed.min()) & (study.dataset == rd.datasets[0])]
print("greedy order (first seed):", first.sort_values("size").pool.iloc[-1].split("+"))

# %%
# NBVAL_CHECK_OUTPUT
# asserts: the full pool is the same whichever way it is built; the Oracle's accuracy never falls
# when a greedy pool grows (on the training split it cannot, and here it is measured on test)
full = summary[summary["size"] == rd.m].pivot(index="metric", columns="kind", values="mean")
assert (full["greedy"] - full["random"]).abs().max() < 1e-12
greedy = summary[(summary.kind == "greedy") & (summary.metric == "oracle_acc")].sort_values("size")["mean"]
print("Oracle accuracy of the greedy pools by size:", greedy.round(3).tolist())
print("full pool:", full.round(3).to_dict())
k = int(summary[(summary.kind == "greedy") & (summary.metric == "oracle_acc") &
                (summary["mean"] >= greedy.iloc[-1] - 0.01)]["size"].min())
print(f"smallest greedy pool within 0.01 of the full pool's Oracle accuracy: {k} models")
