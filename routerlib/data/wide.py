"""RouterBench's wide format: one row per prompt, per model ``M`` the columns ``M`` (quality),
``M|total_cost`` (USD) and ``M|model_response``.

* :func:`from_wide` -- parse a wide DataFrame into :class:`~routerlib.data.core.RoutingData`
  (models found from the columns; a model without its quality or its cost column, or a column
  named twice, refused by name; ids and eval names as text, a blank one refused; quality stored
  as numbers, booleans or strings; duplicate (eval name, sample id) pairs merged and rows with
  missing values dropped, both counted, by :func:`~.clean.tidy`; the simulation marker columns
  read back).
* :func:`save_wide` -- write one back (:meth:`RoutingData.to_wide` builds the frame).

Reading a file is :func:`routerlib.data.files.read_table` (re-exported here).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .clean import (
    check_scores,
    id_text,
    parse_number,
    parse_quality,
    prompt_text,
    read_marker,
    response_text,
    text_values,
    tidy,
)
from .core import MARKER_COLUMNS, RoutingData, dataset_of
from .files import check_unique_columns, read_table, write_table

__all__ = ["read_table", "from_wide", "save_wide", "model_names", "KNOWN_COLUMNS"]


# columns of the wide format that are not a model's: RouterBench's own, and the simulation marker
KNOWN_COLUMNS = ("sample_id", "prompt", "eval_name", "oracle_model_to_route_to", "orig_index", *MARKER_COLUMNS)
MODEL_SUFFIXES = ("total_cost", "model_response", "latency")  # the columns M|<suffix> of a model M


def model_names(columns) -> list[str]:
    """The models of a wide frame: the prefixes ``M`` of its columns ``M|...``, in order."""
    models: list[str] = []
    for c in columns:
        if isinstance(c, str) and "|" in c:
            m = c.split("|", 1)[0]
            if m not in models:
                models.append(m)
    return models


def _looks_like_quality(series: pd.Series, col: str, src: str) -> bool:
    """Does a column hold quality values (numbers or True/False in [0, 1], at least one)?"""
    try:
        q = parse_quality(series, col, src)
    except (ValueError, TypeError):
        return False
    q = q[~np.isnan(q)]
    return q.size > 0 and bool(np.all((q >= 0) & (q <= 1)))


def _check_columns(df: pd.DataFrame, src: str) -> list[str]:
    """The models of a wide frame, each with its quality and cost column; refuse any without.

    A column outside :data:`KNOWN_COLUMNS` and without a ``|`` that holds values in [0, 1] is a
    model's quality column whose cost column is missing: refused. Other columns nobody reads
    (an index written by ``to_csv``, ``M|<other>``) are named in one warning.
    """
    check_unique_columns(df.columns, src)
    if "prompt" not in df.columns:
        raise ValueError(f"{src}: missing column 'prompt' (the wide format needs sample_id, prompt, eval_name)")
    for col in ("sample_id", "eval_name"):
        if col not in df.columns:
            raise ValueError(f"{src}: missing column {col!r}")
    models = model_names(df.columns)
    loose = [c for c in df.columns if c not in KNOWN_COLUMNS and c not in models and not (isinstance(c, str) and "|" in c)]
    unpaired = [c for c in loose if _looks_like_quality(df[c], str(c), src)]
    problems = [f"model {m!r} has no cost column {str(m) + '|total_cost'!r}" for m in unpaired]
    for m in models:
        if m not in df.columns:
            problems.append(f"model {m!r} has no quality column {m!r}")
        if f"{m}|total_cost" not in df.columns:
            problems.append(f"model {m!r} has no cost column {m + '|total_cost'!r}")
    if problems:
        raise ValueError(
            f"{src}: every model needs a quality column 'M' and a cost column 'M|total_cost': "
            + "; ".join(problems)
            + ("; a column holding values in [0, 1] is read as a model's quality: if one of these is not a "
               "model, remove or rename it" if unpaired else "")
        )
    if not models:
        raise ValueError(f"{src}: no model columns found (expected 'M' and 'M|total_cost' for each model M)")
    ignored = [str(c) for c in loose if c not in unpaired]
    ignored += [c for c in df.columns if isinstance(c, str) and "|" in c and c.split("|", 1)[1] not in MODEL_SUFFIXES]
    if ignored:
        warnings.warn(f"{src}: ignored {len(ignored)} column(s) that are neither a model's nor the format's: "
                      f"{', '.join(map(repr, ignored[:8]))}{', ...' if len(ignored) > 8 else ''}", stacklevel=4)
    return models


def save_wide(data: "RoutingData | pd.DataFrame", path: str | Path) -> Path:
    """Write RouterBench's wide format to ``path`` (.pkl, .csv, .csv.gz or .parquet, by its
    ending), the counterpart of :func:`load_routerbench`; simulated data keeps its marker columns."""
    return write_table(data.to_wide() if isinstance(data, RoutingData) else data, path)


def from_wide(df: pd.DataFrame, name: str = "data", source: str | None = None) -> RoutingData:
    """Parse RouterBench's wide format into :class:`RoutingData`.

    Parameters
    ----------
    df : DataFrame of n rows: ``sample_id``, ``prompt``, ``eval_name``, and per model ``M`` the
        columns ``M`` (quality in [0, 1]) and ``M|total_cost`` (USD); optional ``M|latency``,
        ``M|model_response`` and the simulation marker columns.
    name : str, the data's short name
    source : str, optional, the file (named in every message); defaults to ``name``

    Returns
    -------
    RoutingData of at most n rows: copies of a sample id merged, rows with a missing value
    dropped (:func:`~routerlib.data.clean.tidy`, each counted in a warning).

    Raises
    ------
    ValueError
        Naming the file and the missing column (and its model), a column named twice, a blank
        id or eval name (with its rows), or the column, row and value that is bad; or when no rows
        are left, or a dataset's costs are all 0.
    """
    src = source or name
    models = _check_columns(df, src)
    sample_id = id_text(df["sample_id"], "sample_id", src)
    eval_name = text_values(df["eval_name"], "eval_name", src, "eval name")
    n = len(df)
    quality = np.column_stack([parse_quality(df[m], m, src) for m in models]) if n else np.zeros((0, len(models)))
    cost_cols = [f"{m}|total_cost" for m in models]
    cost = np.column_stack([parse_number(df[c], c, src) for c in cost_cols]) if n else np.zeros((0, len(models)))
    check_scores(quality, cost, src, models, cost_cols, lambda i, j: f"row {i} (sample_id {sample_id[i]!r})")
    missing_text = df["prompt"].isna().to_numpy()
    for suffix in ("latency", "model_response"):
        lacking = [m for m in models if f"{m}|{suffix}" not in df.columns]
        if 0 < len(lacking) < len(models):
            warnings.warn(f"{src}: ignored every '|{suffix}' column: model(s) {', '.join(map(repr, lacking))} have "
                          f"none, and the data holds one for every model or for none", stacklevel=2)
    latency = None
    if all(f"{m}|latency" in df.columns for m in models):
        latency = np.column_stack([parse_number(df[f"{m}|latency"], f"{m}|latency", src) for m in models])
    responses = None
    if all(f"{m}|model_response" in df.columns for m in models):
        responses = np.column_stack([response_text(df[f"{m}|model_response"]) for m in models])
    dataset = np.array([dataset_of(e) for e in eval_name], dtype=object)
    marker = read_marker(df, dataset, src)
    meta: dict = {"source": src}
    if marker:
        meta.update(marker)
    rd = RoutingData(
        sample_id=sample_id,
        prompt=prompt_text(df["prompt"]),
        eval_name=eval_name,
        dataset=dataset,
        models=np.array(models, dtype=object),
        quality=quality,
        cost=cost,
        latency=latency,
        responses=responses,
        name=name,
        simulated=marker is not None,
        meta=meta,
    )
    return tidy(rd, src, missing_text=missing_text)
