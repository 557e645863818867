"""`make lab`: a JupyterLab server on localhost serves every numbered notebook as a notebook.

Starts the server of scripts/lab.py (the project's Jupyter config on the search path, the user's
own config and settings kept out) on a free localhost port with a random token, asks its contents
API for each ``notebooks/NN_*.py`` as a notebook, and its settings API for the default viewer of
Python files (what a double click opens). The server is stopped in every case; every request and
the start-up wait have time limits.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
START_TIMEOUT = 120.0  # seconds for the server to answer (a loaded 2-core machine)

pytest.importorskip("jupyterlab")
pytest.importorskip("jupytext")

pytestmark = pytest.mark.integration


def _lab_module():
    spec = importlib.util.spec_from_file_location("lab", ROOT / "scripts" / "lab.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Server(NamedTuple):
    base: str  # http://127.0.0.1:<port>
    get: Callable[..., str]  # GET a path with the token, the body as text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    lab = _lab_module()
    tmp = tmp_path_factory.mktemp("lab")
    env = lab.lab_env()
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        env[var] = str(tmp / sub)  # nothing of the user's own Jupyter setup takes part
    port, token = _free_port(), secrets.token_hex(16)
    cmd = lab.lab_command("--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                          "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}")
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def get(path: str, timeout: float = 20.0):
        req = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.read().decode()

    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}: {(tmp / 'server.log').read_text()[-2000:]}")
            try:
                json.loads(get("/api/status", timeout=5))
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer in {START_TIMEOUT:.0f} s: "
                                f"{(tmp / 'server.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield Server(base, get)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        log.close()


def test_requests_need_the_token(server):
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(server.base + "/api/contents/notebooks", timeout=20)
    assert e.value.code in (401, 403)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_served_as_a_notebook_with_its_parameters_tagged(server, path):
    model = json.loads(server.get(f"/api/contents/notebooks/{path.name}?type=notebook&content=1"))
    assert model["type"] == "notebook" and model["format"] == "json"
    nb = model["content"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    params = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1 and params[0]["cell_type"] == "code"
    src = params[0]["source"] if isinstance(params[0]["source"], str) else "".join(params[0]["source"])
    assert 'data: str = "sim"' in src and 'embedder: str = "minilm"' in src
    assert nb["cells"][0]["cell_type"] == "markdown"


def test_python_files_open_as_notebooks_on_a_double_click(server):
    settings = json.loads(server.get("/lab/api/settings/@jupyterlab/docmanager-extension:plugin"))
    # the project's override becomes the schema's default; JupyterLab applies user settings on top (none here)
    assert settings["schema"]["properties"]["defaultViewers"]["default"]["python"] == "Jupytext Notebook"
    assert "defaultViewers" not in settings["settings"]
    assert "jupyterlab-jupytext" in server.get("/lab")  # the extension that provides that viewer is loaded
