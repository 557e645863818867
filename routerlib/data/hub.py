"""The pinned RouterBench hub files: download once into ``data/raw``, verify the SHA-256.

* :data:`HUB_FILES` -- name -> (file in the hub repository, pinned SHA-256 or None).
* :func:`fetch_hub_file` -- download (once) and verify; offline, a clear error that says how to
  get the file by hand, in a few seconds: before huggingface_hub (and its retries, about 30 s
  offline) is asked, :func:`hub_unreachable` checks ``HF_HUB_OFFLINE`` and makes one HTTP
  request to the endpoint (``HF_ENDPOINT``, read at each call) with a :data:`PROBE_SECONDS` limit.
"""

from __future__ import annotations

import hashlib
import os
import threading
import urllib.error
import urllib.request
import warnings
from pathlib import Path

from .. import paths

__all__ = ["HUB_REPO", "HUB_REVISION", "HUB_FILES", "PROBE_SECONDS", "sha256_of", "hub_endpoint",
           "hub_unreachable", "fetch_hub_file"]

PROBE_SECONDS = 3.0  # the one HTTP request that decides "offline" waits no longer

HUB_REPO = "withmartian/routerbench"
HUB_REVISION = "784021482c3f320c6619ed4b3bb3b41a21424fcb"
# name -> (file in the hub repo, SHA-256 or None when the project has no pinned checksum)
HUB_FILES = {
    "routerbench-0shot": (
        "routerbench_0shot.pkl",
        "ba4f77f19517610a707c374e99322d7750c30fc4ae7ff5527888595a1e65d36d",
    ),
    # No checksum of the 5-shot file is pinned here: the first download records its
    # SHA-256 beside it (trust on first use) and every later load verifies that record.
    "routerbench-5shot": ("routerbench_5shot.pkl", None),
}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hub_endpoint() -> str:
    """The hub's address: ``$HF_ENDPOINT`` (read at each call) or https://huggingface.co."""
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def _truthy(var: str) -> bool:
    return os.environ.get(var, "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def hub_unreachable(endpoint: str | None = None, timeout: float | None = None) -> str | None:
    """Why the hub cannot be reached, or None when it answers one HTTP request.

    Offline mode (``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE``) answers at once; otherwise one
    ``HEAD`` request to the endpoint's root (through the proxy of ``HTTPS_PROXY`` / ``HTTP_PROXY``
    if set) is made in a thread, so neither a slow DNS lookup nor a network that accepts the
    connection and then stays silent waits more than ``timeout`` (default :data:`PROBE_SECONDS`).
    Any HTTP answer, even an error status, counts as reachable.
    """
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):  # huggingface_hub's offline switches
        if _truthy(var):
            return f"{var} is set"
    timeout = PROBE_SECONDS if timeout is None else timeout
    url = (endpoint or hub_endpoint()).rstrip("/") + "/"
    result: dict[str, object] = {}

    def probe():
        try:
            urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout).close()
            result["ok"] = True
        except urllib.error.HTTPError:  # the server answered
            result["ok"] = True
        except (OSError, ValueError) as e:  # URLError, timeouts, refused connections, a bad URL
            result["error"] = getattr(e, "reason", e)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout + 0.5)
    if result.get("ok"):
        return None
    err = result.get("error")
    if err is None or isinstance(err, TimeoutError):
        return f"no answer from {url} within {timeout:g} s"
    return f"no answer from {url} ({type(err).__name__}: {err})"


def fetch_hub_file(name: str, raw_dir: Path | None = None) -> Path:
    """Download (once) the pinned hub file ``name`` into ``data/raw`` and verify it.

    Raises
    ------
    RuntimeError
        When the hub cannot be reached, with the steps to get the file by hand;
        or when the file's SHA-256 does not match the pinned one.
    """
    if name not in HUB_FILES:
        raise ValueError(f"unknown hub data {name!r}; known: {sorted(HUB_FILES)}")
    filename, expected = HUB_FILES[name]
    raw = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    raw.mkdir(parents=True, exist_ok=True)
    target = raw / filename
    how = (
        f"To get it by hand, on a machine with network access run `make data`, or download "
        f"https://huggingface.co/datasets/{HUB_REPO}/resolve/{HUB_REVISION}/{filename} "
        f"and put it at {target}."
    )
    if not target.exists():
        endpoint = hub_endpoint()
        reason = hub_unreachable(endpoint)
        if reason is not None:
            raise RuntimeError(
                f"could not download {filename} from the Hugging Face hub ({HUB_REPO} at revision "
                f"{HUB_REVISION[:12]}, {endpoint}): offline? {reason}.\n{how}"
            )
        try:
            from huggingface_hub import hf_hub_download

            got = hf_hub_download(
                repo_id=HUB_REPO,
                repo_type="dataset",
                filename=filename,
                revision=HUB_REVISION,
                local_dir=str(raw),
                etag_timeout=10,
                endpoint=endpoint,
            )
        except Exception as e:  # offline, DNS failure, hub errors: all end the same way
            raise RuntimeError(
                f"could not download {filename} from the Hugging Face hub "
                f"({HUB_REPO} at revision {HUB_REVISION[:12]}): {type(e).__name__}: {str(e)[:300]}\n{how}"
            ) from None
        got = Path(got)
        if got.resolve() != target.resolve():
            target.write_bytes(got.read_bytes())
    digest = sha256_of(target)
    record = target.with_name(target.name + ".sha256")
    if expected is None:
        if record.exists():
            expected = record.read_text().split()[0]
        else:
            record.write_text(f"{digest}  {filename}\n")
            warnings.warn(
                f"{filename}: no pinned SHA-256 in the project; recorded {digest[:16]}... in {record} "
                f"(trust on first use); later loads are checked against it",
                stacklevel=2,
            )
            expected = digest
    if digest != expected:
        raise RuntimeError(
            f"{target}: SHA-256 {digest} does not match the pinned {expected}; the file is corrupt or "
            f"not the pinned revision. Delete it and run `make data` again."
        )
    return target
