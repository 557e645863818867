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
# # Figure 2: linear interpolation, the non-decreasing convex hull, and AIQ
#
# > **Left:** linear interpolation is the process of achieving the cost-performance trade-off
# > between any concrete routers. [...] **Middle:** Consider points A to E, we can construct the
# > non-decreasing convex hull consisting of points A, B, and C. D and E as they can be replaced
# > by a strictly superior affine combination of A, B, and C. **Right:** ABC and DEF are two
# > routing systems [...] calculate the area under the curve normalized by c_max - c_min to
# > derive AIQ. (paper, Figure 2)
#
# Toy points, drawn with `routerlib.hull` itself: `interpolate`, `ndch`, `Hull.__call__`
# (interpolation, flat extension past the last vertex, the null-router line below the first)
# and `aiq` on a shared domain. The paper's figure has no numeric axes, so the coordinates
# here are our own; what must match is the construction: the hull of A..E is A, B, C, and the
# AIQ is the exact mean of the hull over the shared domain (checked against a dense numeric
# integral below). The data source does not matter here (no benchmark is read).

# %%
import numpy as np

from routerlib.hull import ndch
from routerlib.metrics import hull_demo_table
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
table = hull_demo_table(
    interpolation={"A": (0.2, 0.55), "B": (0.8, 0.85)},
    points={"A": (0.15, 0.50), "B": (0.40, 0.78), "C": (0.75, 0.90), "D": (0.30, 0.55), "E": (0.90, 0.80)},
    systems={"ABC": {"A": (0.20, 0.45), "B": (0.45, 0.75), "C": (0.80, 0.82)},
             "DEF": {"D": (0.10, 0.30), "E": (0.35, 0.62), "F": (0.70, 0.88)}},
)
write_csv(table, out_dir / "fig2_hull_aiq.csv", {"data": "toy", "label": "toy points of our own (no benchmark data)",
                                                  "seed": seed, "scale": scale, "embedder": ""})
table

# %%
draw("fig2_hull_aiq", out_dir)

# %%
# NBVAL_CHECK_OUTPUT
# the exact AIQ equals a dense numeric integral of the hull on the shared domain, and the hull of A..E is A, B, C
systems = table[table.panel.str.startswith("aiq-")]
c_min, c_max = systems.cost.min(), systems.cost.max()
for name, s in systems.groupby("panel"):
    g = np.linspace(c_min, c_max, 200_001)
    numeric = np.trapezoid(ndch(s.cost, s.quality)(g), g) / (c_max - c_min)
    assert abs(numeric - s.aiq.iloc[0]) < 1e-8
    print(f"{name[4:]}: AIQ {s.aiq.iloc[0]:.4f} (paper convention)")
on_hull = table[(table.panel == "ndch") & table.on_hull].point.tolist()
assert on_hull == ["A", "B", "C"], on_hull
print("NDCH of A..E:", on_hull)
