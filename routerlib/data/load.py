"""``load()``: the one dispatcher from a data name or path to :class:`RoutingData`.

* ``"sim"`` -- the simulated RouterBench (:func:`~routerlib.data.simulate.simulate_routerbench`);
* ``"rag-sim"`` -- the simulated RAG set (:func:`~routerlib.data.rag.simulate_rag`);
* ``"routerbench-0shot"``, ``"routerbench-5shot"`` -- the pinned hub files (:mod:`.hub`);
* a path to a file in the wide format (:mod:`.wide`) or the long format (:mod:`.long`),
  told apart by its columns.

The checks, each in one place:

* :func:`check_source` -- the arguments ``data`` (a known name, or a path to an existing file of
  a known type), ``scale`` in (0, 1] and ``seed`` an integer; :func:`load` and
  ``scripts/run_notebooks.py`` (before any notebook runs) call it.
* :func:`scale_rows` -- a seeded share of each dataset's prompts of a file; a dataset left
  without rows is named in a warning, and none left at all is refused, naming the scale.
* :func:`set_aside_small` -- after scaling, a dataset with fewer than :data:`MIN_SAMPLE_IDS`
  prompts (distinct eval name and sample id), or without a test row at the seed's 70/30 split,
  is set aside with one warning naming each, so no notebook meets it.
* Empty data is refused with an error naming the file: a file without rows, one without any
  row left after cleaning (:func:`~routerlib.data.clean.tidy`), or one whose every dataset was
  set aside.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .. import paths
from ..paper import DATASETS
from ..seeds import check_seed
from .core import RoutingData, check_scale
from .files import SUFFIXES, DataFileError, read_table
from .hub import HUB_FILES, fetch_hub_file
from .long import from_long, is_long
from .rag import simulate_rag
from .simulate import simulate_routerbench
from .wide import from_wide

__all__ = ["MIN_SAMPLE_IDS", "known_names", "check_source", "load", "load_routerbench", "read_file",
           "paper_datasets_only", "scale_rows", "set_aside_small"]

MIN_SAMPLE_IDS = 10  # a dataset with fewer sample ids (after scaling) is set aside


def known_names() -> tuple[str, ...]:
    """The data names :func:`load` knows besides paths: the simulations and the hub files."""
    return ("sim", "rag-sim", *HUB_FILES)


def check_source(data: str | Path, scale: float = 1.0, seed: int = 0) -> str:
    """Check the run's arguments before anything is loaded; return ``data`` ready for :func:`load`.

    Parameters
    ----------
    data : str or Path
        A known name (:func:`known_names`) or a path to an existing file ending in one of
        :data:`~routerlib.data.files.SUFFIXES`; a relative path is taken from the current directory.
    scale : float in (0, 1] (:func:`~routerlib.data.core.check_scale`)
    seed : int in [0, 2**32) (:func:`routerlib.seeds.check_seed`)

    Returns
    -------
    str : the name as given, or the file's absolute path

    Raises
    ------
    ValueError, FileNotFoundError, IsADirectoryError
        Naming the argument and its bad value.
    """
    check_seed(seed)
    check_scale(scale)
    s = str(data)
    if s in known_names():
        return s
    p = Path(s).expanduser()
    p = p if p.is_absolute() else Path.cwd() / p
    if not p.exists():
        raise FileNotFoundError(
            f"{s}: no such file, and not a known data name ({', '.join(known_names())}); expected one of those or "
            f"a path to a {', '.join(SUFFIXES)} file in the wide or long format"
        )
    if p.is_dir():
        raise IsADirectoryError(f"{s}: is a directory; give a data file ({', '.join(SUFFIXES)}) or a known name")
    if not p.name.lower().endswith(SUFFIXES):
        raise DataFileError(f"{s}: unknown file type; expected one of {', '.join(SUFFIXES)}")
    return str(p.resolve())


def read_file(path: str | Path, name: str | None = None, trust_pickle: bool | None = None) -> RoutingData:
    """A data file in the wide or the long format (told apart by its columns) as :class:`RoutingData`."""
    path = Path(path)
    df = read_table(path, trust_pickle=trust_pickle)
    name = name or paths.data_name(str(path))
    if is_long(df.columns):
        return from_long(df, name=name, source=str(path))
    return from_wide(df, name=name, source=str(path))


def load_routerbench(source: str | Path, raw_dir: Path | None = None, trust_pickle: bool | None = None) -> RoutingData:
    """Load RouterBench: ``"routerbench-0shot"``, ``"routerbench-5shot"`` or a data file.

    Hub names are downloaded once into ``data/raw`` (pinned revision) and their SHA-256
    is verified before unpickling. A path may be ``.csv``, ``.csv.gz``, ``.parquet`` or
    ``.pkl``, in the wide or the long format; a pickle is unpickled only when its SHA-256 is
    pinned or the caller trusts it (``trust_pickle=True`` or ``TRUST_PICKLE=1``;
    :func:`~routerlib.data.files.read_table`).
    """
    s = str(source)
    if s in HUB_FILES:
        return read_file(fetch_hub_file(s, raw_dir), name=s, trust_pickle=True)  # verified by SHA-256
    path = Path(s)
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no such file (expected 'routerbench-0shot', 'routerbench-5shot' or a path to a "
            f"{', '.join(SUFFIXES)} file in the RouterBench wide format or the long format)"
        )
    return read_file(path, trust_pickle=trust_pickle)


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


def set_aside_small(rd: RoutingData, seed: int = 0, min_ids: int = MIN_SAMPLE_IDS) -> RoutingData:
    """Set aside every dataset with fewer than ``min_ids`` sample ids or no test row at ``seed``.

    One warning names each dataset set aside with its count of sample ids. The 70/30 split
    is :meth:`RoutingData.split_mask` (the one every notebook uses).

    Raises
    ------
    ValueError
        When every dataset is set aside, naming the source.
    """
    test = rd.split_mask(seed=seed)
    small = []
    for d in rd.datasets:
        rows = rd.dataset == d
        ids = rd.n_prompts(d)
        if ids < min_ids or not test[rows].any():
            small.append((d, ids))
    if not small:
        return rd
    scale = float(rd.meta.get("scale", 1.0))
    where = f"{rd.meta.get('source', rd.name)}" + (f" at scale {scale:g}" if scale != 1 else "")
    names = ", ".join(f"{d} ({k} sample ids)" for d, k in small)
    if len(small) == len(rd.datasets):
        raise ValueError(
            f"{where}: no dataset has the {min_ids} sample ids a 70/30 split needs ({names}); "
            f"nothing to route" + ("; try a larger scale" if scale < 1 else "")
        )
    warnings.warn(
        f"{where}: set aside {len(small)} dataset(s) with fewer than {min_ids} sample ids or no test row "
        f"at seed {seed}: {names}; every notebook skips them",
        stacklevel=2,
    )
    out = rd.select(~np.isin(rd.dataset, [d for d, _ in small]))
    out.meta["datasets_set_aside"] = {d: k for d, k in small}
    return out


def scale_rows(rd: RoutingData, scale: float, seed: int = 0) -> RoutingData:
    """Keep a seeded share ``scale`` of each dataset's prompts (a draw of its own, purpose ``"scale/"``).

    Each dataset keeps ``round(scale * prompts)`` of its prompts, at least one where it has two or
    more (:meth:`RoutingData.split_mask`). A dataset of a single prompt keeps it only at a scale of
    0.5 or more; one left without rows is named in a warning with the scale.

    Raises
    ------
    ValueError
        When no dataset keeps a row, naming the source, the scale and every dataset.
    """
    full = {d: int((rd.dataset == d).sum()) for d in rd.datasets}
    before = rd.meta.get("row_share", {}) or {}
    out = rd.select(~rd.split_mask(seed=seed, test_size=1.0 - scale, purpose="scale/"))
    gone = [d for d in full if not np.any(out.dataset == d)]
    where = f"{rd.meta.get('source', rd.name)} at scale {scale:g}"
    if gone:
        names = ", ".join(f"{d} ({full[d]} rows)" for d in gone)
        if len(gone) == len(full):
            raise ValueError(f"{where}: no dataset keeps a row: {names}; try a larger scale")
        warnings.warn(f"{where}: {len(gone)} dataset(s) keep no row: {names}", stacklevel=3)
    out.meta["scale"] = scale
    out.meta["row_share"] = {d: int((out.dataset == d).sum()) / n * before.get(d, 1.0) for d, n in full.items()}
    if gone:
        out.meta["datasets_emptied_by_scale"] = gone
    return out


def load(data: str = "sim", seed: int = 0, scale: float = 1.0, paper_only: bool = True,
         trust_pickle: bool | None = None, min_ids: int = MIN_SAMPLE_IDS) -> RoutingData:
    """What every notebook calls: ``"sim"`` (simulated, seeded, scaled), ``"rag-sim"``, a hub
    name, or a path to a wide- or long-format file.

    The arguments are checked first (:func:`check_source`). ``scale < 1`` keeps that share of
    each dataset's sample ids of a file (seeded, for quick runs). With ``paper_only`` a file's rows
    outside the paper's seven datasets are set aside with a warning (:func:`paper_datasets_only`).
    Then every dataset too small to split is set aside with one warning (:func:`set_aside_small`).
    ``trust_pickle`` lets a ``.pkl`` whose SHA-256 is not pinned be unpickled.
    """
    data = check_source(data, scale, seed)
    if data == "sim":
        rd = simulate_routerbench(seed=seed, scale=scale)
    elif data == "rag-sim":
        rd = simulate_rag(seed=seed, scale=scale)
    else:
        rd = load_routerbench(data, trust_pickle=trust_pickle)
        if paper_only:
            rd = paper_datasets_only(rd)
        if scale < 1.0:
            rd = scale_rows(rd, scale, seed)
    return set_aside_small(rd, seed=seed, min_ids=min_ids)
