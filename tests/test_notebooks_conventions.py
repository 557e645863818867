"""Every numbered notebook follows the conventions of STYLE.md (checked on the .py sources)."""

import re
from pathlib import Path

import jupytext
import pytest

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("[0-9][0-9]_*.py"))


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
    assert "savefig(" in code or "figure" in code, "saves a figure"
    assert cells[-1].source.startswith("# NBVAL_CHECK_OUTPUT"), "last cell is the nbval check cell"
    assert "assert " in cells[-1].source, "the check cell asserts what must hold"
    for bad in ("%pip", "!pip", "/work/", "/home/", "http://", "https://"):
        assert bad not in code, f"{bad!r} in code"
