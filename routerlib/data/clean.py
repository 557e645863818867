"""From parsed columns to a clean :class:`RoutingData`: the checks every file format shares.

* :func:`parse_quality` -- quality values stored as numbers, booleans or strings, as floats.
* :func:`read_marker` -- the simulation marker columns (:data:`routerlib.data.core.MARKER_COLUMNS`)
  of a frame, so a file that came from the simulation stays labelled simulated.
* :func:`merge_duplicates` -- rows sharing a ``sample_id`` become one: a model's score missing in
  one copy is taken from another; where copies disagree the first copy's score is kept. One
  warning counts both cases.
* :func:`tidy` -- what every reader ends with: refuse a file without rows, merge duplicate ids,
  drop rows with a missing value (one warning counting them), refuse data left without rows.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from .core import MARKER_COLUMNS, RoutingData

__all__ = ["parse_quality", "read_marker", "merge_duplicates", "tidy"]

_TRUE = {"true", "t", "yes"}
_FALSE = {"false", "f", "no"}


def parse_quality(series: pd.Series, col: str, source: str) -> np.ndarray:
    """Quality values as floats, shape (n,); booleans and 'True'/'False' strings become 1/0, blanks NaN.

    Raises
    ------
    ValueError
        Naming the file, column, row and value of the first entry that is neither.
    """
    s = series
    if s.dtype == bool or pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(float)
    out = np.full(len(s), np.nan)
    for i, v in enumerate(s.to_numpy(object)):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
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


def read_marker(df: pd.DataFrame, dataset: np.ndarray, source: str) -> dict | None:
    """The simulation facts a file's marker columns carry, or None for a file without them.

    Parameters
    ----------
    df : DataFrame of n rows, with the marker columns of :meth:`RoutingData.marker_columns`
    dataset : ndarray of shape (n,), the eval family of each row (for the row shares)

    Returns
    -------
    dict with ``simulation`` ({kind, seed, scale}) and ``row_share`` (dataset -> share), or None
    """
    flag = MARKER_COLUMNS[0]
    if flag not in df.columns:
        return None
    marked = df[flag].astype(str).str.strip().str.lower().isin({"true", "1", "1.0", "yes"}).to_numpy()
    if not marked.any():
        return None
    first = int(np.flatnonzero(marked)[0])

    def value(col, cast, default):
        if col not in df.columns or pd.isna(df[col].iloc[first]):
            return default
        try:
            return cast(df[col].iloc[first])
        except (TypeError, ValueError):
            raise ValueError(
                f"{source}: column {col!r}: {df[col].iloc[first]!r} is not a valid {cast.__name__}"
            ) from None

    sim = {"kind": value("simulation_kind", str, "RouterBench"), "seed": value("simulation_seed", int, "?"),
           "scale": value("simulation_scale", float, 1.0)}
    share = {}
    if "simulation_row_share" in df.columns:
        s = pd.to_numeric(df["simulation_row_share"], errors="coerce").to_numpy(float)
        for d in pd.unique(dataset[marked]):
            v = s[marked & (dataset == d)]
            v = v[~np.isnan(v)]
            if v.size:
                share[str(d)] = float(v[0])
    return {"simulation": sim, "row_share": share}


def merge_duplicates(rd: RoutingData, source: str, no_id: np.ndarray | None = None) -> RoutingData:
    """One row per ``sample_id`` (see :func:`_merge`)."""
    return _merge(rd, source, no_id)[0]


def _merge(rd: RoutingData, source: str, no_id: np.ndarray | None = None) -> tuple[RoutingData, np.ndarray]:
    """One row per ``sample_id``: copies merged model by model, conflicts resolved by the first copy.

    For each model, the merged row takes the quality, cost, latency and response of the first
    copy that has both a quality and a cost for it (else of the first copy). Copies *conflict*
    when two of them have a quality and cost for the same model that differ; the first copy's
    values are then kept. The prompt and eval name are the first copy's. One warning counts the
    merged ids, the conflicting ones (naming a few) and those whose prompt text differs.

    Parameters
    ----------
    rd : RoutingData of n rows, quality and cost (n, m) possibly NaN
    source : str, the file, for the warning
    no_id : ndarray of shape (n,) bool, optional
        Rows whose sample id is missing; they are never merged.

    Returns
    -------
    merged : RoutingData of k <= n rows, in the order of each id's first copy;
        ``meta["rows_merged"]`` = n - k
    first : ndarray of shape (k,), the row of each id's first copy
    """
    n, m = rd.n, rd.m
    key = rd.sample_id.astype(str).astype(object)
    if no_id is not None and no_id.any():
        key = key.copy()
        key[no_id] = [f"\x00row {i}" for i in np.flatnonzero(no_id)]
    codes, uniques = pd.factorize(key)
    k = len(uniques)
    rows = np.arange(n)
    if k == n:
        return rd, rows
    first = np.full(k, n)
    np.minimum.at(first, codes, rows)
    complete = ~np.isnan(rd.quality) & ~np.isnan(rd.cost)
    scored = ~np.isnan(rd.quality)
    pick = np.full((k, m), n)
    np.minimum.at(pick, codes, np.where(complete, rows[:, None], n))
    fallback = np.full((k, m), n)
    np.minimum.at(fallback, codes, np.where(scored, rows[:, None], n))
    pick = np.where(pick < n, pick, np.where(fallback < n, fallback, first[:, None]))
    cols = np.arange(m)[None, :]

    def take(a):
        return None if a is None else a[pick, cols]

    quality, cost = take(rd.quality), take(rd.cost)
    differs = complete & ((rd.quality != quality[codes]) | (rd.cost != cost[codes]))
    conflict = np.zeros(k, dtype=bool)
    np.logical_or.at(conflict, codes, differs.any(axis=1))
    text = (rd.prompt != rd.prompt[first][codes]) | (rd.eval_name != rd.eval_name[first][codes])
    text_differs = np.zeros(k, dtype=bool)
    np.logical_or.at(text_differs, codes, text)
    dup = np.bincount(codes, minlength=k) > 1
    names = [str(uniques[i]) for i in np.flatnonzero(conflict)[:3]]
    warnings.warn(
        f"{source}: {int(dup.sum())} sample ids appear more than once ({n - k} extra rows): "
        f"{int((dup & ~conflict).sum())} merged into one row each (a score missing in one copy taken from "
        f"another); {int(conflict.sum())} whose copies disagree on a score kept the first copy's score"
        + (f" (e.g. {', '.join(names)})" if names else "")
        + (f"; the prompt text or eval name differs between copies of {int(text_differs.sum())} of them "
           f"(the first copy's is kept)" if text_differs.any() else ""),
        stacklevel=3,
    )
    out = rd.select(first)
    out = replace(out, quality=quality, cost=cost, latency=take(rd.latency), responses=take(rd.responses))
    out.meta["rows_merged"] = int(n - k)
    out.meta["ids_conflicting"] = int(conflict.sum())
    return out, first


def tidy(rd: RoutingData, source: str, missing_text: np.ndarray | None = None,
         no_id: np.ndarray | None = None) -> RoutingData:
    """Refuse no rows, merge duplicate sample ids, drop (and count) rows with a missing value.

    Parameters
    ----------
    rd : RoutingData of n rows as parsed (quality, cost (n, m) may hold NaN)
    source : str, the file (named in every message)
    missing_text : ndarray of shape (n,) bool, optional
        Rows missing a prompt, eval name or sample id.
    no_id : ndarray of shape (n,) bool, optional
        Rows missing a sample id (never merged).

    Raises
    ------
    ValueError
        When the file has no rows, or none is left after dropping those with missing values.
    """
    if rd.n == 0:
        raise ValueError(f"{source}: the file has no rows (a header only?); there is nothing to route")
    missing_text = np.zeros(rd.n, dtype=bool) if missing_text is None else np.asarray(missing_text, dtype=bool)
    rd, first = _merge(rd, source, no_id)
    missing_text = missing_text[first]
    n = rd.n
    missing = np.isnan(rd.quality).any(axis=1) | np.isnan(rd.cost).any(axis=1) | missing_text
    if missing.all():
        raise ValueError(
            f"{source}: no rows left: every one of its {n} rows misses a quality, cost, prompt, eval_name or "
            f"sample_id (a model column that is empty throughout?)"
        )
    if missing.any():
        warnings.warn(
            f"{source}: dropped {int(missing.sum())} of {n} rows with a missing quality, cost, prompt, "
            f"eval_name or sample_id",
            stacklevel=3,
        )
        rd = rd.select(~missing)
    rd.meta["rows_dropped"] = int(missing.sum())
    return rd
