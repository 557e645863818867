"""One plotting style and one ``savefig`` for every figure.

Plot functions take data and a matplotlib ``Axes`` and return the ``Axes``; notebooks
arrange them. Every figure names its data source (and says SIMULATED when it is) via
:func:`source_note`, and :func:`savefig` writes a byte-stable PNG plus the numbers behind
it as CSV.
"""

from __future__ import annotations

from pathlib import Path



import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .hull import Hull, ndch
from .paper import short_name

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
    "axes.titlesize": 10,
    "legend.fontsize": 7,
    "svg.hashsalt": "routerlib",
}
plt.rcParams.update(STYLE)

# a fixed colour per model (tab20 order), so every figure agrees
_MODEL_ORDER = [
    "WizardLM/WizardLM-13B-V1.2",
    "mistralai/mistral-7b-chat",
    "mistralai/mixtral-8x7b-chat",
    "meta/code-llama-instruct-34b-chat",
    "zero-one-ai/Yi-34B-Chat",
    "gpt-3.5-turbo-1106",
    "claude-instant-v1",
    "meta/llama-2-70b-chat",
    "claude-v1",
    "claude-v2",
    "gpt-4-1106-preview",
]
_MARKERS = "o^sDv<>phP*X"


def model_color(model: str, i: int | None = None):
    cmap = plt.get_cmap("tab20")
    k = _MODEL_ORDER.index(model) if model in _MODEL_ORDER else (i if i is not None else hash(model) % 20)
    return cmap(k % 20)


def model_marker(model: str, i: int | None = None) -> str:
    k = _MODEL_ORDER.index(model) if model in _MODEL_ORDER else (i or 0)
    return _MARKERS[k % len(_MARKERS)]


def source_note(fig, label: str) -> None:
    """Write the data source in the figure's bottom-left corner."""
    fig.text(0.005, 0.005, f"data: {label}", fontsize=7, color="0.35", ha="left", va="bottom")


def savefig(fig, path: str | Path, table: pd.DataFrame | None = None) -> Path:
    """Save ``fig`` as ``path`` (.png, byte-stable) and ``table`` beside it as .csv."""
    path = Path(path)
    if path.suffix == "":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"Software": None} if path.suffix == ".png" else {"CreationDate": None}
    fig.savefig(path, metadata=meta, bbox_inches="tight")
    if table is not None:
        table.to_csv(path.with_suffix(".csv"), index=False, float_format="%.6g")
    return path


def plot_models(ax, cost, quality, models, annotate: bool = True, size: float = 40):
    """Scatter each model's (cost, quality) point with its paper name."""
    for i, m in enumerate(models):
        ax.scatter(cost[i], quality[i], color=model_color(m, i), marker=model_marker(m, i), s=size,
                   edgecolor="k", linewidth=0.4, zorder=3, label=short_name(m))
        if annotate:
            ax.annotate(short_name(m), (cost[i], quality[i]), fontsize=6, xytext=(3, 3),
                        textcoords="offset points", color="0.25")
    return ax


def plot_hull(ax, hull_or_points, c_max: float | None = None, label: str | None = None, **kw):
    """Draw an NDCH (solid), flat to ``c_max`` when given.

    The hull is linear in cost between vertices; it is drawn through a dense grid of
    costs so that it is exact on a log-scaled axis as well.
    """
    h = hull_or_points if isinstance(hull_or_points, Hull) else ndch(*hull_or_points)
    lo = h.cost[0]
    hi = max(h.cost[-1], c_max if c_max is not None else h.cost[-1])
    if lo > 0 and hi > lo:
        grid = np.union1d(np.geomspace(lo, hi, 200), h.cost)
    else:
        grid = np.union1d(np.linspace(lo, hi, 200), h.cost)
    kw.setdefault("linestyle", "-")
    kw.setdefault("linewidth", 1.4)
    ax.plot(grid, h(grid), label=label, **kw)
    return ax


def plot_sweep(ax, cost, quality, label: str | None = None, **kw):
    """Draw a parameter sweep as a dotted line through its points (in sweep order)."""
    kw.setdefault("linestyle", ":")
    kw.setdefault("marker", ".")
    kw.setdefault("markersize", 3)
    kw.setdefault("linewidth", 1.0)
    ax.plot(cost, quality, label=label, **kw)
    return ax


def cost_axis(ax, log: bool = True, unit: str = "total cost on the test split (USD)"):
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel("quality (mean score)")
    return ax
