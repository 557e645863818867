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
#     embeds: [data views]
#     after: [09_leaderboard]
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
# **One split is not evidence.** The differences the paper reports (about 0.01 AIQ) are smaller
# than the spread between random splits, and a hull taken over a sweep on the split it is scored
# on is optimistic by itself. So the table below is over the seeds of `seeds` (default 5), with
# 95% confidence intervals (corrected for overlapping splits, `routerlib.metrics.stats`), in
# three conventions: the paper's hindsight hull, the public code's, and **held-out** (the
# configurations chosen on a validation split, scored on the test split without hindsight,
# `routerlib.protocol`). The random-score control (a KNN router with random neighbours) shows
# how much a sweep gains over the Zero router from hindsight alone. The figure draws one split
# (the `seed` parameter, 0 by default), as the paper does.
#
# The paper reports (section 5.3): KNN (AIQ 0.773) and MLP (0.769) about the Zero router
# (0.763) on average; above it on MMLU and Winogrande, comparable on HellaSwag and GSM8K, below
# on ARC-Challenge and MBPP; best configurations KNN k = 40 and MLP with two hidden layers.
# The comparison with these statements is computed and printed below, not written here.
#
# **The few-shot trap**: in the real 5-shot file every ARC prompt starts with the
# same ~1,700 characters of worked examples and every Winogrande prompt with the same ~1,266;
# MiniLM truncates at 256 tokens, so those prompts all embed alike and a predictive router can
# only learn the dataset's average. On data with such shared prefixes we therefore also report
# the *question view* (each dataset's shared prefix removed before embedding,
# `routerlib.embed.strip_shared_prefix`). The simulated default data have no such prefixes.

# %%
import pandas as pd

from routerlib.claims import average_aiq_vs_paper, mark_not_run, predictive_vs_paper_ci, selection_vs_paper
from routerlib.data import load
from routerlib.embed import (
    embedder_name,
    features_for,
    median_similarity,
    prompt_view,
    shared_prefix_chars,
    views_needed,
)
from routerlib.evaluate import points_by
from routerlib.metrics import aiq_wide_both
from routerlib.paths import figures_dir
from routerlib.plots import draw, write_tables
from routerlib.protocol import parse_seeds, registry_specs, run_protocol

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0
seeds: str = "0,1,2,3,4"
embedder: str = "minilm"

# %%
rd, out_dir = load(data, seed=seed, scale=scale), figures_dir(data, scale)
rd = rd.subset(exclude="mt-bench")  # as the paper: too small for a 70/30 split
print(rd, "|", rd.label)
print("shared prefix stripped by the question view (chars):", shared_prefix_chars(rd))
views, ROUTERS = views_needed(rd), ["knn", "mlp", "svm", "random_score"]
X = {v: features_for(embedder, prompt_view(rd, v)) for v in views}
for v in views:  # how alike are a dataset's prompts? (1.0 = all identical to the embedder)
    if not hasattr(X[v], "fit"):
        print(f"{v:8s} view: median cosine similarity within a dataset:",
              {d: round(x, 3) for d, x in median_similarity(X[v], rd.dataset).items()})

# %%
res = {v: run_protocol(rd, registry_specs(ROUTERS), X[v], parse_seeds(seeds), prompts=prompt_view(rd, v), n_jobs=-1)
       for v in views}
panel_seed = seed if seed in res["stored"].meta["seeds"] else res["stored"].meta["seeds"][0]
tables = {"fig4_predictive_routers": points_by({v: r.split_points(panel_seed) for v, r in res.items()}, "view"),
          "fig4_aiq_seed0": aiq_wide_both(res["stored"].split_aiq(panel_seed, ROUTERS[:3]), ["zero", *ROUTERS[:3]])}
