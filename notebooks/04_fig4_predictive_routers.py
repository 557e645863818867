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
# # Figure 4: predictive routers (KNN, MLP) against the Zero router
#
# > Total Cost vs. Performance for eleven models and KNN, MLP, and Zero routers on ROUTERBENCH
# > except for MT-Bench. For KNN and MLP, we tested different hyper-parameters, and the optimal
# > results are displayed above. The AIQ values are calculated for all 3 routers. NDCH stands for
# > non-decreasing convex hull, represented by the solid lines. Dotted lines connect points with
# > increasing willingness to pay. (paper, Figure 4)
#
# The paper's protocol (section 5.3, Appendix B): per dataset a random 70/30 split; a predictor
# of every model's quality (KNN with cosine similarity, k in 5/10/40; MLP with one or two ReLU
# layers of 100, learning rate 0.001) trained on the 70%; each prompt routed to
# `argmax_j  lambda * P_hat_j - cost_j` for a log grid of willingness-to-pay values lambda; the
# router's NDCH and AIQ on the 30%, against the Zero router (the NDCH of the single models).
# We add the SVM router of the paper's public code and the Oracle point.
#
# What is ours, not the paper's: hyperparameters are chosen **on the training split only** (an
# inner 70/30 split of it, best AIQ there), per dataset; the paper does not say how it chose
# them. The embedding model is `all-MiniLM-L6-v2` (bundled, offline) where the paper's best
# used `all-MiniLM-L12-v2`. Cost per model is its mean cost per prompt on the training split.
# AIQ is reported in the paper's convention and in the public code's (`hull.compare_aiq`).
#
# The paper reports (section 5.3): KNN (AIQ 0.773) and MLP (0.769) about the Zero router
# (0.763) on average; above it on MMLU and Winogrande, comparable on HellaSwag and GSM8K, below
# on ARC-Challenge and MBPP; best configurations KNN k = 40 and MLP with two hidden layers.
# The comparison with these statements is computed and printed below, not written here.
#
# **The few-shot trap** (DESIGN.md): in the real 5-shot file every ARC prompt starts with the
# same ~1,700 characters of worked examples and every Winogrande prompt with the same ~1,266;
# MiniLM truncates at 256 tokens, so those prompts all embed alike and a predictive router can
# only learn the dataset's average. On data with such shared prefixes we therefore also report
# the *question view* (each dataset's shared prefix removed before embedding,
# `routerlib.embed.strip_shared_prefix`). The simulated default data have no such prefixes.

# %%
import pandas as pd

from routerlib.claims import average_aiq_vs_paper, check_router_result, predictive_vs_paper, selection_vs_paper
from routerlib.data import load
from routerlib.embed import embedder_name, features_for, median_similarity, prompt_view, shared_prefix_chars, views_needed
from routerlib.evaluate import evaluate_predictive, paper_specs, points_by
from routerlib.metrics import aiq_wide, aiq_wide_both
from routerlib.paths import figures_dir
from routerlib.plots import draw, write_csv

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0
seeds: str = "0,1,2,3,4"
embedder: str = "minilm"

# %%
out_dir = figures_dir(data, scale)
rd = load(data, seed, scale).subset(exclude="mt-bench")  # as the paper: too small for a 70/30 split
print(rd, "|", rd.label)
print("shared prefix stripped by the question view (chars):", shared_prefix_chars(rd))
views = views_needed(rd)
X = {v: features_for(embedder, prompt_view(rd, v)) for v in views}
for v in views:  # how alike are a dataset's prompts? (1.0 = all identical to the embedder)
    if not hasattr(X[v], "fit"):
        print(f"{v:8s} view: median cosine similarity within a dataset:",
              {d: round(x, 3) for d, x in median_similarity(X[v], rd.dataset).items()})

# %%
res = {v: evaluate_predictive(rd, X[v], paper_specs(("knn", "mlp", "svm")), seed=seed, prompts=prompt_view(rd, v))
       for v in views}
prov = rd.provenance(seed, embedder_name(embedder))
write_csv(points_by(res, "view"), out_dir / "fig4_predictive_routers.csv", prov)
for v in views:
    write_csv(aiq_wide_both(res[v].aiq, ["zero", "knn", "mlp", "svm"]),
              out_dir / ("fig4_aiq.csv" if v == "stored" else f"fig4_aiq_{v}_view.csv"), prov)
    print(f"AIQ, prompt view '{v}' (paper convention | public code's convention):")
    print(aiq_wide_both(res[v].aiq, ["zero", "knn", "mlp", "svm"]).round(4).to_string(index=False))

# %%
draw("fig4_predictive_routers", out_dir, title=f"Figure 4: KNN, MLP and Zero routers (prompt as stored, {prov['embedder']})")

# %% [markdown]
# ## Against the paper's statements
#
# The table below sets, per dataset, the paper's verdict of the predictive routers against the
# Zero router (section 5.3) beside ours (AIQ difference, "comparable" within 0.005), and the
# average AIQ beside the paper's 0.773 / 0.769 / 0.763. Then the hyperparameters chosen on the
# training split, beside the paper's best (k = 40, two hidden layers).

# %%
pd.set_option("display.width", 200)
cmp = predictive_vs_paper({v: r.aiq for v, r in res.items()})
print(cmp.to_string(index=False))
print(f"\nagreement with the paper's per-dataset verdicts: {int(cmp['agrees'].sum())} of {len(cmp)}")
print("\naverage AIQ over the datasets present:")
print(average_aiq_vs_paper({v: r.aiq for v, r in res.items()}).round(4).to_string())
print("\nhyperparameters selected on the training split (inner 70/30):")
print(selection_vs_paper({v: r.selected() for v, r in res.items()}).to_string(index=False))

# %% [markdown]
# Reading the numbers (the printed tables are the record; this is the general picture).
#
# * **Prompt as stored, real rows.** Every ARC prompt, and every Winogrande prompt, embeds to
#   the same vector, so the routers' predictions are one constant per model: each
#   willingness to pay sends the whole dataset to one model, and the router's hull can at best
#   coincide with the Zero router's (KNN, whose 40 "nearest" neighbours are then an arbitrary
#   tie-broken set, can fall below it). Any gain the paper reports on Winogrande cannot come
#   from the prompt text on these rows.
# * **Question view, real rows.** With the shared few-shot prefix removed, the routers see
#   distinct questions; on datasets of about a thousand training prompts this moves their AIQ
#   by a few thousandths to a few hundredths either way, not into a consistent lead over the
#   Zero router (DESIGN.md reports KNN still below it on ARC over 10 splits).
# * **Simulated data.** The simulated benchmark's prompts carry the task, the topic and a
#   difficulty cue, so the routers have something to learn; how much is set in the simulation
#   (docs/simulation.md, "Learnability") so that the paper's best KNN and MLP gain about what the
#   paper reports over the Zero router. The gains are printed above. Everything there is
#   labelled SIMULATED and is not evidence about the real models.
#
# In every case the Oracle stays far above every router and every model, as in the paper.

# %%
# NBVAL_CHECK_OUTPUT
# asserts: the Oracle beats every model and every router's hull; AIQs in [0, 1]; the lowest
# willingness to pay sends every prompt to one model; 40 willingness-to-pay values per sweep
print(rd.label)
for v in views:
    check_router_result(res[v], ["knn", "mlp", "svm"])
    assert (res[v].sweeps.groupby(["dataset", "router"]).size() == 40).all()
    print(v, "AIQ:", {k: round(float(x), 3) for k, x in aiq_wide(res[v].aiq, "aiq").loc["average"].items()})
print("checks passed")
