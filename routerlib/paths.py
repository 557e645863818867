"""Project paths, anchored to the package (cookiecutter-data-science style).

``ROUTERLIB_FIGURES`` (environment) moves the figure root, so test runs write to
``build/`` instead of the committed ``figures/``. ``ROUTERLIB_CACHE`` moves the cache.

In a checkout (``pyproject.toml`` beside the package) data go to ``data/raw`` (downloads) and
``data/interim`` (caches) and figures to ``figures/``, as ``data/README.md`` describes. An
installed routerlib (``pip install``, the package in ``site-packages``) never writes beside
itself: its data folder is ``$XDG_CACHE_HOME/routerlib`` (``~/.cache/routerlib``), its figures go
to ``figures/`` in the working directory, and a relative ``ROUTERLIB_*`` path is taken from the
working directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
#: True in a checkout of the project; False when routerlib is installed (site-packages)
IN_CHECKOUT = (PROJ_ROOT / "pyproject.toml").is_file()
DATA_DIR = PROJ_ROOT / "data" if IN_CHECKOUT else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "routerlib"
RAW_DIR = DATA_DIR / "raw"
INTERIM_DIR = DATA_DIR / "interim"
SHARED_DIR = PROJ_ROOT.parent / "shared"
# the real rows that CI has beside the checkout (never copied into the project)
SHARED_ROUTERBENCH = SHARED_DIR / "data" / "routerbench" / "routerbench_5shot_arc_winogrande_mbpp.csv.gz"


def _from_env(var: str, default: Path) -> Path:
    """``$var`` as a path (a relative one is taken from the project root in a checkout, whatever the
    cwd; from the working directory when routerlib is installed), else ``default``."""
    value = os.environ.get(var)
    if not value:
        return default
    p = Path(value)
    return p if p.is_absolute() else (PROJ_ROOT if IN_CHECKOUT else Path.cwd()) / p


def figures_root() -> Path:
    return _from_env("ROUTERLIB_FIGURES", PROJ_ROOT / "figures" if IN_CHECKOUT else Path.cwd() / "figures")


def cache_dir() -> Path:
    d = _from_env("ROUTERLIB_CACHE", INTERIM_DIR)
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


def figures_dir(source: str, scale: float = 1.0) -> Path:
    """``figures/<data name>/`` (``figures/<data name>-scale<s>/`` for a scale other than 1), created if needed.

    >>> figures_dir("sim").name, figures_dir("sim", 0.1).name
    ('sim', 'sim-scale0.1')
    """
    name = data_name(source) + ("" if float(scale) == 1.0 else f"-scale{float(scale):g}")
    d = figures_root() / name
    d.mkdir(parents=True, exist_ok=True)
    return d
