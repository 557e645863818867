"""Every figure of routerlib.plots.FIGURES draws from the committed CSVs (figures/sim, figures/rag-sim),
names what it plots on both axes, and carries the data-source line it is given."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from routerlib.plots.figures import FIGURES, cascade_figure, read_tables  # noqa: E402

PROJ_ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (PROJ_ROOT / "figures" / "sim", PROJ_ROOT / "figures" / "rag-sim")
LABEL = "DATA SOURCE LINE 1234"
#: figures whose committed tables predate a change of their columns (name -> why); empty after `make reproduce`
STALE: dict[str, str] = {}


def _folder(tables) -> Path:
    return next(d for d in FOLDERS if all((d / f"{t}.csv").exists() for t in tables))


def _named(axis) -> bool:
    """An axis says what it shows: a label, or tick labels that are words (categories)."""
    return bool(axis.get_label_text()) or any(re.search("[A-Za-z]", t.get_text()) for t in axis.get_ticklabels())


def _params():
    for name in FIGURES:
        marks = [pytest.mark.xfail(reason=STALE[name], raises=AttributeError, strict=True)] if name in STALE else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", _params())
def test_figure_draws_from_committed_csvs_with_named_axes(name):
    fn, tables = FIGURES[name]
    kw = {"name": name} if fn is cascade_figure else {}
    fig = fn(read_tables(_folder(tables), tables), LABEL, **kw)
    try:
        fig.canvas.draw()  # fills the tick labels
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison
                  and (ax.lines or ax.collections or ax.patches or ax.images)]
        assert panels, f"{name}: nothing drawn"
        for ax in panels:
            assert ax.get_xlabel() or ax.get_ylabel() or ax.get_title(), f"{name}: a panel with no label or title"
        assert any(_named(ax.xaxis) for ax in panels), f"{name}: no x axis says what it shows"
        assert any(_named(ax.yaxis) for ax in panels), f"{name}: no y axis says what it shows"
        texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        assert any(LABEL in t for t in texts), f"{name}: the data-source line is not shown"
    finally:
        plt.close(fig)


def test_axis_check_can_fail():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    fig.canvas.draw()
    assert not _named(ax.xaxis)  # numbers only, no label
    ax.set_xlabel("cost")
    assert _named(ax.xaxis)
    plt.close(fig)
