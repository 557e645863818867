"""The command line, ``python -m routerlib``: the README's own router scored on the simulated data,
the registry listing, and every refusal (exit code 2, one line naming the argument and why)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from routerlib.cli import import_router, main

PROJ_ROOT = Path(__file__).resolve().parents[1]


def _run(args, cwd, timeout=600):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PROJ_ROOT), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "routerlib", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _readme_router_module(folder: Path) -> Path:
    """The README's example router class, saved as ``myrouter.py`` (its code up to the first load)."""
    text = (PROJ_ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text[text.index("## Bring your own router"):], re.S).group(1)
    path = folder / "myrouter.py"
    path.write_text(code.split("\ndata = load(")[0])
    return path


@pytest.mark.integration
def test_readme_router_through_the_command_line(tmp_path):
    _readme_router_module(tmp_path)
    out = tmp_path / "out"
    r = _run(["evaluate", "--data", "sim", "--scale", "0.02", "--router", "myrouter:CheapestOnLongPrompts",
              "--name", "mine", "--routers", "random_score", "--seeds", "0,1", "--embedder", "features",
              "--out", str(out)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "protocol (" in r.stderr  # run_protocol's progress bar
    rows = {line.split()[0]: line for line in r.stdout.splitlines() if line.strip()}
    assert "mine" in rows and "random_score" in rows and "zero" in rows
    assert re.search(r"[+-]\d\.\d{3} \[[+-]\d\.\d{3}, [+-]\d\.\d{3}\] (above|below|within noise)", rows["mine"])
    lb = pd.read_csv(out / "leaderboard.csv")
    mine = lb[(lb.router == "mine") & (lb.metric == "aiq_heldout_minus_zero") & (lb.dataset == "all")]
    assert len(mine) == 1 and mine.n_seeds.iloc[0] == 2
    assert set(lb.embedder) == {"features"} and (out / "leaderboard.png").stat().st_size > 0


def test_help_and_registry_listing(tmp_path):
    r = _run(["--help"], cwd=tmp_path)
    assert r.returncode == 0 and "evaluate" in r.stdout and "routers" in r.stdout
    r = _run(["routers"], cwd=tmp_path)
    assert r.returncode == 0
    from routerlib.routers import ROUTERS

    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(ROUTERS)
    knn = next(line for line in lines if line.startswith("knn "))
    assert "routerlib.routers.predictive" in knn and "knob: willingness_to_pay" in knn


def test_unimportable_router_ends_with_code_2_and_one_line(tmp_path):
    r = _run(["evaluate", "--router", "no_such_module_here:MyRouter"], cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().count("\n") == 0
    assert "no_such_module_here" in r.stderr and "cannot be imported" in r.stderr


class NeedsArgument:
    def __init__(self, k):
        self.k = k

    def fit(self, data, X=None):
        return self

    def route(self, data, X=None):
        return None


class NoRoute:
    def fit(self, data, X=None):
        return self


@pytest.mark.parametrize(("path", "reason"), [
    ("no_such_module_here:X", "module 'no_such_module_here' cannot be imported"),
    ("routerlib.hull:NoSuchRouter", "has no attribute 'NoSuchRouter'"),
    ("routerlib.hull:aiq", "not a router, it has no fit and no route method"),
    ("tests.test_cli:NoRoute", "not a router, it has no route method"),
    ("tests.test_cli:NeedsArgument", "cannot be made without arguments"),
    ("routerlib.hull", "expected module:Name"),
])
def test_router_paths_refused_with_the_reason(path, reason, capsys):
    assert main(["evaluate", "--router", path]) == 2
    err = capsys.readouterr().err
    assert f"--router {path!r}" in err and reason in err


@pytest.mark.parametrize(("args", "named"), [
    (["--seeds", "0,0"], "--seeds '0,0'"),
    (["--seeds", "-1"], "--seeds '-1'"),
    (["--scale", "0"], "--scale 0.0"),
    (["--scale", "1.5"], "--scale 1.5"),
    (["--data", "no/such/file.csv"], "--data 'no/such/file.csv'"),
    (["--embedder", "no-such-embedder"], "--embedder 'no-such-embedder'"),
    (["--routers", "knn,nope"], "unknown 'nope'"),
    (["--routers", "knn,knn"], "named twice"),
    (["--router", "routerlib.routers.baselines:RandomRouter", "--name", "knn"], "--name 'knn'"),
    ([], "--router / --routers"),
])
def test_arguments_checked_before_any_work(args, named, capsys):
    base = [] if "--routers" in args or "--router" in args or not args else ["--routers", "knn"]
    assert main(["evaluate", *base, *args]) == 2
    assert named in capsys.readouterr().err


def test_import_router_returns_an_unfitted_instance():
    r = import_router("routerlib.routers.baselines:RandomRouter")
    assert callable(r.fit) and callable(r.route)
    assert import_router("routerlib.routers.baselines:RandomRouter") is not r
