"""Every numbered notebook follows the project's notebook conventions (checked on the .py sources)."""

import re
from pathlib import Path

import jupytext
import pytest

from routerlib.plots import FIGURES

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("[0-9][0-9]_*.py"))
DRAW = re.compile(r'\bdraw\(\s*"([^"]+)"')
WRITE = re.compile(r"\b(write_tables|write_csv)\(")


def code_of(path) -> str:
    return "\n".join(c.source for c in jupytext.read(path).cells if c.cell_type == "code")


def writes_table(code: str, table: str) -> bool:
    """The notebook names the table it writes: ``"<table>"``, ``<table>.csv``, or a study's
    ``.tables("<prefix>")`` that yields ``<prefix>_...`` tables (the ``draw`` calls do not count)."""
    code = DRAW.sub("draw(", code)
    if f'"{table}"' in code or f"{table}.csv" in code:
        return True
    return any(table.startswith(p + "_") for p in re.findall(r'\.tables\(\s*"([^"]+)"', code))


def test_notebooks_exist_and_numbered_uniquely():
    nums = [p.name[:2] for p in NOTEBOOKS]
    assert len(NOTEBOOKS) >= 9
    assert len(nums) == len(set(nums))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path):
    nb = jupytext.read(path)
    cells = nb.cells
    assert cells[0].cell_type == "markdown" and cells[0].source.lstrip().startswith("# "), "title first"
    assert "paper" in cells[0].source.lower(), "the title cell quotes or cites the paper"
    params = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged parameters"
    src = params[0].source
    for line in ('data: str = "sim"', "seed: int = 0", "scale: float = 1.0", 'seeds: str = "0,1,2,3,4"',
                 'embedder: str = "minilm"'):
        assert line in src, f"parameters cell lacks {line!r}"
    # literals only in the parameters cell
    for line in src.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            assert re.match(r"^\w+: \w+ = (\"[^\"]*\"|-?[\d.]+|True|False)$", line.strip()), line
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    # the figure is written by the project's helpers: CSVs with provenance, then the PNG drawn from them
    figures = DRAW.findall(code)
    assert figures, "draws its figure with routerlib.plots.draw (PNG from the saved tables)"
    write = WRITE.search(code)
    assert write, "writes the numbers behind the figure with write_tables / write_csv"
    assert write.start() < code.index("draw("), "writes the tables before drawing from them"
    for name in figures:
        assert name in FIGURES, f"draw({name!r}) is not a figure of routerlib.plots.FIGURES"
        for table in FIGURES[name][1]:
            assert writes_table(code, table), f"{name} reads {table}.csv, which this notebook does not write"
    for bad in (".savefig(", ".to_csv(", "plt.show("):
        assert bad not in code, f"{bad!r}: figures and tables go through routerlib.plots (draw, write_csv)"
    assert cells[-1].source.startswith("# NBVAL_CHECK_OUTPUT"), "last cell is the nbval check cell"
    assert "assert " in cells[-1].source, "the check cell asserts what must hold"
    for bad in ("%pip", "!pip", "/work/", "/home/", "http://", "https://"):
        assert bad not in code, f"{bad!r} in code"


def test_each_figure_is_drawn_by_one_notebook():
    drawn = [name for p in NOTEBOOKS for name in DRAW.findall(code_of(p))]
    assert len(drawn) == len(set(drawn)), drawn


@pytest.mark.parametrize("code, ok", [
    ('write_csv(t, out / "x.csv")\ndraw("pools", out)', False),  # pools.csv is not written
    ('write_tables({"pools": s}, out)\ndraw("pools", out)', True),
    ('write_tables(study.tables("fig5"), out)\ndraw("fig5_cascade", out)', True),
])
def test_the_table_check_can_fail(code, ok):
    assert all(writes_table(code, t) for n in DRAW.findall(code) for t in FIGURES[n][1]) is ok
