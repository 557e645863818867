"""The long format: one row per (prompt, model).

Columns :data:`LONG_COLUMNS` -- ``prompt_id, prompt, dataset, model, quality, cost`` -- and
optionally ``latency`` and ``response``. ``dataset`` is the eval name (``mmlu-anatomy``,
``gsm8k``, ...; its family is :func:`~routerlib.data.core.dataset_of`), ``quality`` in [0, 1]
(numbers, booleans or ``True``/``False`` strings), ``cost`` in USD. A file with every one of
:data:`LONG_COLUMNS` (other columns are named in a warning), or with ``model`` and ``quality``
and no wide cost column (``M|total_cost``), is read as long (:func:`is_long`).

* :func:`from_long` -- parse a long frame into :class:`~routerlib.data.core.RoutingData`: one
  row per prompt -- a (dataset, prompt_id) pair, ids read as text -- one column per model (in
  order of first appearance). A prompt that some model has no row for is dropped, counted, and
  the warning names each model lacking rows with its count and its nearest other model name (a
  typo or trailing space shows up so); a (prompt, model) pair given twice is handled as a
  duplicate sample id (:func:`~routerlib.data.clean.merge_duplicates`: merged, or the first
  kept where the copies disagree, counted).
* :func:`to_long`, :func:`save_long` -- write one back (with the simulation marker columns).
"""

from __future__ import annotations

import difflib
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
from .files import check_unique_columns, write_table

__all__ = ["LONG_COLUMNS", "is_long", "from_long", "to_long", "save_long"]

LONG_COLUMNS = ("prompt_id", "prompt", "dataset", "model", "quality", "cost")


OPTIONAL_COLUMNS = ("latency", "response", *MARKER_COLUMNS)


def is_long(columns) -> bool:
    """Does a frame with these columns hold the long format?

    Yes when it has every one of :data:`LONG_COLUMNS` (whatever else it has), or ``model`` and
    ``quality`` but no wide cost column (``M|total_cost``), so that a long file missing a column
    is told so by :func:`from_long`.
    """
    cols = {str(c) for c in columns}
    if set(LONG_COLUMNS) <= cols:
        return True
    return {"model", "quality"} <= cols and not any(c.endswith("|total_cost") for c in cols)


def _coverage(have: np.ndarray, models) -> str:
    """Which models lack rows for some prompts, how many, and each one's nearest other model name
    (a typo, a trailing space); ``have`` is (prompts, models) bool."""
    lack = have.shape[0] - have.sum(axis=0)
    names = [str(m) for m in models]
    parts = []
    for j in np.argsort(-lack, kind="stable"):
        if lack[j] == 0:
            continue
        near = difflib.get_close_matches(names[j], names[:j] + names[j + 1:], n=1, cutoff=0.6)
        parts.append(f"model {names[j]!r} has no row for {int(lack[j])} of {have.shape[0]} prompts"
                     + (f" (did you mean {near[0]!r}?)" if near else ""))
    return "; ".join(parts)


