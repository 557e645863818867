"""Table files in and out: ``.csv``, ``.csv.gz``, ``.parquet`` and (trusted only) ``.pkl``.

* :func:`read_table` -- a file as a DataFrame. Every failure is a :class:`DataFileError` that
  names the file and, where it can tell, the likely cause: an empty file, a truncated or
  corrupt gzip, a separator other than ``,``, a text encoding other than UTF-8 (Latin-1),
  binary or corrupt bytes, a file that is not parquet.
* Pickles: unpickling runs whatever code the file holds, so :func:`read_table` unpickles only
  a file whose SHA-256 is one of the pinned hub files (:data:`routerlib.data.hub.HUB_FILES`) or
  one the caller trusts explicitly (``trust_pickle=True``, or ``TRUST_PICKLE=1`` in the
  environment). Any other pickle is refused before a byte of it is unpickled, with the one
  line that converts it to parquet (:func:`pickle_how_to`).
* Text stays text: a CSV's text columns (:func:`is_text_column`: ids, prompts, eval names, model
  names, responses) are read as strings exactly as written -- a prompt ``007``, ``1e5``, ``NaN``
  or an empty field stays that string -- and the id columns (:data:`ID_COLUMNS`) are never parsed
  as numbers (17-digit ids would collide as floats); a parquet file's integer id column is read
  as text too. Other columns get pandas' usual missing-value markers (``NA``, ``nan``, ...).
* A header naming a column twice is refused (pandas would rename the second ``X.1``), naming it.
* :func:`write_table` -- a DataFrame to a file of one of these types, chosen by its ending.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import pickle
import zlib
from pathlib import Path

import pandas as pd

from . import hub

__all__ = ["DataFileError", "SUFFIXES", "ID_COLUMNS", "TEXT_COLUMNS", "NA_MARKERS", "is_text_column", "read_table",
           "write_table", "pickle_trusted", "pickle_how_to"]

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pkl", ".pickle")
_SEPARATORS = {";": "semicolons", "\t": "tabs"}
ID_COLUMNS = ("sample_id", "prompt_id")  # a prompt's id (with its eval name, its identity): always text
# columns holding text in the wide and the long formats, read as written (no missing-value markers)
TEXT_COLUMNS = ID_COLUMNS + ("prompt", "eval_name", "dataset", "model", "response", "oracle_model_to_route_to",
                             "simulation_kind")
# pandas' default missing-value markers (its read_csv documentation), kept for the number columns
NA_MARKERS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
              "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")


def is_text_column(name) -> bool:
    """Is ``name`` a text column of the wide or long format (:data:`TEXT_COLUMNS`, ``M|model_response``)?"""
    return str(name) in TEXT_COLUMNS or str(name).endswith("|model_response")


class DataFileError(ValueError):
    """A data file that cannot be read; the message names the file and the likely cause."""


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".pkl", ".pickle")):
        return "pickle"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    raise DataFileError(f"{path}: unknown file type; expected one of {', '.join(SUFFIXES)}")


def _env_trusts_pickles() -> bool:
    return os.environ.get("TRUST_PICKLE", "").strip().lower() in {"1", "true", "yes", "on"}


def pickle_trusted(path: Path, trust_pickle: bool | None = None) -> bool:
    """May ``path`` be unpickled? Yes if trusted explicitly (argument or ``TRUST_PICKLE=1``) or
    if its SHA-256 is that of a pinned hub file."""
    if trust_pickle or _env_trusts_pickles():
        return True
    pinned = {sha for _, sha in hub.HUB_FILES.values() if sha}
    return hub.sha256_of(path) in pinned


def pickle_how_to(path: Path) -> str:
    """The message that refuses an untrusted pickle and says how to convert it to parquet."""
    out = Path(str(path)[: -len(path.suffix)] + ".parquet")
    return (
        f"{path}: refusing to unpickle this file: its SHA-256 matches no pinned file, and unpickling runs "
        f"any code a pickle holds. If you trust where it came from, pass trust_pickle=True (or set "
        f"TRUST_PICKLE=1 for make and scripts/run_notebooks.py), or convert it once to parquet and use that: "
        f"TRUST_PICKLE=1 python -c \"import pandas as pd; pd.read_pickle('{path}').to_parquet('{out}')\""
    )


def _head(path: Path, n: int = 1 << 16) -> bytes:
    """The first ``n`` bytes of the file's text (decompressed for ``.gz``), or b'' if unreadable."""
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as f:
            return f.read(n)
    except (OSError, EOFError, zlib.error):
        return b""


def _other_separator(path: Path) -> str | None:
    """``;`` or a tab when the header line holds more of it than commas, else None."""
    line = _head(path).split(b"\n", 1)[0].decode("utf-8", "replace")
    sep = max(_SEPARATORS, key=line.count)
    return sep if line.count(sep) > line.count(",") else None


def _separator_advice(sep: str) -> str:
    return (f"the file seems separated by {_SEPARATORS[sep]} ({sep!r}), not commas; re-save it with commas, "
            f"e.g. pd.read_csv(path, sep={sep!r}).to_csv(new_path, index=False)")


