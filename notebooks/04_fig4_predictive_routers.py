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
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from routerlib.data import load
from routerlib.embed import DEFAULT_MODEL, embed, prompt_view, strip_shared_prefix
from routerlib.evaluate import PAPER_BEST, evaluate_predictive, param_str
from routerlib.metrics import aiq_wide, vs_zero
from routerlib.paper import PAPER_AIQ, PAPER_PREDICTIVE_VS_ZERO
from routerlib.paths import figures_dir
from routerlib.plots import cost_axis, plot_hull, plot_models, plot_sweep, savefig, source_note

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0

# %%
out_dir = figures_dir(data)
rd = load(data, seed, scale)
rd = rd.subset(exclude="mt-bench")  # as the paper: too small for a 70/30 split
print(rd)
print(rd.label)
EMBEDDER = DEFAULT_MODEL
ROUTER_NAMES = ["knn", "mlp", "svm"]
N_WTP = 40

# shared prefix per dataset (characters): the few-shot trap
prefix_len = {}
for d in rd.datasets:
    p = rd.prompt[rd.dataset == d]
    q = strip_shared_prefix(p)
    prefix_len[d] = int(np.median([len(a) - len(b) for a, b in zip(p[:50], q[:50])]))
print("shared prefix stripped by the question view (chars):", prefix_len)
views = ["stored"] + (["question"] if max(prefix_len.values()) >= 100 else [])

# %%
t0 = time.perf_counter()
X = {v: embed(prompt_view(rd, v), EMBEDDER) for v in views}
t_embed = time.perf_counter() - t0
for v in views:  # how alike are a dataset's prompts? (1.0 = all identical to the embedder)
    sims = {d: float(np.median(X[v][rd.dataset == d][:200] @ X[v][rd.dataset == d][:200].T)) for d in rd.datasets}
    print(f"{v:8s} view: median cosine similarity between prompts of a dataset:",
          {d: round(s, 3) for d, s in sims.items()})

# %%
t0 = time.perf_counter()
res = {v: evaluate_predictive(rd, X[v], routers=ROUTER_NAMES, seed=seed, n_wtp=N_WTP) for v in views}
t_eval = time.perf_counter() - t0
print(f"embedding {t_embed:.1f} s (cached after the first run), evaluation {t_eval:.1f} s")
main = res["stored"]
ORDER = ["zero", "knn", "mlp", "svm"]

# %%
ds = list(dict.fromkeys(main.models["dataset"]))
ncol = min(3, len(ds))
nrow = int(np.ceil(len(ds) / ncol))
fig, axes = plt.subplots(nrow, ncol, figsize=(5.2 * ncol, 4.2 * nrow), squeeze=False)
colors = {"knn": "C0", "mlp": "C3", "svm": "C2"}
for ax, d in zip(axes.ravel(), ds):
    mp = main.models[main.models["dataset"] == d]
    a = main.aiq[main.aiq["dataset"] == d].set_index("router")
    c_max = float(a["c_max"].iloc[0])
    plot_models(ax, mp["cost"].to_numpy(), mp["quality"].to_numpy(), mp["model"].to_numpy(), annotate=False, size=28)
    plot_hull(ax, (mp["cost"].to_numpy(), mp["quality"].to_numpy()), c_max=c_max, color="k",
              label=f"Zero router: AIQ {a.loc['zero', 'aiq']:.3f}")
    for r in ("knn", "mlp"):
        s = main.sweeps[(main.sweeps["dataset"] == d) & (main.sweeps["router"] == r)]
        plot_sweep(ax, s["cost"], s["quality"], color=colors[r], alpha=0.6)
        plot_hull(ax, (s["cost"].to_numpy(), s["quality"].to_numpy()), c_max=c_max, color=colors[r],
                  label=f"{r.upper()} ({s['params'].iloc[0]}): AIQ {a.loc[r, 'aiq']:.3f}")
    o = main.oracle[main.oracle["dataset"] == d]
    ax.scatter(o["cost"], o["quality"], marker="*", s=140, color="gold", edgecolor="k", zorder=4, label="Oracle")
    cost_axis(ax)
    ax.set_title(d)
    handles, labels = ax.get_legend_handles_labels()
    keep = [i for i, lab in enumerate(labels) if "AIQ" in lab or lab == "Oracle"]
    ax.legend([handles[i] for i in keep], [labels[i] for i in keep], loc="lower right")
for ax in axes.ravel()[len(ds):]:
    ax.axis("off")
h, lab = axes.ravel()[0].get_legend_handles_labels()
models_only = [i for i, x in enumerate(lab) if "AIQ" not in x and x != "Oracle"]
fig.legend([h[i] for i in models_only], [lab[i] for i in models_only], loc="lower center", ncol=11,
           bbox_to_anchor=(0.5, -0.04), frameon=False)
