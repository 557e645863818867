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
# # Figure 3: all LLMs and the Oracle; how often the Oracle picks each model
#
# > **Left:** Accuracy vs Total Cost of all the 11 LLMs on ROUTERBENCH. **Right:** The *Oracle*
# > LLMs selection frequency across the 7 subsets in ROUTERBENCH. (paper, Figure 3)
#
# Left: each model's mean quality over every prompt of the data against its total cost (USD,
# all prompts), with the Oracle (best quality per prompt, cheapest among ties) and the NDCH of
# the single models (the Zero router). Right: per dataset, the share of prompts on which the
# Oracle picks each model; prompts that no model solves are counted apart ("none correct"),
# like the `no_model_correct` label of the published file, since on them every model ties.
#
# The paper's reading: the Oracle reaches near-optimal quality at a low cost, the cheap
# WizardLM-13B and Mistral-7B are picked often, GPT-4 seldom. The check cell prints the
# measured shares so the reader can see whether that holds on this data.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from routerlib.data import load
from routerlib.hull import ndch
from routerlib.paper import short_name
from routerlib.paths import figures_dir
from routerlib.plots import cost_axis, plot_hull, plot_models, savefig, source_note

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0

# %%
rd = load(data, seed=seed, scale=scale)
out_dir = figures_dir(data)
q_model = rd.quality.mean(axis=0)
c_model = rd.cost.sum(axis=0)
choice = rd.oracle_choice()
rows = np.arange(rd.n)
none_correct = rd.quality.max(axis=1) <= 0
q_oracle = rd.quality[rows, choice].mean()
c_oracle = rd.cost[rows, choice].sum()
zero = ndch(c_model, q_model)
names = [short_name(m) for m in rd.models]
freq = pd.DataFrame(0.0, index=rd.datasets, columns=names + ["none correct"])
for d in rd.datasets:
    mask = rd.dataset == d
    picks = np.where(none_correct[mask], rd.m, choice[mask])
    freq.loc[d] = np.bincount(picks, minlength=rd.m + 1) / mask.sum()

# %%
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1, 1.25]})
plot_models(ax, c_model, q_model, rd.models)
ax.scatter(c_oracle, q_oracle, marker="*", s=160, color="gold", edgecolor="k", zorder=4, label="Oracle")
ax.annotate("Oracle", (c_oracle, q_oracle), xytext=(4, 4), textcoords="offset points", fontsize=7)
plot_hull(ax, zero, c_max=c_model.max(), label="Zero router (NDCH of the models)", color="0.3")
cost_axis(ax, unit="total cost over all prompts (USD, log scale)")
ax.set_ylabel("accuracy (mean quality over all prompts)")
ax.set_title("All LLMs and the Oracle")
ax.legend(handles=ax.get_legend_handles_labels()[0][-2:], fontsize=7, loc="lower right")
im = ax2.imshow(freq.to_numpy(float), cmap="viridis", vmin=0, vmax=max(0.5, float(freq.to_numpy().max())), aspect="auto")
ax2.set_xticks(range(freq.shape[1]), freq.columns, rotation=45, ha="right")
ax2.set_yticks(range(freq.shape[0]), freq.index)
ax2.grid(False)
for i in range(freq.shape[0]):
    for j in range(freq.shape[1]):
        v = freq.iat[i, j]
        ax2.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6.5, color="w" if v < 0.3 else "k")
fig.colorbar(im, ax=ax2, shrink=0.8).set_label("share of the dataset's prompts")
ax2.set_title("Oracle selection frequency per dataset")
fig.suptitle(f"Figure 3: {rd.label}")
source_note(fig, rd.label)
fig.tight_layout()
points = pd.DataFrame({"system": list(rd.models) + ["oracle"], "paper_name": names + ["Oracle"],
                       "total_cost": np.r_[c_model, c_oracle], "accuracy": np.r_[q_model, q_oracle]})
table = pd.concat([points.assign(panel="left"),
                   freq.reset_index(names="dataset").melt(id_vars="dataset", var_name="paper_name",
                                                          value_name="oracle_share").assign(panel="right")])
savefig(fig, out_dir / "fig3_oracle.png", table)
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
overall = pd.Series(np.bincount(np.where(none_correct, rd.m, choice), minlength=rd.m + 1) / rd.n,
                    index=names + ["none correct"])
print("Oracle: accuracy %.3f at total cost %.2f USD; best model %s: %.3f at %.2f USD" % (
    q_oracle, c_oracle, names[int(q_model.argmax())], q_model.max(), c_model[q_model.argmax()]))
print("Oracle picks over all prompts:")
print(overall.sort_values(ascending=False).round(3).to_string())
assert q_oracle >= q_model.max() - 1e-12
assert c_oracle <= c_model[q_model.argmax()] + 1e-9
assert np.allclose(freq.sum(axis=1), 1.0)