def _csv_cause(path: Path, e: Exception) -> str:
    """The likely cause of a CSV read failure, in words."""
    gz = path.name.lower().endswith(".gz")
    if isinstance(e, pd.errors.EmptyDataError):
        return "the file is empty (no header, no rows)"
    if isinstance(e, EOFError) or (gz and "end-of-stream" in str(e)):
        return "the gzip stream ends early: the file is truncated (an interrupted download or copy?)"
    if isinstance(e, gzip.BadGzipFile):
        return "it ends in .gz but is not a gzip file"
    if isinstance(e, zlib.error):
        return "the gzip stream is corrupt"
    head = _head(path)
    if b"\x00" in head:
        return "it holds binary bytes (NUL), not text: a corrupt file, or not a CSV"
    if isinstance(e, UnicodeDecodeError):
        return (f"it is not UTF-8 text (byte {e.object[e.start:e.start + 1]!r} at position {e.start}); probably "
                f"Latin-1 / Windows-1252: re-save it as UTF-8, e.g. pd.read_csv(path, encoding='latin-1')"
                f".to_csv(new_path, index=False)")
    if isinstance(e, pd.errors.ParserError) and _other_separator(path):
        return _separator_advice(_other_separator(path))
    if isinstance(e, pd.errors.ParserError):
        return f"it is not a well-formed CSV (corrupt bytes, or a row with more fields than the header): {e}"
    return f"{type(e).__name__}: {e}"


def _check_separator(path: Path, df: pd.DataFrame) -> None:
    """One column whose name holds ``;`` or a tab: the file uses another separator than ``,``."""
    if df.shape[1] != 1:
        return
    header = str(df.columns[0])
    sep = max(_SEPARATORS, key=header.count)
    if sep in header:
        raise DataFileError(f"{path}: read as a single column {header[:60]!r}...: {_separator_advice(sep)}")


def _raw_header(path: Path) -> list[str] | None:
    """The column names of a CSV's header line as written, or None if it cannot be read as UTF-8 text."""
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as f:
            text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
            return next(csv.reader(text), None)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error):
        return None


def check_unique_columns(columns, source: str) -> None:
    """Refuse a header that names a column more than once, naming the column(s) and their positions."""
    seen: dict[str, list[int]] = {}
    for i, c in enumerate(columns):
        seen.setdefault(str(c), []).append(i)
    twice = {c: pos for c, pos in seen.items() if len(pos) > 1}
    if twice:
        names = "; ".join(f"{c!r} at columns {', '.join(map(str, pos))}" for c, pos in list(twice.items())[:5])
        raise DataFileError(
            f"{source}: the header names {len(twice)} column(s) more than once ({names}); which copy holds the "
            f"data is ambiguous: rename or remove the extra copies"
        )


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV with its text columns as written and its other columns with pandas' missing-value markers."""
    header = _raw_header(path)
    if header is None:  # unreadable: let pandas fail and name the cause
        return pd.read_csv(path, low_memory=False)
    check_unique_columns(header, str(path))
    text = [c for c in header if is_text_column(c)]
    return pd.read_csv(path, low_memory=False, dtype={c: str for c in text}, keep_default_na=False,
                       na_values={c: list(NA_MARKERS) for c in header if c not in text})


def _read_parquet(path: Path) -> pd.DataFrame:
    """A parquet file; an integer id column (:data:`ID_COLUMNS`) is read as text, so that a missing id does
    not turn the column into floats (which lose digits beyond 2**53)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    ints = [c for c in ID_COLUMNS if c in schema.names and pa.types.is_integer(schema.field(c).type)]
    if not ints:
        return pd.read_parquet(path)
    table = pq.read_table(path)
    for c in ints:
        i = table.schema.get_field_index(c)
        table = table.set_column(i, c, table.column(c).cast(pa.string()))
    return table.to_pandas()


def read_table(path: str | Path, trust_pickle: bool | None = None) -> pd.DataFrame:
    """Read a table file into a DataFrame.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.csv.gz``, ``.parquet``, or ``.pkl`` / ``.pickle`` file.
    trust_pickle : bool, optional
        Unpickle a ``.pkl`` even if its SHA-256 is not pinned. ``None`` (default) defers to the
        environment (``TRUST_PICKLE=1``).

    Returns
    -------
    DataFrame of shape (rows, columns), as stored; a CSV's text columns as strings, as written.

    Raises
    ------
    DataFileError
        Naming the file and the likely cause; for an untrusted pickle, how to convert it; for a
        header naming a column twice, the column.
    """
    path = Path(path)
    kind = _kind(path)
    if kind == "pickle":
        if not pickle_trusted(path, trust_pickle):
            raise DataFileError(pickle_how_to(path))
        try:
            obj = pd.read_pickle(path)
        except (EOFError, pickle.UnpicklingError) as e:
            raise DataFileError(f"{path}: not a readable pickle, truncated or corrupt ({type(e).__name__}: {e})") from e
        except Exception as e:  # noqa: BLE001 -- any failure of a trusted pickle, named
            raise DataFileError(f"{path}: could not unpickle ({type(e).__name__}: {e})") from e
    elif kind == "csv":
        try:
            obj = _read_csv(path)
        except DataFileError:
            raise
        except Exception as e:  # noqa: BLE001 -- every CSV failure is named with its likely cause
            raise DataFileError(f"{path}: cannot read this CSV: {_csv_cause(path, e)}") from e
        _check_separator(path, obj)
    else:
        try:
            obj = _read_parquet(path)
        except Exception as e:  # noqa: BLE001
            raise DataFileError(
                f"{path}: cannot read this parquet file: not parquet, truncated or corrupt "
                f"({type(e).__name__}: {str(e)[:200]})"
            ) from e
    if not isinstance(obj, pd.DataFrame):
        raise DataFileError(f"{path}: holds a {type(obj).__name__}, not a pandas DataFrame")
    check_unique_columns(obj.columns, str(path))
    return obj


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` (``.csv``, ``.csv.gz``, ``.parquet`` or ``.pkl``, by its ending)."""
    path = Path(path)
    kind = _kind(path)
    if kind == "parquet":
        df.to_parquet(path)
    elif kind == "pickle":
        df.to_pickle(path)
    else:
        df.to_csv(path, index=False)
    return path
