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
# # Figure 7: cost vs accuracy of each LLM on each dataset
#
# > Figure 7. Accuracy vs Total cost of each LLM on each sub dataset in ROUTERBENCH. (paper, Appendix A.5)
#
# One panel per dataset: each model's mean quality against its total cost on the 30% test split
# (Table 1's convention; divided by a dataset's share of rows when the data holds only part of it), the Oracle, and the
# Zero router (NDCH of the models). The paper's figure has the same content as Table 1; the
# differences to the paper are those of notebook 01.

# %%
from routerlib.data import load
from routerlib.metrics import full_size_summary
from routerlib.paths import figures_dir
from routerlib.plots import draw, write_csv

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0
seeds: str = "0,1,2,3,4"
embedder: str = "minilm"

# %%
rd, out_dir = load(data, seed=seed, scale=scale), figures_dir(data, scale)
_, test = rd.split(seed=seed)
summ = full_size_summary(test, rd)
write_csv(summ, out_dir / "fig7_per_dataset.csv", rd.provenance(seed))
draw("fig7_per_dataset", out_dir)

# %%
# NBVAL_CHECK_OUTPUT
print(summ.pivot(index="model", columns="dataset", values="quality").round(3).to_string())
for d, s in summ.groupby("dataset"):
    assert s[s.model == "oracle"].quality.iloc[0] >= s[s.model != "oracle"].quality.max() - 1e-12, d
