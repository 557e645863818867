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
# # Figure 7: cost vs accuracy of each LLM on each dataset
#
# > Figure 7. Accuracy vs Total cost of each LLM on each sub dataset in ROUTERBENCH. (paper, Appendix A.5)
#
# One panel per dataset: each model's mean quality against its total cost on the 30% test split
# (Table 1's convention; divided by `scale` when the data is scaled down), the Oracle, and the
# Zero router (NDCH of the models). The paper's figure has the same content as Table 1; the
# differences to the paper are those of notebook 01.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from routerlib.data import load
from routerlib.hull import ndch
from routerlib.paths import figures_dir
from routerlib.plots import cost_axis, plot_hull, plot_models, savefig, source_note

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0

# %%
rd = load(data, seed=seed, scale=scale)
out_dir = figures_dir(data)
_, test = rd.split(seed=seed)
norm = 1.0 / float(rd.meta.get("scale", 1.0))
summ = test.summary()
summ["total_cost"] *= norm
datasets = rd.datasets

# %%
ncol = min(4, len(datasets))
nrow = int(np.ceil(len(datasets) / ncol))
fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.6 * nrow), squeeze=False)
for ax, d in zip(axes.flat, datasets):
    s = summ[summ.dataset == d]
    mod = s[s.model != "oracle"]
    orc = s[s.model == "oracle"].iloc[0]
    plot_models(ax, mod.total_cost.to_numpy(), mod.quality.to_numpy(), mod.model.tolist(), annotate=False)
    plot_hull(ax, ndch(mod.total_cost, mod.quality), c_max=mod.total_cost.max(), color="0.3", label="Zero router")
    ax.scatter(orc.total_cost, orc.quality, marker="*", s=150, color="gold", edgecolor="k", zorder=4, label="Oracle")
    cost_axis(ax, unit="total cost, 30% test split (USD)")
    ax.set_title(f"{d} (n test = {int(orc.n)})")
for ax in axes.flat[len(datasets):]:
    ax.axis("off")
handles, labels = axes.flat[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncol=7, fontsize=7)
fig.suptitle(f"Figure 7: accuracy vs total cost per dataset ({rd.label})")
fig.tight_layout(rect=(0, 0.07 if nrow == 1 else 0.04, 1, 1))
source_note(fig, rd.label)
savefig(fig, out_dir / "fig7_per_dataset.png", summ)
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
piv = summ.pivot(index="model", columns="dataset", values="quality")
print(piv.round(3).to_string())
for d in datasets:
    s = summ[summ.dataset == d]
    assert s[s.model == "oracle"].quality.iloc[0] >= s[s.model != "oracle"].quality.max() - 1e-12
