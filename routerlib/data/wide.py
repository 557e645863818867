"""RouterBench's wide format: one row per prompt, per model ``M`` the columns ``M`` (quality),
``M|total_cost`` (USD) and ``M|model_response``.

* :func:`read_table` -- a ``.pkl``, ``.csv``, ``.csv.gz`` or ``.parquet`` file as a DataFrame.
* :func:`from_wide` -- parse a wide DataFrame into :class:`~routerlib.data.core.RoutingData`
  (models found from the columns; quality stored as numbers, booleans or strings).
* :func:`save_wide` -- write one back (:meth:`RoutingData.to_wide` builds the frame).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .core import RoutingData, dataset_of

__all__ = ["read_table", "from_wide", "save_wide"]

_TRUE = {"true", "t", "yes"}
_FALSE = {"false", "f", "no"}



def _quality_column(series: pd.Series, col: str, source: str) -> np.ndarray:
    """Quality values as floats; booleans and 'True'/'False' strings become 1/0."""
    s = series
    if s.dtype == bool:
        return s.to_numpy(float)
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(float)
    out = np.full(len(s), np.nan)
    vals = s.to_numpy(object)
    for i, v in enumerate(vals):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            out[i] = float(v)
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            out[i] = float(v)
            continue
        t = str(v).strip()
        if t == "" or t.lower() in {"nan", "none", "null"}:
            continue
        if t.lower() in _TRUE:
            out[i] = 1.0
        elif t.lower() in _FALSE:
            out[i] = 0.0
        else:
            try:
                out[i] = float(t)
            except ValueError:
                raise ValueError(
                    f"{source}: column {col!r} row {i}: quality value {v!r} is not a number or True/False"
                ) from None
    return out


def read_table(path: Path) -> pd.DataFrame:
    name = path.name.lower()
    if name.endswith(".pkl") or name.endswith(".pickle"):
        obj = pd.read_pickle(path)
    elif name.endswith(".csv") or name.endswith(".csv.gz"):
        obj = pd.read_csv(path, low_memory=False)
    elif name.endswith(".parquet"):
        obj = pd.read_parquet(path)
    else:
        raise ValueError(f"{path}: unknown file type; expected .pkl, .csv, .csv.gz or .parquet")
    if not isinstance(obj, pd.DataFrame):
        raise ValueError(f"{path}: holds a {type(obj).__name__}, not a pandas DataFrame in the wide format")
    return obj


def save_wide(data: "RoutingData | pd.DataFrame", path: str | Path) -> Path:
    """Write RouterBench's wide format to ``path`` (.pkl, .csv, .csv.gz or .parquet, by its
    ending), the counterpart of :func:`load_routerbench`."""
    df = data.to_wide() if isinstance(data, RoutingData) else data
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".parquet"):
        df.to_parquet(path)
    elif name.endswith(".pkl") or name.endswith(".pickle"):
        df.to_pickle(path)
    elif name.endswith(".csv") or name.endswith(".csv.gz"):
        df.to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: unknown file type; expected .pkl, .csv, .csv.gz or .parquet")
    return path


def from_wide(df: pd.DataFrame, name: str = "data", source: str | None = None) -> RoutingData:
    """Parse RouterBench's wide format into :class:`RoutingData`.

    Models are the prefixes ``M`` of columns ``M|...``; each needs ``M`` (quality) and
    ``M|total_cost``. Rows with a missing quality or cost are dropped with a warning.
    """
    src = source or name
    if "prompt" not in df.columns:
        raise ValueError(f"{src}: missing column 'prompt' (the wide format needs sample_id, prompt, eval_name)")
    for col in ("sample_id", "eval_name"):
        if col not in df.columns:
            raise ValueError(f"{src}: missing column {col!r}")
    models: list[str] = []
    for c in df.columns:
        if isinstance(c, str) and "|" in c:
            m = c.split("|", 1)[0]
            if m not in models:
                models.append(m)
    if not models:
        raise ValueError(f"{src}: no model columns found (expected 'M' and 'M|total_cost' for each model M)")
    for m in models:
        if m not in df.columns:
            raise ValueError(f"{src}: model {m!r} has no quality column {m!r}")
        if f"{m}|total_cost" not in df.columns:
            raise ValueError(f"{src}: model {m!r} has no cost column {m + '|total_cost'!r}")
    n = len(df)
    quality = np.column_stack([_quality_column(df[m], m, src) for m in models]) if n else np.zeros((0, len(models)))
    try:
        cost = np.column_stack([pd.to_numeric(df[f"{m}|total_cost"], errors="raise").to_numpy(float) for m in models])
    except (ValueError, TypeError) as e:
        raise ValueError(f"{src}: a '|total_cost' column holds a value that is not a number ({e})") from None
    bad_q = ~np.isnan(quality) & ((quality < 0) | (quality > 1))
    if bad_q.any():
        i, j = np.argwhere(bad_q)[0]
        raise ValueError(
            f"{src}: column {models[j]!r} row {i} (sample_id {df['sample_id'].iloc[i]!r}): "
            f"quality {quality[i, j]!r} outside [0, 1]"
        )
    bad_c = ~np.isnan(cost) & ((cost < 0) | ~np.isfinite(cost))
    if bad_c.any():
        i, j = np.argwhere(bad_c)[0]
        raise ValueError(
            f"{src}: column {models[j] + '|total_cost'!r} row {i} (sample_id {df['sample_id'].iloc[i]!r}): "
            f"cost {cost[i, j]!r} is negative or infinite"
        )
    missing = np.isnan(quality).any(axis=1) | np.isnan(cost).any(axis=1)
    missing |= df["prompt"].isna().to_numpy() | df["eval_name"].isna().to_numpy() | df["sample_id"].isna().to_numpy()
    if missing.any():
        warnings.warn(
            f"{src}: dropped {int(missing.sum())} of {n} rows with a missing quality, cost, prompt, "
            f"eval_name or sample_id",
            stacklevel=3,
        )
    keep = ~missing
    latency = None
    if all(f"{m}|latency" in df.columns for m in models):
        latency = np.column_stack([pd.to_numeric(df[f"{m}|latency"]).to_numpy(float) for m in models])[keep]
    responses = None
    if all(f"{m}|model_response" in df.columns for m in models):
        responses = np.column_stack([df[f"{m}|model_response"].astype(str).to_numpy(object) for m in models])[keep]
    eval_name = df["eval_name"].astype(str).to_numpy(object)[keep]
    return RoutingData(
        sample_id=df["sample_id"].astype(str).to_numpy(object)[keep],
        prompt=df["prompt"].astype(str).to_numpy(object)[keep],
        eval_name=eval_name,
        dataset=np.array([dataset_of(e) for e in eval_name], dtype=object),
        models=np.array(models, dtype=object),
        quality=quality[keep],
        cost=cost[keep],
        latency=latency,
        responses=responses,
        name=name,
        simulated=False,
        meta={"source": src, "rows_dropped": int(missing.sum())},
    )
