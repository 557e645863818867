"""``load()``: the one dispatcher from a data name or path to :class:`RoutingData`.

* ``"sim"`` -- the simulated RouterBench (:func:`~routerlib.data.simulate.simulate_routerbench`);
* ``"rag-sim"`` -- the simulated RAG set (:func:`~routerlib.data.rag.simulate_rag`);
* ``"routerbench-0shot"``, ``"routerbench-5shot"`` -- the pinned hub files (:mod:`.hub`);
* a path to a file in the wide format (:mod:`.wide`).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .. import paths
from ..paper import DATASETS
from .core import RoutingData
from .hub import HUB_FILES, fetch_hub_file
from .rag import simulate_rag
from .simulate import simulate_routerbench
from .wide import from_wide, read_table

__all__ = ["load", "load_routerbench", "paper_datasets_only"]


def load_routerbench(source: str | Path, raw_dir: Path | None = None) -> RoutingData:
    """Load RouterBench: ``"routerbench-0shot"``, ``"routerbench-5shot"`` or a wide-format file.

    Hub names are downloaded once into ``data/raw`` (pinned revision) and their SHA-256
    is verified before unpickling. A path may be ``.pkl``, ``.csv``, ``.csv.gz`` or
    ``.parquet``; a pickle is only ever opened from a path the user gave or a verified
    download.
    """
    s = str(source)
    if s in HUB_FILES:
        path = fetch_hub_file(s, raw_dir)
        name = s
    else:
        path = Path(s)
        if not path.exists():
            raise FileNotFoundError(
                f"{path}: no such file (expected 'routerbench-0shot', 'routerbench-5shot' or a path to a "
                f".pkl, .csv, .csv.gz or .parquet file in the RouterBench wide format)"
            )
        name = paths.data_name(s)
    df = read_table(path)
    return from_wide(df, name=name, source=str(path))


def paper_datasets_only(rd: RoutingData) -> RoutingData:
    """Keep the paper's seven eval families when the data has any of them.

    The 0-shot hub file also holds about 1,700 rows of small extra tasks; the paper's items
    are about the seven datasets of Table 1. The rows set aside are counted in a warning;
    data with none of the seven (e.g. a RAG set) is returned whole.
    """
    paper = [d for d in rd.datasets if d in DATASETS]
    others = [d for d in rd.datasets if d not in DATASETS]
    if not paper or not others:
        return rd
    keep = np.isin(rd.dataset, paper)
    warnings.warn(
        f"{rd.name}: set aside {int((~keep).sum())} rows of {len(others)} eval families outside the "
        f"paper's seven datasets ({', '.join(others[:5])}{', ...' if len(others) > 5 else ''})",
        stacklevel=2,
    )
    out = rd.select(keep)
    out.meta["rows_set_aside"] = int((~keep).sum())
    return out


def load(data: str = "sim", seed: int = 0, scale: float = 1.0, paper_only: bool = True) -> RoutingData:
    """What every notebook calls: ``"sim"`` (simulated, seeded, scaled), ``"rag-sim"``,
    a hub name, or a path to a wide-format file (``scale < 1`` keeps that share of each
    dataset's rows, seeded, for quick runs). With ``paper_only`` a file's rows outside the
    paper's seven datasets are set aside with a warning (:func:`paper_datasets_only`)."""
    if data == "sim":
        return simulate_routerbench(seed=seed, scale=scale)
    if data == "rag-sim":
        return simulate_rag(seed=seed, scale=scale)
    if not 0 < scale <= 1:
        raise ValueError(f"scale must lie in (0, 1] for a data file; got {scale}")
    rd = load_routerbench(data)
    if paper_only:
        rd = paper_datasets_only(rd)
    if scale < 1.0:  # keep a seeded share of each dataset's sample_ids (a draw of its own)
        full = {d: int((rd.dataset == d).sum()) for d in rd.datasets}
        rd = rd.select(~rd.split_mask(seed=seed, test_size=1.0 - scale, purpose="scale/"))
        rd.meta["scale"] = scale
        rd.meta["row_share"] = {d: int((rd.dataset == d).sum()) / n for d, n in full.items()}
    return rd
