"""Plotting: one style, the panels figures are made of, and each figure drawn from its saved tables.

* :mod:`.style` -- rcParams, a fixed colour and marker per model, ``savefig`` (byte-stable PNG)
* :mod:`.panels` -- models, hulls, sweeps, the cost-quality panel, heatmaps
* :mod:`.figures` -- one function per kind of figure, from the figure's CSVs; :func:`draw`
"""

from .figures import FIGURES, draw, read_tables
from .panels import Curve, cost_quality_panel, heatmap, plot_hull, plot_models, plot_sweep
from .style import STYLE, cost_axis, model_color, model_marker, savefig, source_note, write_csv, write_tables

__all__ = ["FIGURES", "draw", "read_tables", "Curve", "cost_quality_panel", "heatmap", "plot_hull", "plot_models",
           "plot_sweep", "STYLE", "cost_axis", "model_color", "model_marker", "savefig", "source_note", "write_csv", "write_tables"]
