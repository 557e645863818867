"""Execute the numbered notebooks end to end with papermill (used by `make reproduce` / `make test`).

Each ``notebooks/NN_<item>.py`` (jupytext percent format, the only committed form) is
converted to ``.ipynb`` in ``--out``, executed there with the parameters ``data``, ``seed``
and ``scale`` injected, and left in ``--out`` for nbval to re-check. Figures go to
``figures/<data name>/`` (or under ``$ROUTERLIB_FIGURES``).

    python scripts/run_notebooks.py --data sim --out build/reproduce/sim [--only 00 01]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import papermill as pm

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="sim", help="sim, routerbench-5shot, routerbench-0shot or a wide-format file")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="share of each dataset's rows (1 = all)")
    ap.add_argument("--seeds", default="0,1,2,3,4", help="the seeds of the multi-seed protocol, comma-separated")
    ap.add_argument("--embedder", default="minilm", help="prompt embedder: minilm, tfidf, or a sentence-transformers name")
    ap.add_argument("--out", default="build/reproduce", help="folder for the executed notebooks")
    ap.add_argument("--only", nargs="*", default=None, help="notebook numbers to run (default: all)")
    args = ap.parse_args(argv)

    from routerlib.data import check_source, fetch_hub_file

    try:  # DATA, SCALE and SEED, checked before any notebook runs; a file path made absolute
        data = check_source(args.data, args.scale, args.seed)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if data in {"routerbench-0shot", "routerbench-5shot"}:  # download (once) before any notebook runs
        try:
            print(f"data: {fetch_hub_file(data)}", flush=True)
        except RuntimeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2

    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    if args.only:
        notebooks = [nb for nb in notebooks if nb.name[:2] in set(args.only)]
    if not notebooks:
        print("error: no notebooks selected", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    params = {"data": data, "seed": args.seed, "scale": args.scale, "seeds": args.seeds, "embedder": args.embedder}
    t_all = time.perf_counter()
    for k, src in enumerate(notebooks, 1):
        nb = jupytext.read(src)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        ipynb = out / (src.stem + ".ipynb")
        jupytext.write(nb, ipynb)
        t0 = time.perf_counter()
        print(f"[{k}/{len(notebooks)}] {src.name} (data={args.data}, scale={args.scale:g}, seed={args.seed}) ...", flush=True)
        pm.execute_notebook(
            str(ipynb), str(ipynb), parameters=params, cwd=str(ROOT / "notebooks"),
            kernel_name="python3", progress_bar=False,
        )
        print(f"      done in {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"{len(notebooks)} notebooks in {time.perf_counter() - t_all:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