# a (router, dataset) pair the protocol left out (too few rows for its validation split, ...) is a
# row "not run here" with its reason in the AIQ tables, and a note in its panel of the figure
tables |= {"fig4_aiq" if v == "stored" else f"fig4_aiq_{v}_view": mark_not_run(r.aiq_summary(), r, ROUTERS)
           for v, r in res.items()}
write_tables(tables, out_dir, rd.provenance(panel_seed, embedder_name(embedder)) | {"seeds": seeds})
draw("fig4_predictive_routers", out_dir, title=f"Figure 4 (split of seed {panel_seed}): KNN, MLP and Zero routers "
     f"(prompt as stored, {embedder_name(embedder)})")
for v, r in res.items():
    print(f"{v} view, left out by the protocol (not run here):", r.meta.get("refused", {}) or "none")

# %% [markdown]
# ## Against the paper's statements
#
# The table below sets, per dataset, the paper's verdict of the predictive routers against the
# Zero router (section 5.3) beside ours: the 95% CI over seeds of the paired AIQ difference to
# the Zero router (paper convention) above 0, below 0, or "within noise" (the paper's
# "comparable" is read as within noise); then the same for the held-out AIQ; then the average
# AIQ beside the paper's 0.773 / 0.769 / 0.763, and the hyperparameters chosen on the training
# splits beside the paper's best (k = 40, two hidden layers).

# %%
pd.set_option("display.width", 250)
for v, r in res.items():
    lb = r.leaderboard()
    for m in ("aiq_minus_zero", "aiq_heldout_minus_zero"):
        cmp = predictive_vs_paper_ci(lb, ["knn", "mlp", "svm", "random_score"], m, v)
        print(f"{v} view, {m} (95% CI over {len(r.meta['seeds'])} seeds): agrees with the paper on "
              f"{int(cmp.agrees[cmp.router.isin(['knn', 'mlp'])].sum())} of {int(cmp.router.isin(['knn', 'mlp']).sum())}")
        print(cmp.round(4).to_string(index=False))
    print(f"\naverage AIQ over the datasets present and the seeds ({v} view):")
    print(average_aiq_vs_paper({v: r.aiq.groupby(["dataset", "router"], sort=False).mean(numeric_only=True)
                                .reset_index()}).round(4).to_string())
    sel = selection_vs_paper({v: r.selection[r.selection.selected]})
    print("share of splits whose training part selects the paper's best configuration:",
          sel.groupby("router").agrees.mean().round(2).to_dict())

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
#   Zero router (on the real rows KNN stayed below it on ARC over 10 splits).
# * **Simulated data.** The simulated benchmark's prompts carry the task, the topic and a
#   difficulty cue, so the routers have something to learn; how much is set in the simulation
#   (docs/simulation.md, "Learnability") so that the paper's best KNN and MLP gain about what the
#   paper reports over the Zero router. The gains are printed above. Everything there is
#   labelled SIMULATED and is not evidence about the real models.
#
# In every case the Oracle stays far above every router and every model, as in the paper.

# %%
# NBVAL_CHECK_OUTPUT
# asserts: the Oracle beats every model; every AIQ in [0, 1]; the held-out AIQ never exceeds the
# hindsight AIQ (a curve through some configurations is under their hull); one row per seed
print(rd.label, "| seeds:", res["stored"].meta["seeds"])
for v, r in res.items():
    a = r.aiq
    assert a[["aiq", "aiq_public", "aiq_heldout"]].stack().between(0, 1).all()
    assert (a.aiq_heldout <= a.aiq + 1e-9).all()
    best_model = r.models.groupby(["seed", "dataset"]).quality.max()
    refs = r.refs.set_index(["seed", "dataset"])
    assert (refs.oracle_quality >= best_model.reindex(refs.index) - 1e-12).all()
    s = r.aiq_summary(ROUTERS)
    print(v, "AIQ - Zero (mean over datasets and seeds):",
          s[s.dataset == "all"].set_index("router")[["aiq_minus_zero", "aiq_heldout_minus_zero"]].round(3).to_dict())
print("checks passed")
