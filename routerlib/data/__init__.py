"""Benchmark data: the only package that reads data files or makes benchmarks.

Layers, each importing only those above it in this list:

* :mod:`.core` -- :class:`RoutingData` (split, the Oracle, model points, wide frame), :func:`dataset_of`
* :mod:`.wide` -- RouterBench's wide format: read a file, parse it, write it back
* :mod:`.hub` -- the pinned hub files: download once, SHA-256
* :mod:`.templates` -- prompt templates of the simulated benchmarks
* :mod:`.simulate` -- the simulated RouterBench (calibration, outcomes, costs)
* :mod:`.rag` -- the simulated RAG set, online models, time-sensitive queries
* :mod:`.load` -- :func:`load`, the one dispatcher: ``"sim"``, ``"rag-sim"``, a hub name or a path
"""

from ..paper import DATASETS
from .core import RoutingData, dataset_of
from .hub import HUB_FILES, fetch_hub_file, sha256_of
from .load import load, load_routerbench, paper_datasets_only
from .rag import online_models, simulate_rag, time_sensitive
from .simulate import simulate_routerbench
from .wide import from_wide, read_table, save_wide

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
]
