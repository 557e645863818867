"""From parsed columns to a clean :class:`RoutingData`: the checks every file format shares.

* :func:`id_text`, :func:`text_values` -- ids, eval names and model names as text, exactly as given;
  a blank one is refused naming the file, column and row (an id is a prompt's identity).
* :func:`parse_quality` -- quality values stored as numbers, booleans or strings, as floats.
* :func:`parse_number` -- cost and latency values as floats; a value that is not a number is
  refused naming its row.
* :func:`check_scores` -- the one range check of every format: quality in [0, 1], cost finite and
  >= 0 (NaN is a missing value, dropped later), naming the file, column, row and value.
* :func:`read_marker` -- the simulation marker columns (:data:`routerlib.data.core.MARKER_COLUMNS`)
  of a frame, so a file that came from the simulation stays labelled simulated.
* :func:`merge_duplicates` -- rows sharing an eval name and a ``sample_id`` become one: a model's
  score missing in one copy is taken from another; where copies disagree the first copy's score
  is kept. One warning counts both cases. Rows of different eval names are never merged, even
  when their ids are equal (ids often restart at 0 in each dataset).
* :func:`tidy` -- what every reader ends with: refuse a file without rows, merge duplicate ids,
  drop rows with a missing value (one warning counting them), refuse data left without rows and
  a dataset whose every cost is 0.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from .core import MARKER_COLUMNS, RoutingData

__all__ = ["id_text", "text_values", "prompt_text", "response_text", "parse_quality", "parse_number", "check_scores", "read_marker",
           "merge_duplicates", "tidy", "identity_keys"]

_TRUE = {"true", "t", "yes"}
_FALSE = {"false", "f", "no"}


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _rows_text(rows: np.ndarray) -> str:
    """``row 5`` or ``rows 5, 9, 12 and 3 more`` (0-based data rows)."""
    head = ", ".join(map(str, rows[:3].tolist()))
    more = f" and {rows.size - 3} more" if rows.size > 3 else ""
    return f"row{'s' if rows.size > 1 else ''} {head}{more}"


def _refuse_blank(values: np.ndarray, source: str, col: str, why: str) -> None:
    """Raise naming the file, the column and the rows whose value is blank (missing, empty or spaces)."""
    blank = np.array([_blank(x) for x in values], dtype=bool)
    if blank.any():
        raise ValueError(f"{source}: column {col!r} {_rows_text(np.flatnonzero(blank))}: {why}: fill it in or "
                         f"remove the row")


def text_values(series: pd.Series, col: str, source: str, what: str) -> np.ndarray:
    """A column of names (eval names, model names) as text, shape (n,); a blank one is refused.

    Values are kept as given (no stripping: ``'gpt-4 '`` is not ``'gpt-4'``); a number in a
    frame built in memory becomes its ``str``.

    Raises
    ------
    ValueError
        Naming the file, the column and the rows whose value is blank (missing, empty or spaces).
    """
    v = series.to_numpy(object)
    _refuse_blank(v, source, col, f"no {what} (blank); every row needs one")
    return np.array([x if isinstance(x, str) else str(x) for x in v], dtype=object)


def id_text(series: pd.Series, col: str, source: str) -> np.ndarray:
    """Prompt ids as text, exactly as given, shape (n,).

    Ids are identity (with the eval name), so nothing is guessed: strings and integers are
    kept (an integer as its digits); a blank id, a float id (a number parsed from text may have
    lost digits: 17-digit ids collide as floats) or any other value is refused.

    Raises
    ------
    ValueError
        Naming the file, the column and the rows of blank ids, or the row and value of a float one.

    >>> id_text(pd.Series(["a.1", 12345678901234567]), "sample_id", "f.csv").tolist()
    ['a.1', '12345678901234567']
    """
    v = series.to_numpy(object)
    _refuse_blank(v, source, col, f"blank {col}; an id is a prompt's identity, so a row without one cannot be placed")
    for i, x in enumerate(v):
        if isinstance(x, str):
            continue
        if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
            continue
        raise ValueError(
            f"{source}: column {col!r} row {i}: id {x!r} is a {type(x).__name__}, not text or an integer; ids are "
            f"read as text (a float id may have lost digits, e.g. 17-digit ids become equal): store them as text"
        )
    return np.array([x if isinstance(x, str) else str(int(x)) for x in v], dtype=object)


def prompt_text(series: pd.Series) -> np.ndarray:
    """Prompts as text, exactly as given (``"007"``, ``"1e5"``, ``"NaN"`` and ``""`` stay so), shape (n,).

    A missing value (None or NaN in a parquet or pickle file) becomes ``""`` here; the caller
    marks the row as missing its prompt, and :func:`tidy` drops and counts it.
    """
    return np.array(["" if _missing(x) else x if isinstance(x, str) else str(x) for x in series.to_numpy(object)],
                    dtype=object)


def response_text(series: pd.Series) -> np.ndarray:
    """Model responses as text, shape (n,); a missing one (no text stored) is ``""``, never ``"nan"``."""
    return prompt_text(series)


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def parse_number(series: pd.Series, col: str, source: str) -> np.ndarray:
    """Column values as floats, shape (n,); blanks are NaN; a value that is not a number raises,
    naming the file, column, row and value."""
    v = pd.to_numeric(series, errors="coerce").to_numpy(float)
    bad = np.isnan(v) & series.notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{source}: column {col!r} row {i}: {series.iloc[i]!r} is not a number")
    return v


def check_scores(quality: np.ndarray, cost: np.ndarray, source: str, quality_cols, cost_cols, where) -> None:
    """The range check every format shares: quality in [0, 1], cost finite and >= 0.

    NaN is a missing value here (the row is dropped and counted later, by :func:`tidy`).

    Parameters
    ----------
    quality, cost : ndarray of shape (N, k)
    quality_cols, cost_cols : sequences of k column names, for the message
    where : callable (i, j) -> str, describing row ``i`` (its number, sample id, model)

    Raises
    ------
    ValueError
        Naming the file, the column, the row and the value of the first bad entry.
    """
    bad = ~np.isnan(quality) & ((quality < 0) | (quality > 1))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{source}: column {quality_cols[j]!r} {where(i, j)}: quality {float(quality[i, j])!r} "
                         f"outside [0, 1]")
    bad = ~np.isnan(cost) & ((cost < 0) | ~np.isfinite(cost))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{source}: column {cost_cols[j]!r} {where(i, j)}: cost {float(cost[i, j])!r} is negative "
                         f"or infinite")


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


def identity_keys(rd: RoutingData) -> np.ndarray:
    """Each row's identity, shape (n,): its eval name and sample id (as text), joined by a NUL.

    Two rows are the same prompt only when both agree; ids that restart in each dataset
    (``0, 1, 2, ...`` under ``arc-challenge`` and again under ``mbpp``) stay distinct.
    """
    ev = pd.Series(rd.eval_name, dtype=object).astype(str)
    sid = pd.Series(rd.sample_id, dtype=object).astype(str)
    return (ev + "\x00" + sid).to_numpy(object)


def merge_duplicates(rd: RoutingData, source: str, no_id: np.ndarray | None = None) -> RoutingData:
    """One row per (eval name, ``sample_id``) (see :func:`_merge`)."""
    return _merge(rd, source, no_id)[0]


def _merge(rd: RoutingData, source: str, no_id: np.ndarray | None = None) -> tuple[RoutingData, np.ndarray]:
    """One row per (eval name, ``sample_id``): copies merged model by model, conflicts resolved by the first copy.

    A prompt is its eval name and its sample id: rows of two eval names are never merged, whatever
    their ids. For each model, the merged row takes the quality, cost, latency and response of the
    first copy that has both a quality and a cost for it (else of the first copy). Copies *conflict*
    when two of them have a quality and cost for the same model that differ; the first copy's
    values are then kept. The prompt is the first copy's. One warning counts the merged ids, the
    conflicting ones (naming a few) and those whose prompt text differs.

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
    key = identity_keys(rd)
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
    text = rd.prompt != rd.prompt[first][codes]
    text_differs = np.zeros(k, dtype=bool)
    np.logical_or.at(text_differs, codes, text)
    dup = np.bincount(codes, minlength=k) > 1
    names = [f"{rd.sample_id[first[i]]} ({rd.eval_name[first[i]]})" for i in np.flatnonzero(conflict)[:3]]
    warnings.warn(
        f"{source}: {int(dup.sum())} sample ids appear more than once ({n - k} extra rows): "
        f"{int((dup & ~conflict).sum())} merged into one row each (a score missing in one copy taken from "
        f"another); {int(conflict.sum())} whose copies disagree on a score kept the first copy's score"
        + (f" (e.g. {', '.join(names)})" if names else "")
        + (f"; the prompt text differs between copies of {int(text_differs.sum())} of them "
           f"(the first copy's is kept)" if text_differs.any() else "")
        + "; copies are rows of the same eval name and sample id (equal ids under other eval names are other prompts)",
        stacklevel=3,
    )
    out = rd.select(first)
    out = replace(out, quality=quality, cost=cost, latency=take(rd.latency), responses=take(rd.responses))
    out.meta["rows_merged"] = int(n - k)
    out.meta["ids_conflicting"] = int(conflict.sum())
    return out, first


