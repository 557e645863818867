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
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from routerlib import hull as H
from routerlib.paths import figures_dir
from routerlib.plots import savefig, source_note

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0

# %%
out_dir = figures_dir(data)
A, B = (0.2, 0.55), (0.8, 0.85)
ts = np.linspace(0, 1, 11)
C_int = H.interpolate(A, B, 0.5)
pts5 = {"A": (0.15, 0.50), "B": (0.40, 0.78), "C": (0.75, 0.90), "D": (0.30, 0.55), "E": (0.90, 0.80)}
c5 = np.array([p[0] for p in pts5.values()])
q5 = np.array([p[1] for p in pts5.values()])
h5 = H.ndch(c5, q5)
on_hull = [k for k, (c, q) in pts5.items() if np.any((h5.cost == c) & (h5.quality == q))]
sys1 = {"A": (0.20, 0.45), "B": (0.45, 0.75), "C": (0.80, 0.82)}
sys2 = {"D": (0.10, 0.30), "E": (0.35, 0.62), "F": (0.70, 0.88)}
systems = {"ABC": tuple(map(np.array, zip(*sys1.values()))), "DEF": tuple(map(np.array, zip(*sys2.values())))}
res = H.compare_aiq(systems)  # shared domain: smallest and largest cost over all points
c_min = min(float(s[0].min()) for s in systems.values())
c_max = max(float(s[0].max()) for s in systems.values())

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
ax = axes[0]
ci, qi = H.interpolate(A, B, ts)
ax.plot(ci, qi, ":", color="0.5", label="R_int(t), t in [0, 1]")
ax.scatter(*zip(A, B), color="C0", zorder=3)
ax.scatter(*C_int, color="C3", zorder=3, label="C = R_int(t=0.5)")
for name, p in {"A": A, "B": B, "C": C_int}.items():
    ax.annotate(name, p, xytext=(4, -10), textcoords="offset points")
ax.set_title("Linear interpolation of two routers")

ax = axes[1]
ax.scatter(c5, q5, color="C0", zorder=3)
for k, (c, q) in pts5.items():
    ax.annotate(k, (c, q), xytext=(4, -10), textcoords="offset points")
grid = np.linspace(0, 1.0, 201)
ax.plot(grid, h5(grid), "-", color="C2", label="NDCH (vertices " + ", ".join(on_hull) + ")")
ax.set_title("Non-decreasing convex hull of A..E")

ax = axes[2]
for (name, (c, q)), col in zip(systems.items(), ["C0", "C1"]):
    h = H.ndch(c, q)
    g = np.linspace(c_min, c_max, 201)
    ax.plot(g, h(g), "-", color=col, label=f"{name}: AIQ = {res[name]['aiq']:.3f}")
    ax.fill_between(g, h(g), alpha=0.12, color=col)
    ax.scatter(c, q, color=col, zorder=3)
    for k, cc, qq in zip(name, c, q):
        ax.annotate(k, (cc, qq), xytext=(4, -10), textcoords="offset points")
for x in (c_min, c_max):
    ax.axvline(x, color="0.6", lw=0.8, ls="--")
ax.set_title(f"AIQ on the shared domain [{c_min:g}, {c_max:g}]")
for ax in axes:
    ax.set_xlabel("cost (USD, toy units)")
    ax.set_ylabel("quality")
    ax.set_xlim(0, 1.0)
    ax.set_ylim(0, 1.0)
    ax.legend(loc="lower right")
fig.suptitle("Figure 2 (toy points, routerlib.hull): interpolation, NDCH, AIQ", y=1.02)
source_note(fig, "toy points of our own (no benchmark data)")
table = pd.DataFrame(
    [("interpolation", k, *p) for k, p in {"A": A, "B": B, "C": C_int}.items()]
    + [("ndch", k, c, q) for k, (c, q) in pts5.items()]
    + [("aiq-" + s, k, *p) for s, d in (("ABC", sys1), ("DEF", sys2)) for k, p in d.items()],
    columns=["panel", "point", "cost", "quality"],
)
table["on_hull"] = [r.panel != "ndch" or r.point in on_hull for r in table.itertuples()]
table["aiq"] = [res[r.panel[4:]]["aiq"] if r.panel.startswith("aiq-") else np.nan for r in table.itertuples()]
savefig(fig, out_dir / "fig2_hull_aiq.png", table)
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
# the exact AIQ equals a dense numeric integral of the hull, and the hull of A..E is A, B, C
for name, (c, q) in systems.items():
    g = np.linspace(c_min, c_max, 200_001)
    numeric = np.trapezoid(H.ndch(c, q)(g), g) / (c_max - c_min)
    assert abs(numeric - res[name]["aiq"]) < 1e-8
    print(f"{name}: AIQ {res[name]['aiq']:.4f} (paper convention), {res[name]['aiq_public']:.4f} (public code)")
assert on_hull == ["A", "B", "C"], on_hull
print("NDCH of A..E:", on_hull)
