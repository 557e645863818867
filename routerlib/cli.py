"""The command line: ``python -m routerlib``.

* ``evaluate`` -- the multi-seed protocol (:func:`routerlib.protocol.run_protocol`) on one data
  source, for registry routers and, with ``--router module:Name``, a router of your own: prints
  each router's held-out AIQ minus the Zero router's (95% interval and verdict), AvgAcc and mean
  cost over datasets, and writes ``leaderboard.csv`` and the forest plot ``leaderboard.png`` to
  ``--out`` (the same table and figure as notebook 09).
* ``routers`` -- the registry (:data:`routerlib.routers.ROUTERS`): each router's name, module,
  knob and the first line of its description.

Every argument is checked before any data is loaded or embedded; a bad one ends the program with
exit code 2 and one line naming the argument, its value and why.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

#: the leaderboard readings ``evaluate`` prints, over datasets, in this order
SHOWN = (("aiq_heldout_minus_zero", "held-out AIQ - Zero [95% CI]"), ("avg_acc", "AvgAcc"))
COST = "cost per prompt (USD, mean over datasets)"


class UsageError(ValueError):
    """A command-line argument that cannot be used; the message names it and its value."""


def import_router(path: str):
    """The router named by ``path`` (``package.module:Name``), an unfitted object with ``fit`` and
    ``route``: ``Name`` is a class (called without arguments) or such an object.

    >>> type(import_router("routerlib.routers.baselines:RandomRouter")).__name__
    'RandomRouter'

    Raises
    ------
    UsageError
        ``--router <path>: <why>`` when the path has no ``:``, the module cannot be imported, it
        has no attribute ``Name``, the class cannot be made without arguments, or the object has
        no ``fit`` or no ``route``.
    """
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"--router {path!r}: expected module:Name, e.g. mypkg.mymodule:MyRouter")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise UsageError(f"--router {path!r}: module {module_name!r} cannot be imported ({e})") from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise UsageError(f"--router {path!r}: module {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if isinstance(obj, type):
        try:
            obj = obj()
        except TypeError as e:
            raise UsageError(f"--router {path!r}: {attr} cannot be made without arguments ({e})") from None
    missing = [m for m in ("fit", "route") if not callable(getattr(obj, m, None))]
    if missing:
        raise UsageError(f"--router {path!r}: not a router, it has no {' and no '.join(missing)} method")
    return obj


def _router_names(value: str) -> list[str]:
    from .routers import ROUTERS

    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in ROUTERS]
    if unknown:
        raise UsageError(f"--routers {value!r}: unknown {', '.join(map(repr, unknown))}; known: {', '.join(ROUTERS)}")
    if len(set(names)) < len(names):
        raise UsageError(f"--routers {value!r}: a router is named twice")
    return names


def check_evaluate(args) -> dict:
    """Every argument of ``evaluate`` checked, before any work; returns what the run needs.

    Raises
    ------
    UsageError
        naming the argument and its bad value.
    """
    from .data import check_source
    from .embed import check_embedder
    from .protocol import parse_seeds
    from .routers import ROUTERS

    if args.router is None and not args.routers:
        raise UsageError("--router / --routers: give a router of your own (module:Name) or registry routers, or both")
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError as e:
        raise UsageError(f"--seeds {args.seeds!r}: {e}") from None
    if not 0 < args.scale <= 1:
        raise UsageError(f"--scale {args.scale!r}: must be a number in (0, 1] (the share of each dataset's rows)")
    try:
        data = check_source(args.data, args.scale, 0)
    except (ValueError, OSError) as e:
        raise UsageError(f"--data {args.data!r}: {e}") from None
    try:
        check_embedder(args.embedder)
    except ValueError as e:
        raise UsageError(f"--embedder {args.embedder!r}: {e}") from None
    names = _router_names(args.routers) if args.routers else []
    own = import_router(args.router) if args.router is not None else None
    name = args.name or (args.router.rpartition(":")[2] if args.router else None)
    if own is not None and name in ROUTERS:
        raise UsageError(f"--name {name!r}: a registry router has that name; choose another with --name")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r}: exists and is not a folder")
    return {"data": data, "seeds": seeds, "names": names, "own": own, "name": name, "out": out}


def evaluate(args) -> int:
    """Run the protocol, print the leaderboard rows over datasets, write the CSV and the figure."""

    checked = check_evaluate(args)
    import matplotlib

    matplotlib.use("Agg")
    from .claims import mark_not_run
    from .data import load
    from .embed import embedder_name, features_for
    from .evaluate import RouterSpec
    from .plots import draw, write_csv
    from .protocol import registry_specs, run_protocol

    data = load(checked["data"], scale=args.scale)
    print(data, "|", data.label, file=sys.stderr)
    specs = registry_specs(checked["names"]) if checked["names"] else []
    if checked["own"] is not None:
        specs.append(RouterSpec(checked["name"], checked["own"]))
    res = run_protocol(data, specs, features_for(args.embedder, data.prompt), checked["seeds"], n_jobs=args.n_jobs)
    lb = res.leaderboard()
    seeds = ",".join(map(str, checked["seeds"]))
    provenance = data.provenance(checked["seeds"][0], embedder_name(args.embedder)) | {"seeds": seeds}
    csv = write_csv(mark_not_run(lb, res, res.meta["routers"]), checked["out"] / "leaderboard.csv", provenance)
    png = draw("leaderboard", checked["out"], show=False)
    print(leaderboard_rows(lb).to_string())
    print(f"wrote {csv} and {png}")
    return 0


def leaderboard_rows(lb) -> "pd.DataFrame":  # noqa: F821 (pandas is imported lazily)
    """One row per router over datasets: held-out AIQ minus the Zero router's with its interval and
    verdict, AvgAcc, and its mean cost per prompt averaged over the datasets it ran on (the
    leaderboard records cost per dataset only); a reading a router lacks shows an empty cell."""
    import pandas as pd

    over = lb[lb.dataset == "all"]
    cost = lb[(lb.metric == "cost") & (lb.dataset != "all")].groupby("router", sort=False)["mean"].mean()
    rows = {}
    for router, g in over.groupby("router", sort=False):
        g = g.set_index("metric")
        row = {}
        for metric, title in SHOWN:
            if metric not in g.index:
                row[title] = ""
            elif metric == "aiq_heldout_minus_zero":
                r = g.loc[metric]
                row[title] = f"{r['mean']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}] {r['verdict']}"
            else:
                row[title] = f"{g.loc[metric, 'mean']:.3f}"
        row[COST] = f"{cost[router]:.4f}" if router in cost.index else ""
        rows[router] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("router")


def list_routers(args) -> int:
    """Print the registry: name, module, knob and the first line of each router's description."""
    from .routers import ROUTERS

    width = max(map(len, ROUTERS))
    for name, cls in ROUTERS.items():
        paragraph = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
        first = paragraph.split(". ")[0].rstrip(".")
        first = first if len(first) <= 90 else first[:87] + "..."
        knob = getattr(cls, "knob", None) or "-"
        print(f"{name:<{width}}  {cls.__module__:<30}  knob: {knob:<20}  {first}")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m routerlib", description=__doc__.split("\n\n")[0] + " Score routers "
                                 "over seeds with the RouterBench protocol, or list the registry's routers.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="{evaluate,routers}")
    ev = sub.add_parser("evaluate", help="score routers over seeds; print and write the leaderboard",
                        description="Run the multi-seed protocol and write leaderboard.csv and leaderboard.png.")
    ev.add_argument("--data", default="sim", help="sim, rag-sim, routerbench-5shot, routerbench-0shot or a file "
                    "(.csv, .csv.gz, .parquet; wide or long format)")
    ev.add_argument("--router", default=None, help="your router as module:Name (a class made without arguments, "
                    "or an object with fit and route); the current folder is importable")
    ev.add_argument("--name", default=None, help="your router's name in the tables (default: Name)")
    ev.add_argument("--routers", default="", help="registry routers beside it, comma-separated (see `routers`)")
    ev.add_argument("--seeds", default="0,1,2,3,4", help="seeds of the protocol, comma-separated")
    ev.add_argument("--scale", type=float, default=1.0, help="share of each dataset's rows, in (0, 1]")
    ev.add_argument("--embedder", default="minilm", help="minilm, minilm-static, tfidf, features, or a "
                    "sentence-transformers model")
    ev.add_argument("--out", default="build/evaluate", help="folder for leaderboard.csv and leaderboard.png")
    ev.add_argument("--n-jobs", type=int, default=1, help="joblib workers (-1: every core)")
    ev.set_defaults(func=evaluate)
    ls = sub.add_parser("routers", help="list the registry's routers with their module and knob")
    ls.set_defaults(func=list_routers)
    return ap


def main(argv=None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"{ap.prog} {args.command}: error: {e}", file=sys.stderr)
        return 2