def from_long(df: pd.DataFrame, name: str = "data", source: str | None = None) -> RoutingData:
    """Parse the long format into :class:`RoutingData`.

    A prompt is its ``dataset`` (eval name) and its ``prompt_id``: ids that restart in each
    dataset stay distinct prompts. Columns beyond :data:`LONG_COLUMNS`, ``latency``, ``response``
    and the marker columns are named in a warning and not read.

    Parameters
    ----------
    df : DataFrame of N rows, one per (prompt, model), with :data:`LONG_COLUMNS` (and optionally
        ``latency``, ``response``, the simulation marker columns)
    name : str, the data's short name
    source : str, optional, the file (named in every message); defaults to ``name``

    Returns
    -------
    RoutingData of n prompts x m models (n <= number of (dataset, prompt_id) pairs)

    Raises
    ------
    ValueError
        Naming the file and what is wrong: a missing column, a column named twice, a blank
        prompt_id, dataset or model (with its rows), a value out of range (with its row, prompt id
        and model), no prompt with a row for every model (naming the models that lack rows and
        their near names), or no prompt left.
    """
    src = source or name
    check_unique_columns(df.columns, src)
    missing = [c for c in LONG_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"{src}: the long format (one row per prompt and model) needs the columns {', '.join(LONG_COLUMNS)}"
            f"[, latency, response]; missing {', '.join(map(repr, missing))}"
        )
    extra = [str(c) for c in df.columns if c not in LONG_COLUMNS and c not in OPTIONAL_COLUMNS]
    if extra:
        warnings.warn(f"{src}: ignored {len(extra)} column(s) the long format does not read: "
                      f"{', '.join(map(repr, extra[:8]))}{', ...' if len(extra) > 8 else ''}", stacklevel=3)
    pid = id_text(df["prompt_id"], "prompt_id", src)
    dtxt = text_values(df["dataset"], "dataset", src, "dataset (eval name)")
    model = text_values(df["model"], "model", src, "model name")
    quality = parse_quality(df["quality"], "quality", src)
    cost = parse_number(df["cost"], "cost", src)
    check_scores(quality[:, None], cost[:, None], src, ["quality"], ["cost"],
                 lambda i, j: f"row {i} (prompt_id {pid[i]!r}, model {model[i]!r})")
    latency = parse_number(df["latency"], "latency", src) if "latency" in df.columns else None

    key = (pd.Series(dtxt, dtype=object) + "\x00" + pd.Series(pid, dtype=object)).to_numpy(object)
    pcode, pkeys = pd.factorize(key)
    mcode, models = pd.factorize(model)
    occ = pd.Series(pcode).groupby([pcode, mcode], sort=False).cumcount().to_numpy()  # copy number of a pair
    r, _ = pd.factorize(pcode.astype(np.int64) * (int(occ.max(initial=0)) + 1) + occ)  # one wide row per copy
    N, R, m = len(df), int(r.max(initial=-1)) + 1, len(models)
    rows = np.arange(N)
    first_of_row = np.full(R, N)
    np.minimum.at(first_of_row, r, rows)
    first_of_id = np.full(len(pkeys), N)
    np.minimum.at(first_of_id, pcode, rows)
    # the prompt text of a prompt is that of its first row
    head = first_of_id[pcode[first_of_row]]
    ptxt = prompt_text(df["prompt"])
    no_prompt = df["prompt"].isna().to_numpy()
    ref = first_of_id[pcode]
    other = (ptxt != ptxt[ref]) | (no_prompt != no_prompt[ref])
    if other.any():
        i = int(np.flatnonzero(other)[0])
        warnings.warn(
            f"{src}: {int(other.sum())} rows give another prompt text for their (dataset, prompt_id) than its first "
            f"row (e.g. row {i}: prompt_id {pid[i]!r} of {dtxt[i]!r}); the first row's is kept",
            stacklevel=3,
        )
    have = np.zeros((len(pkeys), m), dtype=bool)
    have[pcode, mcode] = True
    if not have.all():
        gaps = _coverage(have, models)
        if not have.all(axis=1).any():
            raise ValueError(f"{src}: no prompt has a row for every one of its {m} models: {gaps}")
        warnings.warn(f"{src}: {int((~have.all(axis=1)).sum())} prompts lack a row for some model (they are "
                      f"dropped): {gaps}", stacklevel=3)

    def grid(values, fill=np.nan, dtype=float):
        out = np.full((R, m), fill, dtype=dtype)
        out[r, mcode] = values
        return out

    responses = grid(response_text(df["response"]), "", object) if "response" in df.columns else None
    eval_name = dtxt[head]
    names, inverse = np.unique(dtxt.astype(str), return_inverse=True)
    marker = read_marker(df, np.array([dataset_of(e) for e in names], dtype=object)[inverse], src)
    meta: dict = {"source": src, "format": "long"}
    if marker:
        meta.update(marker)
    rd = RoutingData(
        sample_id=pid[head],
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
    return tidy(rd, src, missing_text=no_prompt[head])


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
