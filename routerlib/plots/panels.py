"""Panels: the drawing pieces every figure is made of. Each takes an ``Axes`` and data, returns the ``Axes``.

* :func:`plot_models` -- each model's (cost, quality) point with its paper name.
* :func:`plot_hull` -- an NDCH (solid), exact on a log axis, flat to ``c_max``.
* :func:`plot_sweep` -- a knob sweep as a dotted line through its points.
* :func:`cost_quality_panel` -- the panel of Figures 4-9: models, the Zero router, any number of
  router curves (sweep + hull), the Oracle (and more points), AIQs in the legend.
* :func:`heatmap` -- a labelled matrix with its values written in the cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..hull import Hull, ndch
from ..paper import short_name
from .style import cost_axis, model_color, model_marker

__all__ = ["Curve", "plot_models", "plot_hull", "plot_sweep", "cost_quality_panel", "heatmap", "legend_only"]


def plot_models(ax, cost, quality, models, annotate: bool = True, size: float = 40, fontsize: float = 6,
                label: bool = True, offset: int = 0):
    """Scatter each model's (cost, quality) point in its fixed colour and marker, with its paper name."""
    for i, m in enumerate(models):
        ax.scatter(cost[i], quality[i], color=model_color(m, i + offset), marker=model_marker(m, i + offset), s=size,
                   edgecolor="k", linewidth=0.4, zorder=3, label=short_name(m) if label else None)
        if annotate:
            ax.annotate(short_name(m), (cost[i], quality[i]), fontsize=fontsize, xytext=(3, 3),
                        textcoords="offset points", color="0.25")
    return ax


def plot_hull(ax, hull_or_points, c_max: float | None = None, label: str | None = None, **kw):
    """Draw an NDCH (solid), flat to ``c_max`` when given.

    The hull is linear in cost between vertices; it is drawn through a dense grid of costs so
    that it is exact on a log-scaled axis as well.
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
    """Draw a knob sweep as a dotted line through its points (in sweep order)."""
    kw.setdefault("linestyle", ":")
    kw.setdefault("marker", ".")
    kw.setdefault("markersize", 3)
    kw.setdefault("linewidth", 1.0)
    ax.plot(cost, quality, label=label, **kw)
    return ax


@dataclass
class Curve:
    """One router on a cost-quality panel: its sweep points (in sweep order) and how to draw them."""

    cost: np.ndarray
    quality: np.ndarray
    label: str
    color: object = "C0"
    sweep: bool = True  # draw the dotted sweep under the hull
    sweep_alpha: float = 1.0
    positive_only: bool = False  # leave out points of cost 0 (log axes) and a hull vertex at 0
    hull_kw: dict = field(default_factory=dict)


def cost_quality_panel(ax, models, curves: Sequence[Curve], zero_label: str, c_max: float,
                       oracle: tuple[float, float] | None = None, oracle_label: str = "Oracle",
                       extra_points: Sequence[tuple] = (), annotate: bool = False, model_size: float = 28,
                       models_in_legend: bool = False, model_offset: int = 0, zero_width: float = 1.4):
    """Models, the Zero router (their NDCH), router curves and the Oracle on a log cost axis.

    Parameters
    ----------
    models : DataFrame with columns model, cost, quality
    curves : Curve per router
    zero_label : legend entry of the Zero router (e.g. with its AIQ)
    c_max : hulls are drawn flat up to this cost (the shared AIQ domain's end)
    oracle : (cost, quality) of the Oracle, drawn as a gold star
    extra_points : (cost, quality, marker, size, color, label) tuples (e.g. overgenerate-and-rerank)
    """
    mc, mq = models["cost"].to_numpy(float), models["quality"].to_numpy(float)
    for cv in curves:
        c, q = np.asarray(cv.cost, float), np.asarray(cv.quality, float)
        keep = c > 0 if cv.positive_only else np.ones(c.size, bool)
        if cv.sweep:
            plot_sweep(ax, c[keep], q[keep], color=cv.color, alpha=cv.sweep_alpha)
        h = ndch(c, q)
        hc, hq = h.cost, h.quality
        if cv.positive_only and hc[0] <= 0:
            hc, hq = hc[1:], hq[1:]
        if hc.size:
            plot_hull(ax, (hc, hq), c_max=c_max, color=cv.color, label=cv.label, **cv.hull_kw)
    plot_hull(ax, (mc, mq), c_max=c_max, color="k", linewidth=zero_width, label=zero_label)
    plot_models(ax, mc, mq, models["model"].tolist(), annotate=annotate, size=model_size, fontsize=5.5,
                label=models_in_legend, offset=model_offset)
    if oracle is not None:
        ax.scatter(*oracle, marker="*", s=150, color="gold", edgecolor="k", zorder=5, label=oracle_label)
    for c, q, marker, size, color, label in extra_points:
        ax.scatter(c, q, marker=marker, s=size, color=color, edgecolor="k", zorder=5, label=label)
    cost_axis(ax)
    return ax


def heatmap(ax, values: np.ndarray, rows: Sequence[str], cols: Sequence[str], text: np.ndarray | None = None,
            cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None, fontsize: float = 7,
            dark_below: float | None = None):
    """A matrix as coloured cells with a text per cell (``text`` (r, c) of str; NaN cells left blank).

    Returns the image (for a colour bar)."""
    v = np.asarray(values, float)
    im = ax.imshow(v, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.grid(False)
    if text is not None:
        for i in range(v.shape[0]):
            for j in range(v.shape[1]):
                if np.isfinite(v[i, j]):
                    colour = "w" if dark_below is not None and v[i, j] < dark_below else "k"
                    ax.text(j, i, text[i][j], ha="center", va="center", fontsize=fontsize, color=colour)
    return im


def legend_only(ax, keep):
    """Keep only the legend entries whose label passes ``keep(label)``."""
    handles, labels = ax.get_legend_handles_labels()
    idx = [i for i, lab in enumerate(labels) if keep(lab)]
    return [handles[i] for i in idx], [labels[i] for i in idx]
