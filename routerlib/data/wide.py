"""RouterBench's wide format: one row per prompt, per model ``M`` the columns ``M`` (quality),
``M|total_cost`` (USD) and ``M|model_response``.

* :func:`from_wide` -- parse a wide DataFrame into :class:`~routerlib.data.core.RoutingData`
  (models found from the columns; quality stored as numbers, booleans or strings; duplicate
  sample ids merged and rows with missing values dropped, both counted, by :func:`~.clean.tidy`;
  the simulation marker columns read back).
* :func:`save_wide` -- write one back (:meth:`RoutingData.to_wide` builds the frame).

Reading a file is :func:`routerlib.data.files.read_table` (re-exported here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .clean import parse_quality, read_marker, tidy
from .core import RoutingData, dataset_of
from .files import read_table, write_table

__all__ = ["read_table", "from_wide", "save_wide", "model_names"]


def model_names(columns) -> list[str]:
    """The models of a wide frame: the prefixes ``M`` of its columns ``M|...``, in order."""
    models: list[str] = []
    for c in columns:
        if isinstance(c, str) and "|" in c:
            m = c.split("|", 1)[0]
            if m not in models:
                models.append(m)
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
        Naming the file and the missing column, or the column, row and value that is bad; or
        when no rows are left.
    """
    src = source or name
    if "prompt" not in df.columns:
        raise ValueError(f"{src}: missing column 'prompt' (the wide format needs sample_id, prompt, eval_name)")
    for col in ("sample_id", "eval_name"):
        if col not in df.columns:
            raise ValueError(f"{src}: missing column {col!r}")
    models = model_names(df.columns)
    if not models:
        raise ValueError(f"{src}: no model columns found (expected 'M' and 'M|total_cost' for each model M)")
    for m in models:
        if m not in df.columns:
            raise ValueError(f"{src}: model {m!r} has no quality column {m!r}")
        if f"{m}|total_cost" not in df.columns:
            raise ValueError(f"{src}: model {m!r} has no cost column {m + '|total_cost'!r}")
    n = len(df)
    quality = np.column_stack([parse_quality(df[m], m, src) for m in models]) if n else np.zeros((0, len(models)))
    try:
        cost = np.column_stack([pd.to_numeric(df[f"{m}|total_cost"], errors="raise").to_numpy(float) for m in models])
    except (ValueError, TypeError) as e:
        raise ValueError(f"{src}: a '|total_cost' column holds a value that is not a number ({e})") from None
    bad_q = ~np.isnan(quality) & ((quality < 0) | (quality > 1))
    if bad_q.any():
        i, j = np.argwhere(bad_q)[0]
        raise ValueError(
            f"{src}: column {models[j]!r} row {i} (sample_id {df['sample_id'].iloc[i]!r}): "
            f"quality {float(quality[i, j])!r} outside [0, 1]"
        )
    bad_c = ~np.isnan(cost) & ((cost < 0) | ~np.isfinite(cost))
    if bad_c.any():
        i, j = np.argwhere(bad_c)[0]
        raise ValueError(
            f"{src}: column {models[j] + '|total_cost'!r} row {i} (sample_id {df['sample_id'].iloc[i]!r}): "
            f"cost {float(cost[i, j])!r} is negative or infinite"
        )
    no_id = df["sample_id"].isna().to_numpy()
    missing_text = no_id | df["prompt"].isna().to_numpy() | df["eval_name"].isna().to_numpy()
    latency = None
    if all(f"{m}|latency" in df.columns for m in models):
        try:
            latency = np.column_stack([pd.to_numeric(df[f"{m}|latency"]).to_numpy(float) for m in models])
        except (ValueError, TypeError) as e:
            raise ValueError(f"{src}: a '|latency' column holds a value that is not a number ({e})") from None
    responses = None
    if all(f"{m}|model_response" in df.columns for m in models):
        responses = np.column_stack([df[f"{m}|model_response"].astype(str).to_numpy(object) for m in models])
    eval_name = df["eval_name"].astype(str).to_numpy(object)
    dataset = np.array([dataset_of(e) for e in eval_name], dtype=object)
    marker = read_marker(df, dataset, src)
    meta: dict = {"source": src}
    if marker:
        meta.update(marker)
    rd = RoutingData(
        sample_id=df["sample_id"].astype(str).to_numpy(object),
        prompt=df["prompt"].astype(str).to_numpy(object),
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
    return tidy(rd, src, missing_text=missing_text, no_id=no_id)