fig.suptitle(f"Figure 4: KNN, MLP and Zero routers (prompt as stored, {EMBEDDER}); {rd.label}", y=1.0)
source_note(fig, rd.label)
fig.tight_layout()

pts = [main.sweeps.assign(kind="sweep", view="stored")]
for v in views[1:]:
    pts.append(res[v].sweeps.assign(kind="sweep", view=v))
pts.append(main.models.rename(columns={"model": "router"}).assign(kind="model", params="", view=""))
pts.append(main.oracle.assign(kind="oracle", router="oracle", params="", view=""))
table = pd.concat(pts, ignore_index=True)[["kind", "view", "dataset", "router", "params", "willingness_to_pay", "cost", "quality"]]
savefig(fig, out_dir / "fig4_predictive_routers.png", table)
plt.show()


# %%
def wide(r):
    a = aiq_wide(r.aiq, "aiq", ORDER)
    b = aiq_wide(r.aiq, "aiq_public", ORDER).add_suffix("_public")
    return pd.concat([a, b], axis=1)


aiq_tab = wide(main)
aiq_tab.reset_index().to_csv(out_dir / "fig4_aiq.csv", index=False, float_format="%.6g")
if "question" in views:
    wide(res["question"]).reset_index().to_csv(out_dir / "fig4_aiq_question_view.csv", index=False, float_format="%.6g")
for v in views:
    print(f"AIQ, prompt view '{v}' (paper convention | public code's convention):")
    print(wide(res[v]).round(4).to_string())
    print()

# %% [markdown]
# ## Against the paper's statements
#
# The table below sets, per dataset, the paper's verdict of the predictive routers against the
# Zero router (section 5.3) beside ours (AIQ difference, "comparable" within 0.005), and the
# average AIQ beside the paper's 0.773 / 0.769 / 0.763. Then the hyperparameters chosen on the
# training split, beside the paper's best (k = 40, two hidden layers).

# %%
rows = []
for v in views:
    vz = vs_zero(res[v].aiq)
    for _, r in vz[vz["router"].isin(["knn", "mlp"])].iterrows():
        rows.append((v, r["dataset"], r["router"], PAPER_PREDICTIVE_VS_ZERO.get(r["dataset"], "n/a"),
                     round(r["delta"], 4), r["verdict"]))
cmp = pd.DataFrame(rows, columns=["view", "dataset", "router", "paper", "ours: AIQ - Zero", "ours"])
cmp["agrees"] = cmp["paper"] == cmp["ours"]
print(cmp.to_string(index=False))
print(f"\nagreement with the paper's per-dataset verdicts: {int(cmp['agrees'].sum())} of {len(cmp)}")
avg = pd.DataFrame({v: aiq_wide(res[v].aiq, "aiq", ORDER).loc["average", ["knn", "mlp", "zero"]] for v in views})
avg["paper (6 datasets)"] = [PAPER_AIQ["knn"], PAPER_AIQ["mlp"], PAPER_AIQ["zero"]]
print("\naverage AIQ over the datasets present:")
print(avg.round(4).to_string())

sel = pd.concat([res[v].selected().assign(view=v) for v in views], ignore_index=True)
sel["paper best"] = [param_str(PAPER_BEST[r]) for r in sel["router"]]
sel["agrees"] = sel["params"] == sel["paper best"]
print("\nhyperparameters selected on the training split (inner 70/30):")
print(sel[["view", "dataset", "router", "params", "paper best", "agrees"]].to_string(index=False))

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
print(rd.label)
for v in views:
    print(v, "AIQ:", {k: round(float(x), 3) for k, x in aiq_wide(res[v].aiq, "aiq", ORDER).loc["average"].items()})
for d in ds:
    mp = main.models[main.models["dataset"] == d]
    o = main.oracle[main.oracle["dataset"] == d].iloc[0]
    assert o["quality"] >= mp["quality"].max() - 1e-12, d  # the Oracle beats every model
    assert o["cost"] <= mp["cost"].max() + 1e-12, d
    for r in ROUTER_NAMES:  # the lowest willingness to pay sends every prompt to one (the cheapest) model
        s = main.sweeps[(main.sweeps["dataset"] == d) & (main.sweeps["router"] == r)]
        assert len(s) == N_WTP
        assert np.isclose(mp["cost"].to_numpy(), s["cost"].iloc[0], rtol=1e-9).any(), (d, r)
for v in views:
    a = res[v].aiq
    assert a["aiq"].between(0, 1).all() and a["aiq_public"].between(0, 1).all()
    for d in ds:  # no router's hull can exceed the Oracle's quality
        assert a[a["dataset"] == d]["aiq"].max() <= float(main.oracle[main.oracle["dataset"] == d]["quality"].iloc[0]) + 1e-9
print("checks passed")
