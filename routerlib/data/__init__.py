"""Benchmark data: the only package that reads data files or makes benchmarks.

Layers, each importing only those above it in this list:

* :mod:`.core` -- :class:`RoutingData` (split, the Oracle, model points, wide frame), :func:`dataset_of`
* :mod:`.hub` -- the pinned hub files: download once, SHA-256, fail fast offline
* :mod:`.files` -- table files in and out, every read error named, untrusted pickles refused,
  text columns read as written, a column named twice refused
* :mod:`.clean` -- the checks every format shares: ids and names as text (a blank one refused),
  one range check for quality and cost, duplicate (eval name, sample id) pairs merged, missing
  values dropped (counted), empty data and a dataset without any cost refused, the simulation
  marker read back
* :mod:`.wide` -- RouterBench's wide format (one row per prompt): parse it, write it back
* :mod:`.long` -- the long format (one row per prompt and model): parse it, write it back
* :mod:`.templates` -- prompt templates of the simulated benchmarks
* :mod:`.simulate` -- the simulated RouterBench (calibration, outcomes, costs)
* :mod:`.rag` -- the simulated RAG set, online models, time-sensitive queries
* :mod:`.load` -- :func:`load`, the one dispatcher: ``"sim"``, ``"rag-sim"``, a hub name or a path;
  :func:`check_source` (the run's arguments), small datasets set aside
"""

from ..paper import DATASETS
from .clean import merge_duplicates
from .core import MARKER_COLUMNS, RoutingData, dataset_of
from .files import DataFileError, read_table, write_table
from .hub import HUB_FILES, fetch_hub_file, sha256_of
from .load import MIN_SAMPLE_IDS, check_source, load, load_routerbench, paper_datasets_only, read_file, set_aside_small
from .long import LONG_COLUMNS, from_long, is_long, save_long, to_long
from .rag import online_models, simulate_rag, time_sensitive
from .simulate import simulate_routerbench
from .wide import from_wide, save_wide

__all__ = [
    "DATASETS",
    "RoutingData",
    "dataset_of",
    "HUB_FILES",
    "fetch_hub_file",
    "sha256_of",
    "load",
    "load_routerbench",
    "paper_datasets_only",
    "simulate_routerbench",
    "simulate_rag",
    "online_models",
    "time_sensitive",
    "from_wide",
    "read_table",
    "save_wide",
    "write_table",
    "DataFileError",
    "MARKER_COLUMNS",
    "merge_duplicates",
    "MIN_SAMPLE_IDS",
    "check_source",
    "read_file",
    "set_aside_small",
    "LONG_COLUMNS",
    "from_long",
    "is_long",
    "to_long",
    "save_long",
]
