"""The long format: one row per (prompt, model).

Columns :data:`LONG_COLUMNS` -- ``prompt_id, prompt, dataset, model, quality, cost`` -- and
optionally ``latency`` and ``response``. ``dataset`` is the eval name (``mmlu-anatomy``,
``gsm8k``, ...; its family is :func:`~routerlib.data.core.dataset_of`), ``quality`` in [0, 1]
(numbers, booleans or ``True``/``False`` strings), ``cost`` in USD. Any csv, csv.gz or parquet
file with the columns ``model`` and ``quality`` and no wide model columns (``M|...``) is read as
long (:func:`is_long`).

* :func:`from_long` -- parse a long frame into :class:`~routerlib.data.core.RoutingData`: one
  row per prompt id, one column per model (in order of first appearance). A prompt that some
  model has no row for is dropped, counted; a (prompt, model) pair given twice is handled as a
  duplicate sample id (:func:`~routerlib.data.clean.merge_duplicates`: merged, or the first
  kept where the copies disagree, counted).
* :func:`to_long`, :func:`save_long` -- write one back (with the simulation marker columns).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .clean import parse_quality, read_marker, tidy
from .core import RoutingData, dataset_of
from .files import write_table

__all__ = ["LONG_COLUMNS", "is_long", "from_long", "to_long", "save_long"]

LONG_COLUMNS = ("prompt_id", "prompt", "dataset", "model", "quality", "cost")


def is_long(columns) -> bool:
    """Does a frame with these columns hold the long format? (``model`` and ``quality``, no ``M|...``)"""
    cols = [str(c) for c in columns]
    return {"model", "quality"} <= set(cols) and not any("|" in c for c in cols)


def _numbers(df: pd.DataFrame, col: str, src: str) -> np.ndarray:
    """Column ``col`` as floats, shape (N,); a value that is not a number raises, naming its row."""
    v = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
    bad = np.isnan(v) & df[col].notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{src}: column {col!r} row {i}: {df[col].iloc[i]!r} is not a number")
    return v


def from_long(df: pd.DataFrame, name: str = "data", source: str | None = None) -> RoutingData:
    """Parse the long format into :class:`RoutingData`.

    Parameters
    ----------
    df : DataFrame of N rows, one per (prompt, model), with :data:`LONG_COLUMNS` (and optionally
        ``latency``, ``response``, the simulation marker columns)
    name : str, the data's short name
    source : str, optional, the file (named in every message); defaults to ``name``

    Returns
    -------
    RoutingData of n prompts x m models (n <= number of prompt ids)

    Raises
    ------
    ValueError
        Naming the file and what is wrong: a missing column, a value out of range (with its row,
        prompt id and model), or no prompt left.
    """
    src = source or name
    missing = [c for c in LONG_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"{src}: the long format (one row per prompt and model) needs the columns {', '.join(LONG_COLUMNS)}"
            f"[, latency, response]; missing {', '.join(map(repr, missing))}"
        )
    unplaced = df["prompt_id"].isna().to_numpy() | df["model"].isna().to_numpy()
    if unplaced.any():
        warnings.warn(f"{src}: dropped {int(unplaced.sum())} of {len(df)} rows without a prompt_id or model",
                      stacklevel=3)
        df = df[~unplaced]
    quality = parse_quality(df["quality"], "quality", src)
    cost = _numbers(df, "cost", src)
    where = lambda i: f"row {i} (prompt_id {df['prompt_id'].iloc[i]!r}, model {df['model'].iloc[i]!r})"  # noqa: E731
    bad = np.flatnonzero(~np.isnan(quality) & ((quality < 0) | (quality > 1)))
    if bad.size:
        raise ValueError(f"{src}: column 'quality' {where(bad[0])}: quality {float(quality[bad[0]])!r} outside [0, 1]")
    bad = np.flatnonzero(~np.isnan(cost) & ((cost < 0) | ~np.isfinite(cost)))
    if bad.size:
        raise ValueError(f"{src}: column 'cost' {where(bad[0])}: cost {float(cost[bad[0]])!r} is negative or infinite")
    latency = _numbers(df, "latency", src) if "latency" in df.columns else None

    pid = df["prompt_id"].astype(str).to_numpy(object)
    model = df["model"].astype(str).to_numpy(object)
    pcode, pids = pd.factorize(pid)
    mcode, models = pd.factorize(model)
    occ = df.groupby([pid, model], sort=False).cumcount().to_numpy()  # copy number of a (prompt, model) pair
    r, _ = pd.factorize(pcode.astype(np.int64) * (int(occ.max(initial=0)) + 1) + occ)  # one wide row per copy
    N, R, m = len(df), int(r.max(initial=-1)) + 1, len(models)
    rows = np.arange(N)
    first_of_row = np.full(R, N)
    np.minimum.at(first_of_row, r, rows)
    first_of_id = np.full(len(pids), N)
    np.minimum.at(first_of_id, pcode, rows)
    # the prompt text and dataset of a prompt id are those of its first row
    head = first_of_id[pcode[first_of_row]]
    prompt_col, dataset_col = df["prompt"].to_numpy(object), df["dataset"].to_numpy(object)
    ptxt, dtxt = df["prompt"].astype(str).to_numpy(object), df["dataset"].astype(str).to_numpy(object)
    ref = first_of_id[pcode]
    other = (ptxt != ptxt[ref]) | (dtxt != dtxt[ref])
    if other.any():
        warnings.warn(
            f"{src}: {int(other.sum())} rows give another prompt text or dataset for their prompt_id than its first "
            f"row (e.g. prompt_id {pid[np.flatnonzero(other)[0]]!r}); the first row's is kept",
            stacklevel=3,
        )

    def grid(values, fill=np.nan, dtype=float):
        out = np.full((R, m), fill, dtype=dtype)
        out[r, mcode] = values
        return out

    responses = grid(df["response"].astype(str).to_numpy(object), "", object) if "response" in df.columns else None
    eval_name = dtxt[head]
    names, inverse = np.unique(dtxt.astype(str), return_inverse=True)
    marker = read_marker(df, np.array([dataset_of(e) for e in names], dtype=object)[inverse], src)
    meta: dict = {"source": src, "format": "long"}
    if marker:
        meta.update(marker)
    rd = RoutingData(
        sample_id=pids[pcode[first_of_row]].astype(object),
        prompt=ptxt[head],
        eval_name=eval_name,
        dataset=np.array([dataset_of(e) for e in eval_name], dtype=object),
        models=np.asarray(models, dtype=object),
        quality=grid(quality),
        cost=grid(cost),
        latency=None if latency is None else grid(latency),
        responses=responses,
        name=name,
        simulated=marker is not None,
        meta=meta,
    )
    missing_text = pd.isna(prompt_col[head]) | pd.isna(dataset_col[head])
    return tidy(rd, src, missing_text=np.asarray(missing_text, dtype=bool))


def to_long(data: RoutingData) -> pd.DataFrame:
    """The long format of ``data``: n * m rows (prompt by prompt, models in order), plus the
    simulation marker columns when it is simulated; :func:`from_long` reads it back."""
    n, m = data.n, data.m
    i = np.repeat(np.arange(n), m)
    j = np.tile(np.arange(m), n)
    cols: dict[str, object] = {
        "prompt_id": data.sample_id[i],
        "prompt": data.prompt[i],
        "dataset": data.eval_name[i],
        "model": data.models[j],
        "quality": data.quality[i, j],
        "cost": data.cost[i, j],
    }
    if data.latency is not None:
        cols["latency"] = data.latency[i, j]
    if data.responses is not None:
        cols["response"] = data.responses[i, j]
    cols.update({k: v[i] for k, v in data.marker_columns().items()})
    return pd.DataFrame(cols)


def save_long(data: RoutingData, path: str | Path) -> Path:
    """Write the long format of ``data`` to ``path`` (.csv, .csv.gz, .parquet, by its ending)."""
    return write_table(to_long(data), path)
