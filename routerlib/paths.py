"""Project paths, anchored to the package (cookiecutter-data-science style).

``ROUTERLIB_FIGURES`` (environment) moves the figure root, so test runs write to
``build/`` instead of the committed ``figures/``. ``ROUTERLIB_CACHE`` moves the cache.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
INTERIM_DIR = DATA_DIR / "interim"
SHARED_DIR = PROJ_ROOT.parent / "shared"
# the real rows that CI has beside the checkout (never copied into the project)
SHARED_ROUTERBENCH = SHARED_DIR / "data" / "routerbench" / "routerbench_5shot_arc_winogrande_mbpp.csv.gz"


def figures_root() -> Path:
    return Path(os.environ.get("ROUTERLIB_FIGURES", PROJ_ROOT / "figures"))


def cache_dir() -> Path:
    d = Path(os.environ.get("ROUTERLIB_CACHE", INTERIM_DIR))
    d.mkdir(parents=True, exist_ok=True)
    return d


def data_name(source: str) -> str:
    """Short name of a data source: ``sim``, ``routerbench-5shot``, or a file's stem."""
    s = str(source)
    if s in {"sim", "routerbench-0shot", "routerbench-5shot", "rag-sim"}:
        return s
    name = Path(s).name
    for suf in (".csv.gz", ".parquet", ".pkl", ".csv", ".gz"):
        if name.endswith(suf):
            name = name[: -len(suf)]
            break
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "data"


def figures_dir(source: str) -> Path:
    """``figures/<data name>/``, created if needed."""
    d = figures_root() / data_name(source)
    d.mkdir(parents=True, exist_ok=True)
    return d