def tidy(rd: RoutingData, source: str, missing_text: np.ndarray | None = None,
         no_id: np.ndarray | None = None) -> RoutingData:
    """Refuse no rows, merge duplicate ids (within an eval name), drop (and count) rows with a
    missing value, refuse a dataset without any cost.

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
        When the file has no rows, or none is left after dropping those with missing values, or
        a dataset's costs are all 0 (:func:`check_costs_vary`).
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
    check_costs_vary(rd, source)
    return rd


def check_costs_vary(rd: RoutingData, source: str) -> None:
    """Refuse data with a dataset whose every cost (every row, every model) is 0.

    AIQ integrates quality over the cost range of a dataset; with no cost at all the range has
    no width and every router's AIQ is undefined. One model with zero cost is fine.

    Raises
    ------
    ValueError
        Naming the file and each such dataset with its rows and models.
    """
    zero = [d for d in rd.datasets if not np.any(rd.cost[rd.dataset == d] != 0)]
    if zero:
        sizes = rd.dataset_sizes()
        names = ", ".join(f"{d} ({int(sizes[d])} rows)" for d in zero)
        raise ValueError(
            f"{source}: every cost is 0 in dataset(s) {names} over all {rd.m} models: the cost axis of the "
            f"cost-quality plane (and AIQ's cost range) has no width there; check the '|total_cost' (or "
            f"'cost') columns, or remove these rows"
        )
