"""routerlib.data.hub without the network: a stand-in hub on 127.0.0.1 (huggingface_hub honours
the endpoint), and the offline failure, which must come in seconds with the how-to message."""

import hashlib
import http.server
import os
import pickle
import threading
import time

import pytest
from frames import wide

from routerlib import data as D
from routerlib.data import hub as H

pytestmark = pytest.mark.integration


class Crafted:
    """A pickle that runs a shell command when it is unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def stand_in_hub(monkeypatch, tmp_path):
    """A threaded HTTP server answering huggingface_hub's HEAD and GET on
    ``/datasets/<repo>/resolve/<revision>/<file>`` for the files in ``hub.files`` (name -> bytes);
    ``hub.requests`` lists every (method, path) it was asked."""
    files: dict[str, bytes] = {}
    requests: list[tuple[str, str]] = []
    prefix = f"/datasets/{H.HUB_REPO}/resolve/{H.HUB_REVISION}/"

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, body: bool):
            requests.append((self.command, self.path))
            name = self.path[len(prefix):] if self.path.startswith(prefix) else None
            if name not in files:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.send_header("X-Error-Code", "EntryNotFound")
                self.end_headers()
                return
            data = files[name]
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("X-Repo-Commit", H.HUB_REVISION)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def do_HEAD(self):
            self._answer(body=False)

        def do_GET(self):
            self._answer(body=True)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRUST_PICKLE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    import huggingface_hub.constants

    # read once at import: another test may have imported huggingface_hub with HF_HUB_OFFLINE=1
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)

    class Hub:
        pass

    hub = Hub()
    hub.files, hub.requests, hub.raw = files, requests, tmp_path / "raw"
    yield hub
    server.shutdown()
    server.server_close()


def test_a_file_not_matching_the_pin_is_refused_and_never_unpickled(stand_in_hub, tmp_path):
    marker = tmp_path / "pwned"
    stand_in_hub.files["routerbench_0shot.pkl"] = pickle.dumps(Crafted(marker))
    with pytest.raises(RuntimeError, match=r"routerbench_0shot\.pkl: SHA-256 .* does not match the pinned"):
        D.load_routerbench("routerbench-0shot", raw_dir=stand_in_hub.raw)
    assert any(m == "GET" for m, _ in stand_in_hub.requests)  # it was downloaded from the stand-in
    assert not marker.exists()


def test_a_pinned_file_downloads_once_is_verified_and_loads(stand_in_hub, monkeypatch):
    payload = pickle.dumps(wide(40))
    stand_in_hub.files["bench.pkl"] = payload
    (stand_in_hub.raw).mkdir()
    pin_file = stand_in_hub.raw.parent / "payload.pkl"
    pin_file.write_bytes(payload)
    monkeypatch.setitem(H.HUB_FILES, "test-bench", ("bench.pkl", H.sha256_of(pin_file)))
    rd = D.load_routerbench("test-bench", raw_dir=stand_in_hub.raw)
    assert rd.n == 40 and rd.name == "test-bench"
    assert (stand_in_hub.raw / "bench.pkl").read_bytes() == payload
    gets = [p for m, p in stand_in_hub.requests if m == "GET"]
    assert len(gets) == 1 and gets[0].endswith("/bench.pkl")
    asked = len(stand_in_hub.requests)
    # a second load reads the local copy (verified again) without asking the server
    assert D.load_routerbench("test-bench", raw_dir=stand_in_hub.raw).n == 40
    assert len(stand_in_hub.requests) == asked
    # and the file on disk changed afterwards is refused
    (stand_in_hub.raw / "bench.pkl").write_bytes(payload + b"x")
    with pytest.raises(RuntimeError, match="does not match the pinned"):
        D.load_routerbench("test-bench", raw_dir=stand_in_hub.raw)


def _no_download(*args, **kwargs):
    raise AssertionError("huggingface_hub was asked although the hub is unreachable")


@pytest.mark.parametrize("how", ["HF_HUB_OFFLINE", "closed port", "no answer"])
def test_offline_fails_in_seconds_with_the_how_to(tmp_path, monkeypatch, how):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", _no_download)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    if how == "HF_HUB_OFFLINE":
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    elif how == "closed port":
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    else:  # a server that accepts the connection and never answers: the probe gives up
        import socket

        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{silent.getsockname()[1]}")
    t0 = time.perf_counter()
    try:
        with pytest.raises(RuntimeError, match=r"offline\?.*\n.*make data.*put it at"):
            D.load_routerbench("routerbench-0shot", raw_dir=tmp_path)
    finally:
        if how == "no answer":
            silent.close()
    assert time.perf_counter() - t0 < 5.0
