"""Write a small file of real RouterBench rows, with one dataset cut to a handful of prompts.

The notebooks must run end to end on real rows where a dataset is too small for some router's
validation split (the protocol then leaves that (router, dataset) pair out and says so). This
script builds such a file at run time from the shared 5-shot file (``routerlib.paths.
SHARED_ROUTERBENCH``): a seeded sample of each dataset's rows, with the ``--tiny`` dataset cut
to ``--tiny-rows`` rows. Rows are copied as they are (sample ids kept). The file is an output of
a run, not part of the repository: write it under ``build/`` or a temporary folder.

    python scripts/make_small_real.py build/small_real.csv.gz [--rows 150] [--tiny winogrande --tiny-rows 12]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from routerlib.paths import SHARED_ROUTERBENCH  # noqa: E402


def small_real(frame: pd.DataFrame, rows: int, tiny: str, tiny_rows: int, seed: int = 0) -> pd.DataFrame:
    """A seeded sample of ``frame``: at most ``rows`` rows of each dataset (``eval_name``), and
    ``tiny_rows`` of dataset ``tiny``; the order of the kept rows is the file's.

    >>> f = pd.DataFrame({"sample_id": list("abcdef"), "eval_name": ["x"] * 4 + ["y"] * 2})
    >>> small_real(f, rows=3, tiny="y", tiny_rows=1).eval_name.value_counts().to_dict()
    {'x': 3, 'y': 1}
    """
    if tiny not in set(frame["eval_name"]):
        raise ValueError(f"dataset {tiny!r} is not in the file; it has {sorted(set(frame['eval_name']))}")
    if rows < 1 or tiny_rows < 1:
        raise ValueError(f"rows and tiny_rows must be positive; got {rows}, {tiny_rows}")
    rng = np.random.default_rng(seed)
    keep = []
    for d, idx in frame.groupby("eval_name", sort=False).indices.items():
        n = min(len(idx), tiny_rows if d == tiny else rows)
        keep.append(rng.choice(idx, size=n, replace=False))
    return frame.iloc[np.sort(np.concatenate(keep))].reset_index(drop=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="output file (.csv.gz), e.g. build/small_real.csv.gz")
    ap.add_argument("--source", default=str(SHARED_ROUTERBENCH), help="the wide-format RouterBench file to sample")
    ap.add_argument("--rows", type=int, default=150, help="rows kept per dataset (all when fewer)")
    ap.add_argument("--tiny", default="winogrande", help="the dataset cut to --tiny-rows rows")
    ap.add_argument("--tiny-rows", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    src = Path(args.source)
    if not src.exists():
        print(f"error: {src} does not exist", file=sys.stderr)
        return 2
    try:
        out = small_real(pd.read_csv(src), args.rows, args.tiny, args.tiny_rows, args.seed)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    dest = Path(args.out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(dest, index=False)
    print(f"{dest}: {len(out)} rows,", out["eval_name"].value_counts(sort=False).to_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main())
