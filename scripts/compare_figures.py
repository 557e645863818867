"""Compare two figures folders CSV by CSV: did a run reproduce the committed numbers?

    ROUTERLIB_FIGURES=build/figures make reproduce    # the committed figures/ stay as they are
    python scripts/compare_figures.py figures/sim build/figures/sim
    python scripts/compare_figures.py A B --rtol 1e-5     # accept one unit in the 6th digit
    python scripts/compare_figures.py A B --ignore-column seconds   # timings differ run to run

Files are matched by their path inside each folder (subfolders included). In a CSV matched in
both, a column whose every cell reads as a number (an empty cell is NaN) is compared as numbers:
cells agree when both are NaN, or ``|a - b| <= atol + rtol * max(|a|, |b|)``; any other column is
compared as text, exactly. Reported: files only in A or only in B, CSVs that cannot be read or
whose columns or row counts differ, and per CSV each differing column with the count of differing
cells, the largest difference and the first differing row (rows count from 0 below the header).
PNGs (and any other file) are listed as present or absent only: rendering differs between
machines and library versions, and the numbers behind every figure are in its CSV.

The project writes CSVs at 6 significant digits, so a last-bit difference in a float (CPUs with
and without AVX-512 differ there) almost never shows; when a value sits on a rounding boundary it
shows as one unit in the sixth digit, which ``--rtol 1e-5`` accepts and the default reports.

Exit code 0 when everything compared agrees and no file is missing on either side, 1 otherwise,
2 when A or B is not a folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

RTOL, ATOL = 1e-9, 1e-12


def _numbers(col: pd.Series) -> np.ndarray | None:
    """The column as floats (empty cells NaN), or None when some cell is not a number."""
    try:
        return pd.to_numeric(col.where(col != "", None), errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError):
        return None


def compare_csv(a: Path, b: Path, rtol: float = RTOL, atol: float = ATOL, ignore: Sequence[str] = ()) -> list[str]:
    """What differs between CSVs ``a`` and ``b``, one line each; empty when they agree. The cells of
    the columns named in ``ignore`` are not compared (the columns must still be in both)."""
    frames = []
    for side, path in (("A", a), ("B", b)):
        try:
            frames.append(pd.read_csv(path, dtype=str, keep_default_na=False))
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
            return [f"cannot read {side} ({path}): {type(e).__name__}: {e}"]
    A, B = frames
    out = []
    only_a = [c for c in A.columns if c not in B.columns]
    only_b = [c for c in B.columns if c not in A.columns]
    if only_a or only_b:
        out.append(f"columns only in A: {only_a}; only in B: {only_b}")
    elif list(A.columns) != list(B.columns):
        out.append(f"same columns in another order: A {list(A.columns)}, B {list(B.columns)}")
    if len(A) != len(B):
        out.append(f"rows: A {len(A)}, B {len(B)} (cells not compared)")
        return out
    for c in [c for c in A.columns if c in B.columns and c not in ignore]:
        x, y = _numbers(A[c]), _numbers(B[c])
        if x is not None and y is not None:
            both_nan = np.isnan(x) & np.isnan(y)
            with np.errstate(invalid="ignore"):
                diff = np.abs(x - y)
                close = (x == y) | (diff <= atol + rtol * np.maximum(np.abs(x), np.abs(y)))
            bad = ~(close | both_nan)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                first = f"first at row {i}: {A[c].iat[i]!r} vs {B[c].iat[i]!r}"
                finite = bad & np.isfinite(diff)
                if finite.any():
                    k = int(np.flatnonzero(finite)[np.argmax(diff[finite])])
                    largest = (f"largest |A-B| {diff[k]:.3g} (relative {diff[k] / max(abs(x[k]), abs(y[k])):.3g}) "
                               f"at row {k}: {A[c].iat[k]!r} vs {B[c].iat[k]!r}")
                    detail = largest if i == k else f"{largest}; {first}"
                else:
                    detail = f"no finite difference (NaN or inf on one side); {first}"
                out.append(f"column {c!r}: {int(bad.sum())} of {len(A)} cells differ (numbers); {detail}")
        else:
            bad = (A[c] != B[c]).to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                out.append(f"column {c!r}: {int(bad.sum())} of {len(A)} cells differ (text); "
                           f"first at row {i}: {A[c].iat[i]!r} vs {B[c].iat[i]!r}")
    return out


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def compare_folders(a: Path, b: Path, rtol: float = RTOL, atol: float = ATOL,
                    ignore: Sequence[str] = ()) -> tuple[bool, list[str]]:
    """(everything agrees, the report's lines) for figures folders ``a`` and ``b``; the columns named
    in ``ignore`` are not compared in any CSV."""
    fa, fb = _files(a), _files(b)
    lines = [f"A: {a}", f"B: {b}", f"numbers agree when |A-B| <= {atol:g} + {rtol:g} * max(|A|, |B|); text exactly"]
    if ignore:
        lines.append(f"columns not compared: {', '.join(ignore)}")
    ok = True
    for side, names in (("A", fa - fb), ("B", fb - fa)):
        for name in sorted(names):
            lines.append(f"only in {side}: {name}")
            ok = False
    csvs = sorted(n for n in fa & fb if n.lower().endswith(".csv"))
    agree = 0
    for name in csvs:
        problems = compare_csv(a / name, b / name, rtol, atol, ignore)
        if problems:
            ok = False
            lines.append(f"{name}: differs")
            lines += [f"  {p}" for p in problems]
        else:
            agree += 1
    others = sorted((fa & fb) - set(csvs))
    if others:
        kinds = sorted({Path(n).suffix.lower() or "(no suffix)" for n in others})
        lines.append(f"in both, present only (not compared byte for byte): {len(others)} files ({', '.join(kinds)})")
    lines.append(f"{agree} of {len(csvs)} CSVs in both agree; "
                 f"files only in A: {len(fa - fb)}, only in B: {len(fb - fa)}: {'AGREE' if ok else 'DIFFER'}")
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("a", type=Path, help="a figures folder, e.g. figures/sim")
    p.add_argument("b", type=Path, help="another, e.g. build/figures/sim")
    p.add_argument("--rtol", type=float, default=RTOL, help=f"relative tolerance for numbers (default {RTOL:g})")
    p.add_argument("--atol", type=float, default=ATOL, help=f"absolute tolerance for numbers (default {ATOL:g})")
    p.add_argument("--ignore-column", action="append", default=[], metavar="NAME",
                   help="a column whose cells are not compared, in every CSV (e.g. seconds: timings differ "
                        "from run to run); repeatable")
    args = p.parse_args(argv)
    for side, d in (("A", args.a), ("B", args.b)):
        if not d.is_dir():
            print(f"compare_figures: {side} is not a folder: {d}", file=sys.stderr)
            return 2
    if not (args.rtol >= 0 and args.atol >= 0):
        print(f"compare_figures: tolerances must be >= 0; got rtol {args.rtol}, atol {args.atol}", file=sys.stderr)
        return 2
    ok, lines = compare_folders(args.a, args.b, args.rtol, args.atol, args.ignore_column)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
