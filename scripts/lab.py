"""`make lab`: JupyterLab from the project's venv, in which ``notebooks/*.py`` open as notebooks.

The notebooks are jupytext percent files. JupyterLab opens a ``.py`` file as a notebook on a
double click when jupytext's "Jupytext Notebook" is the default viewer of Python files; the
project sets that default in ``.jupyter/labconfig/default_setting_overrides.json``, a Jupyter
config folder put on the search path with ``JUPYTER_CONFIG_PATH`` (the user's own settings still
win). Saving from JupyterLab writes the same percent format back (jupytext adds its version to
the header the first time).

    python scripts/lab.py [any jupyter lab option, e.g. --port 8899 --no-browser]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".jupyter"


def lab_env(environ: dict | None = None) -> dict:
    """``environ`` (default: this process's) with the project's Jupyter config folder first on ``JUPYTER_CONFIG_PATH``."""
    env = dict(os.environ if environ is None else environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(CONFIG), env.get("JUPYTER_CONFIG_PATH")]))
    return env


def lab_command(*options: str) -> list[str]:
    """The ``jupyter lab`` command line of this venv, rooted at the project, opening ``notebooks/``
    (``--allow-root`` added for root, as in CI and containers, where jupyter refuses to start otherwise)."""
    root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}",
            "--LabApp.default_url=/lab/tree/notebooks", *root, *options]


def main(argv=None) -> int:
    return subprocess.call(lab_command(*(sys.argv[1:] if argv is None else argv)), env=lab_env(), cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
