"""One plotting style: rcParams, a fixed colour and marker per model, the source note, ``savefig``.

Every figure names its data source (and says SIMULATED when it is) via :func:`source_note`, and
:func:`savefig` writes a byte-stable PNG (no software or date metadata) and, when given, the
numbers behind it as CSV.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .. import __version__
from ..paper import MODELS

__all__ = ["STYLE", "PROVENANCE", "model_color", "model_marker", "source_note", "savefig", "cost_axis", "write_csv",
           "write_tables"]

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

_MARKERS = "o^sDv<>phP*X"


def _model_index(model: str, i: int | None) -> int:
    """The paper's models keep their Table 1 position; any other model its position ``i`` in the
    figure, or (none given) a CRC-32 of its name, the same in every process."""
    if model in MODELS:
        return MODELS.index(model)
    if i is not None:
        return int(i)
    return zlib.crc32(str(model).encode())


def model_color(model: str, i: int | None = None):
    """A fixed tab20 colour per model (:data:`routerlib.paper.MODELS` order)."""
    return plt.get_cmap("tab20")(_model_index(model, i) % 20)


def model_marker(model: str, i: int | None = None) -> str:
    """A fixed marker per model."""
    return _MARKERS[_model_index(model, 0 if i is None else i) % len(_MARKERS)]


def source_note(fig, label: str) -> None:
    """Write the data source in the figure's bottom-left corner."""
    fig.text(0.005, 0.005, f"data: {label}", fontsize=7, color="0.35", ha="left", va="bottom")


def cost_axis(ax, log: bool = True, unit: str = "total cost on the test split (USD)"):
    """Label the axes of a cost-quality panel (log cost by default)."""
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel("quality (mean score)")
    return ax


#: the columns every output CSV ends with (see :meth:`routerlib.data.RoutingData.provenance`);
#: ``routerlib_version`` is added by :func:`write_csv` itself, to every CSV
PROVENANCE = ("data", "label", "seed", "scale", "embedder", "routerlib_version")


def write_csv(table: pd.DataFrame, path: str | Path, provenance: dict | None = None) -> Path:
    """The numbers behind a figure, in the project's one CSV format (6 significant digits).

    ``provenance`` (data, label, seed, scale, embedder) is appended as constant columns, so a
    CSV says which run made it, and then ``routerlib_version`` (``routerlib.__version__``), with
    or without ``provenance``; a column the table already has is kept as it is.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = table.copy()
    for k, v in {**(provenance or {}), "routerlib_version": __version__}.items():
        if k not in out.columns:
            out[k] = v
    out.to_csv(path, index=False, float_format="%.6g")
    return path


def write_tables(tables: dict[str, pd.DataFrame], folder: str | Path, provenance: dict | None = None) -> list[Path]:
    """:func:`write_csv` of each table as ``<folder>/<name>.csv``."""
    return [write_csv(t, Path(folder) / f"{name}.csv", provenance) for name, t in tables.items()]


def savefig(fig, path: str | Path, table: pd.DataFrame | None = None) -> Path:
    """Save ``fig`` as ``path`` (.png, byte-stable) and ``table`` beside it as .csv."""
    path = Path(path)
    if path.suffix == "":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"Software": None} if path.suffix == ".png" else {"CreationDate": None}
    fig.savefig(path, metadata=meta, bbox_inches="tight")
    if table is not None:
        write_csv(table, path.with_suffix(".csv"))
    return path
