"""Execute the numbered notebooks end to end with papermill (used by `make reproduce` / `make test`).

Each ``notebooks/NN_<item>.py`` (jupytext percent format, the only committed form) is
converted to ``.ipynb`` in ``--out``, executed there with the parameters ``data``, ``seed``,
``scale``, ``seeds`` and ``embedder`` injected, and left in ``--out`` (for nbval to re-check).
Figures go to ``figures/<data name>/`` (or under ``$ROUTERLIB_FIGURES``).

Before anything else (a download, the embedding pass, the first notebook), every argument is
checked (:func:`check_args`: the data, ``--seed`` and ``--seeds`` as integers in [0, 2**32), the
seeds distinct, ``--scale`` in (0, 1], the embedder known; a bad value fails at once with a message
naming the argument and the value), and then every prompt the notebooks will embed is embedded once, with a
progress bar, so the notebooks find their embeddings in the cache (in a parallel run, the notebooks
that embed nothing run meanwhile). What a notebook embeds, and which
notebooks' cached protocol jobs it reuses, it declares in its header (:func:`declaration`)::

    #   routerlib:
    #     embeds: [data]              # or [data views], [rag-sim], [] for none
    #     embedders: [minilm-static]  # other embedders it embeds those prompts with (the run's is implied)
    #     after: [09_leaderboard]     # started after these in a parallel run (--jobs): it reuses their jobs

Then one line per notebook: its elapsed time and an ETA from the previous run's timings
(``build/.timings.json``). The kernels' stderr (warnings, the tqdm bars of long steps) is streamed
to the terminal; the kernels talk over IPC sockets, not TCP, so nothing listens on a port (and
ipykernel has no plain-text warning to print). With ``--jobs N`` the notebooks run N at a time
(:func:`run_parallel`), and ``--cell-timeout`` fails a cell that runs too long, by name.

    python scripts/run_notebooks.py --data sim --out build/reproduce/sim [--only 00 01] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path

import jupytext
import papermill as pm

ROOT = Path(__file__).resolve().parents[1]
TIMINGS = ROOT / "build" / ".timings.json"


# ----- what the terminal shows ------------------------------------------------------------------
def clock(seconds: float) -> str:
    """``75.3`` -> ``'1:15'``; ``3725`` -> ``'1:02:05'``."""
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class StatusLine:
    """One line per notebook: written when it starts, finished when it ends. Whatever the kernel
    writes to stderr meanwhile (a progress bar, a warning) goes to the terminal on lines of its own."""

    def __init__(self, out=None, err=None):
        self.out, self.err, self.open = out or sys.stdout, err or sys.stderr, False

    def start(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
        self.open = True

    def finish(self, text: str, again: str) -> None:
        """``text`` ends the open line; if something broke it, ``again`` is a whole line instead."""
        self.out.write(text if self.open else again)
        self.out.write("\n")
        self.out.flush()
        self.open = False

    def write(self, s: str) -> int:  # the kernel's stderr (papermill's stderr_file)
        if self.open:
            self.out.write("\n")
            self.out.flush()
            self.open = False
        self.err.write(s)
        self.err.flush()
        return len(s)

    def flush(self) -> None:
        self.err.flush()


#: an ANSI cursor movement or line erase (up, down, right, left, next or previous line, column, erase
#: in line); colours and other sequences are kept
CURSOR = re.compile(r"\x1b\[[0-9;]*[ABCDEFGK]")


class Prefixed:
    """A kernel's stderr in a parallel run: each line (a tqdm redraw ends with a carriage return and
    counts as a line) goes to ``err`` as soon as it is complete, behind ``prefix``, so that two
    kernels' output interleaves by whole lines; :meth:`flush` writes an unfinished last line. With
    an empty prefix it stands in for the runner's own stderr (the embedding passes' bars), and any
    other attribute (``fileno``, ``encoding``) is ``err``'s.

    Cursor movements (:data:`CURSOR`: tqdm moves up to redraw a second bar open at the same time,
    as when two embedding passes run) are taken out: between other lines they would move the
    cursor over them, and in a log they are noise; a line left empty is not written."""

    _lock = threading.Lock()

    def __init__(self, prefix: str, err=None):
        self.prefix, self.err, self.part = prefix, err, ""
        self._buffer = threading.Lock()  # the runner's stand-in is written by several threads

    def write(self, s: str) -> int:
        with self._buffer:
            self.part += s
            *lines, self.part = re.split(r"[\r\n]", self.part)
        self._emit([y for y in (CURSOR.sub("", x) for x in lines) if y.strip()])
        return len(s)

    def flush(self) -> None:
        with self._buffer:
            last, self.part = CURSOR.sub("", self.part), ""
        if last.strip():
            self._emit([last])

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name):
        if name == "err":  # not set yet (unpickling, copying): no delegation loop
            raise AttributeError(name)
        return getattr(self.err if self.err is not None else sys.__stderr__, name)

    def _emit(self, lines: list[str]) -> None:
        if lines:
            err = self.err or sys.stderr
            with self._lock:
                err.write("".join(f"{self.prefix}{x}\n" for x in lines))
                err.flush()


def read_timings() -> dict:
    try:
        return json.loads(TIMINGS.read_text())
    except (OSError, ValueError):
        return {}


def write_timings(timings: dict) -> None:
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    tmp = TIMINGS.with_name(f".timings-{os.getpid()}.tmp")
    tmp.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, TIMINGS)


def eta(previous: dict, names: list[str]) -> str:
    """`` ETA m:ss`` from the previous run's seconds of ``names`` ('' when one of them is unknown)."""
    if not names or any(n not in previous for n in names):
        return ""
    return f"; ETA {clock(sum(previous[n] for n in names))}"


# ----- kernels ----------------------------------------------------------------------------------
def ipc_kernel_manager():
    """An AsyncKernelManager whose kernel listens on IPC sockets (short paths in the temp folder),
    and that shuts its kernel down without interrupting it first.

    jupyter_client interrupts a kernel before asking it to shut down. After a notebook has ended
    nothing runs that the interrupt could stop, and one that lands while the kernel handles a
    message makes ipykernel print "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." into
    the run's log, which reads as a failure. A kernel that does not answer the shutdown request is
    still killed (jupyter_client's own fallback)."""
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("ip")
        def _ip_default(self):
            return os.path.join(tempfile.gettempdir(), f"routerlib-kernel-{uuid.uuid4().hex[:12]}")

        async def _async_interrupt_kernel(self) -> None:
            if getattr(self, "shutting_down", False):
                return
            await super()._async_interrupt_kernel()

    return IPCKernelManager


# ----- embeddings, once -------------------------------------------------------------------------
def declaration(src: Path) -> dict:
    """What notebook ``src`` declares in its header's ``routerlib`` metadata:

    * ``embeds``: the prompt sets it embeds with the run's embedder (``features_for``): ``data``
      (the run's data, prompts as stored), ``data views`` (every prompt view the data needs,
      ``views_needed``) or a named source such as ``rag-sim``;
    * ``embedders``: other embedders (names of ``routerlib.embed.EMBEDDERS``) it embeds those
      prompts with besides the run's (the embedder ablation); each gets an embedding pass of its own
      (:func:`extra_passes`), one that fits on each training split (tfidf) none;
    * ``after``: the notebooks (by file stem) whose protocol jobs it reuses from the cache, so a
      parallel run starts it only once they have ended.

    Returns ``{"embeds": [...], "embedders": [...], "after": [...]}`` (empty lists when not declared).

    Raises
    ------
    ValueError
        Naming the notebook and the value, for a declaration that is not a list of names.
    """
    meta = jupytext.read(src).metadata.get("routerlib", {}) or {}
    out = {}
    for key in DECLARED:
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"{src.name}: routerlib metadata {key!r} must be a list of names; got {value!r}")
        out[key] = value
    unknown = set(meta) - set(DECLARED)
    if unknown:
        raise ValueError(f"{src.name}: unknown routerlib metadata {sorted(unknown)}; known: {', '.join(DECLARED)}")
    return out


#: the keys of a notebook's ``routerlib`` header metadata (:func:`declaration`)
DECLARED = ("embeds", "embedders", "after")


def embed_once(data: str, seed: int, scale: float, embedder: str, notebooks: list[Path]) -> int:
    """Embed every prompt that ``notebooks`` will embed (cached, so they find them); returns how many.

    What each notebook embeds is its declaration (:func:`declaration`): ``data``, ``data views`` or
    a named source. An embedder fitted on each training split (tfidf) has nothing to do here.
    """
    from routerlib import embed as E
    from routerlib.data import load

    wanted: dict[str, set] = {}  # source -> {"stored", "views"}
    for nb in notebooks:
        for name in declaration(nb)["embeds"]:
            if name in ("data", "data views"):
                wanted.setdefault(data, set()).add("views" if name == "data views" else "stored")
            else:
                wanted.setdefault(name, set()).add("stored")
    emb = E.make_embedder(embedder)
    if not wanted or getattr(emb, "fits_on_prompts", False):
        return 0
    prompts = []
    # the notebooks show the loader's warnings; two passes at once (threads) must not interleave
    # their changes to the process's warning filters
    with _LOADING, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for src, how in wanted.items():
            rd = load(src, seed, scale)
            views = E.views_needed(rd) if "views" in how else []
            for view in dict.fromkeys(views + (["stored"] if "stored" in how else [])):
                prompts.extend(E.prompt_view(rd, view).tolist())
    emb.transform(prompts)
    return len(set(prompts))


_LOADING = threading.Lock()


def extra_passes(notebooks: list[Path], embedder: str) -> dict[str, list[Path]]:
    """The other embedders the notebooks declare (``embedders``), each with the notebooks that
    declare it: those an embedding pass can cache for (the run's own embedder, and one fitted on
    each training split, left out).

    Raises
    ------
    ValueError
        Naming the notebook and the embedder, for a name that is no embedder or cannot run here.
    """
    from routerlib import embed as E

    out: dict[str, list[Path]] = {}
    for nb in notebooks:
        for name in declaration(nb)["embedders"]:
            if name not in E.EMBEDDERS:
                raise ValueError(f"{nb.name}: routerlib metadata 'embedders' names {name!r}, which is no embedder; "
                                 f"known: {', '.join(E.EMBEDDERS)}")
            try:
                E.check_embedder(name)
            except ValueError as e:
                raise ValueError(f"{nb.name}: routerlib metadata 'embedders' names {name!r}: {e}") from None
            if name != embedder and not getattr(E.make_embedder(name), "fits_on_prompts", False):
                out.setdefault(name, []).append(nb)
    return out


def check_order(notebooks: list[Path]) -> dict[str, list[str]]:
    """Each selected notebook's ``after`` list, limited to the notebooks of this run (a notebook not
    run here has nothing to wait for). A run one at a time keeps the numbered order whatever the
    lists say (the cache serves the jobs both ways); a parallel run starts a notebook after those.

    Raises
    ------
    ValueError
        For an ``after`` that names no notebook of the project, or lists that wait in a circle.
    """
    every = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py")} | {p.stem for p in notebooks}
    here = {p.stem for p in notebooks}
    out = {}
    for nb in notebooks:
        after = declaration(nb)["after"]
        for name in after:
            if name not in every:
                raise ValueError(f"{nb.name}: routerlib metadata 'after' names {name!r}, which is no notebook")
        out[nb.stem] = [a for a in after if a in here]
    done: set = set()
    while len(done) < len(out):  # peel off the notebooks whose predecessors are all placed
        ready = {n for n, deps in out.items() if n not in done and set(deps) <= done}
        if not ready:
            stuck = sorted(n for n in out if n not in done)
            raise ValueError(f"routerlib metadata 'after' waits in a circle among {stuck}")
        done |= ready
    return out


# ----- executing ------------------------------------------------------------------------------
def execute(src: Path, out: Path, params: dict, km, stderr, cwd: Path | None = ROOT / "notebooks",
            cell_timeout: float | None = None) -> float:
    """Convert ``src`` (jupytext percent) to ``out/<stem>.ipynb`` and execute it there in place with
    ``params`` injected, the kernel's stderr going to ``stderr`` and its working directory ``cwd``
    (``None``: this process's). A cell running longer than ``cell_timeout`` seconds fails the notebook
    (nbclient's ``CellTimeoutError``, naming the cell). Returns the seconds it took."""
    nb = jupytext.read(src)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    ipynb = out / (src.stem + ".ipynb")
    jupytext.write(nb, ipynb)
    t0 = time.perf_counter()
    pm.execute_notebook(
        str(ipynb), str(ipynb), parameters=params, cwd=None if cwd is None else str(cwd), kernel_name="python3",
        progress_bar=False, stderr_file=stderr, kernel_manager_class=km, execution_timeout=cell_timeout,
    )
    return time.perf_counter() - t0


def run_in_order(notebooks: list[Path], out: Path, params: dict, previous: dict, t_all: float, km,
                 status: StatusLine, cell_timeout: float | None = None) -> dict:
    """Execute ``notebooks`` one after the other: a status line each, the kernels' stderr live."""
    now = {}
    for k, src in enumerate(notebooks, 1):
        last = f"; last run {previous[src.stem]:.0f} s" if src.stem in previous else ""
        head = f"[{k}/{len(notebooks)}] {src.name}"
        status.start(f"{head} (elapsed {clock(time.perf_counter() - t_all)}{last}"
                     f"{eta(previous, [p.stem for p in notebooks[k - 1:]])}) ...")
        try:
            now[src.stem] = execute(src, out, params, km, status, cell_timeout=cell_timeout)
        except BaseException:
            status.finish(" failed", f"{head} failed")
            raise
        status.finish(f" {now[src.stem]:.1f} s", f"{head} done in {now[src.stem]:.1f} s")
    return now


def longest_first(notebooks: list[Path], previous: dict, after: dict | None = None) -> list[Path]:
    """The order that ends a parallel run soonest: first the notebooks that others wait for (most
    waiting first, as each holds up a chain), then the longest (by the previous run's seconds; a
    notebook never timed goes first, the later-numbered, heavier ones first). ``after``: each
    notebook's predecessors in this run (:func:`check_order`)."""
    after = after or {}

    def waiting(stem: str, seen: frozenset = frozenset()) -> set:
        direct = {s for s, deps in after.items() if stem in deps and s not in seen}
        return direct.union(*(waiting(s, seen | direct) for s in direct)) if direct else set()

    return sorted(notebooks, key=lambda p: (-len(waiting(p.stem)), p.stem in previous, -previous.get(p.stem, 0.0),
                                            [-ord(c) for c in p.name]))


#: the embedding pass's place among a parallel run's tasks (:func:`run_parallel`)
EMBEDDING = "the embedding pass"

#: what each kernel of a parallel run is limited to one of: BLAS/OpenMP threads. Its joblib jobs
#: (the protocol's ``n_jobs=-1``) still use every core, so a notebook left running alone at the end
#: of a run is not held to one core; ``LOKY_MAX_CPU_COUNT=1`` in the environment holds them to one
#: (``make test`` does: at CI scale, starting worker processes costs more than they save)
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_parallel(notebooks: list[Path], out: Path, params: dict, jobs: int, previous: dict, t_all: float,
                 km, cell_timeout: float | None = None, embed=None, extra: dict | None = None) -> dict:
    """Execute ``notebooks`` ``jobs`` at a time (threads, each driving its own kernel process).

    ``embed`` (a function returning what it reports) is the embedding pass: it takes the first slot,
    the notebooks that embed nothing (their declaration's ``embeds: []``) run in the free slots
    meanwhile, and the rest start once it has ended. A pass that runs in one process (a small
    remainder, the static model's distillation) no longer leaves the other cores idle. ``extra``
    (embedder name -> (function, the stems of the notebooks that read it); :func:`extra_passes`) are
    the passes of the other embedders notebooks declare: they take the next slots, before any
    notebook, and only the notebooks that read one wait for it. With 2 slots and one such pass, the
    notebooks that embed nothing start when either pass ends; when the first pass is short (its
    embeddings cached) the static model is distilled beside notebook 09, not in notebook 11 after it.

    The kernels get one BLAS/OpenMP thread each (:data:`ONE_THREAD`), so ``jobs`` kernels share the
    cores instead of each asking for all of them. What a kernel writes to stderr (warnings, the progress bars of long steps) is shown as it
    comes, each line behind the notebook's number (:class:`Prefixed`), and a line is printed as each
    notebook ends. The first failure is raised once the notebooks already started have ended; none
    is started after it.
    """

    # papermill changes the process's working directory around each execution, which threads would
    # race on: the whole run moves there once instead, and each kernel starts in it
    here, saved, err = os.getcwd(), dict(os.environ), sys.stderr
    os.chdir(ROOT / "notebooks")
    os.environ.update(dict.fromkeys(ONE_THREAD, "1"))
    os.environ["TQDM_MININTERVAL"] = "15"  # a bar's redraw is a line of its own here: one each 15 s
    # this process's own bars (the embedding passes) by whole lines too, between the kernels' lines
    sys.stderr = Prefixed("", err)
    try:
        return _run_parallel(notebooks, out, params, jobs, previous, t_all, km, cell_timeout, embed, extra, err)
    finally:
        try:
            sys.stderr.flush()
        finally:
            sys.stderr = err
        os.chdir(here)
        os.environ.clear()
        os.environ.update(saved)



def _run_parallel(notebooks, out, params, jobs, previous, t_all, km, cell_timeout, embed=None, extra=None,
                  err=None) -> dict:
    """:func:`run_parallel`'s loop: start the next notebook whenever one of ``jobs`` ends; ``err``:
    where the kernels' stderr lines go (default: ``sys.stderr``)."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    after = check_order(notebooks)
    order = longest_first(notebooks, previous, after)
    embeds = {p.stem for p in notebooks if declaration(p)["embeds"]}
    passes = {EMBEDDING: (embed, embeds)} if embed is not None else {}  # label -> (function, stems that wait)
    passes.update({f"the {name} embedding pass": (fn, set(stems)) for name, (fn, stems) in (extra or {}).items()})
    now, logs, failed, finished, passed = {}, {}, None, 0, set()
    print(f"{len(notebooks)} notebooks, {jobs} at a time (longest first: {', '.join(p.name[:2] for p in order)})"
          + (f"; those that embed nothing ({len(notebooks) - len(embeds)}) during the embedding pass" if embed else "")
          + "".join(f"; {', '.join(sorted(s[:2] for s in stems))} after {label}"
                    for label, (_, stems) in passes.items() if label != EMBEDDING),
          flush=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        running, queue, to_pass = {}, list(order), list(passes)
        while queue or running or to_pass:
            while len(running) < jobs and failed is None:
                if to_pass:  # the passes first, each in a slot of its own
                    label = to_pass.pop(0)
                    running[pool.submit(passes[label][0])] = label
                    continue
                ready = [p for p in queue if all(a in now for a in after[p.stem])
                         and all(label in passed for label, (_, stems) in passes.items() if p.stem in stems)]
                if not ready:
                    break
                src = ready[0]
                queue.remove(src)
                logs[src.stem] = Prefixed(f"[{src.name[:2]}] ", err)
                running[pool.submit(execute, src, out, params, km, logs[src.stem], None, cell_timeout)] = src
            if not running:  # a failure stopped the starts (or nothing was left)
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                src = running.pop(fut)
                if isinstance(src, str):  # an embedding pass
                    if fut.exception() is not None:
                        print(f"{src} failed (elapsed {clock(time.perf_counter() - t_all)})", flush=True)
                        failed = failed or fut.exception()
                    else:
                        passed.add(src)
                        if fut.result():
                            print(fut.result(), flush=True)
                    continue
                finished += 1
                k = finished
                logs[src.stem].flush()
                if fut.exception() is not None:
                    print(f"[{k}/{len(notebooks)}] {src.name} failed (elapsed {clock(time.perf_counter() - t_all)})",
                          flush=True)
                    failed = failed or fut.exception()
                else:
                    now[src.stem] = fut.result()
                    print(f"[{k}/{len(notebooks)}] {src.name} done in {now[src.stem]:.1f} s "
                          f"(elapsed {clock(time.perf_counter() - t_all)})", flush=True)
    if failed is not None:
        raise failed
    return now


# ----- the run ----------------------------------------------------------------------------------
def check_args(data, seed, scale, seeds, embedder, scheduler: str = "") -> str:
    """Every argument of a run, checked before any work; returns ``data`` ready for ``load`` (a
    file path made absolute).

    Raises
    ------
    ValueError
        ``--<argument>: <why>``, naming the argument and its bad value.
    """
    from routerlib.data import check_source
    from routerlib.data.core import check_scale
    from routerlib.embed import check_embedder as check_emb
    from routerlib.protocol import parse_seeds
    from routerlib.scheduler import check_scheduler

    for flag, value in (("--seed", [seed]), ("--seeds", seeds)):
        try:
            parse_seeds(value)
        except ValueError as e:
            raise ValueError(f"{flag}: {e}") from None
    try:
        check_scale(scale)
    except ValueError as e:
        raise ValueError(f"--scale: {e}") from None
    try:
        out = check_source(data, scale, seed)
    except (ValueError, OSError) as e:
        raise ValueError(f"--data: {e}") from None
    try:
        check_emb(embedder)
    except ValueError as e:
        raise ValueError(f"--embedder: {e}") from None
    try:
        check_scheduler(scheduler)
    except ValueError as e:  # MissingExtra (an ImportError) passes through with its pip command
        raise ValueError(f"--scheduler: {e}") from None
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="sim", help="sim, routerbench-5shot, routerbench-0shot or a wide-format file")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="share of each dataset's rows (1 = all)")
    ap.add_argument("--seeds", default="0,1,2,3,4", help="the seeds of the multi-seed protocol, comma-separated")
    ap.add_argument("--embedder", default="minilm",
                    help="prompt embedder: minilm, minilm-static, tfidf, or a sentence-transformers name")
    ap.add_argument("--scheduler", default=os.environ.get("ROUTERLIB_SCHEDULER", ""),
                    help="where the embedding pass and the protocol's jobs run: empty (this machine), local:N "
                         "(a Dask LocalCluster of N processes on 127.0.0.1) or tcp://host:port (default: "
                         "$ROUTERLIB_SCHEDULER)")
    ap.add_argument("--out", default="build/reproduce", help="folder for the executed notebooks")
    ap.add_argument("--only", nargs="*", default=None, help="notebook numbers to run (default: all)")
    ap.add_argument("--cell-timeout", type=float, default=None,
                    help="seconds a notebook cell may run before the notebook fails, naming the cell (default: no limit)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="notebooks run at once (default 1, in order, with the kernels' progress bars live); with N > 1 "
                         "each kernel gets one BLAS/OpenMP thread, the longest notebooks start "
                         "first, and each notebook's stderr is shown when it ends")
    args = ap.parse_args(argv)


    if args.jobs < 1:
        print(f"error: --jobs: must be 1 or more; got {args.jobs}", file=sys.stderr)
        return 2
    if args.cell_timeout is not None and not args.cell_timeout > 0:
        print(f"error: --cell-timeout: must be a number of seconds above 0; got {args.cell_timeout}", file=sys.stderr)
        return 2
    try:  # DATA, SEED, SEEDS, SCALE, EMBEDDER and SCHEDULER, before any download, embedding or notebook
        data = check_args(args.data, args.seed, args.scale, args.seeds, args.embedder, args.scheduler)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ImportError as e:  # a cluster asked for without Dask installed: the message names the extra
        print(f"error: --scheduler: {e}", file=sys.stderr)
        return 2
    from routerlib.scheduler import connect

    # one cluster for the whole run: `local:N` is started here once, and the embedding pass and
    # every kernel (which inherit ROUTERLIB_SCHEDULER) reach it at its tcp:// address
    try:
        with connect(args.scheduler) as client:
            if client is not None:
                os.environ["ROUTERLIB_SCHEDULER"] = client.scheduler.address
                print(f"scheduler: {args.scheduler.strip()} at {client.scheduler.address}, "
                      f"{len(client.scheduler_info()['workers'])} workers", flush=True)
            return _run(args, data)
    except OSError as e:
        if "Dask scheduler" not in str(e):
            raise
        print(f"error: --scheduler: {e}", file=sys.stderr)
        return 2


def _run(args, data) -> int:
    from routerlib.data import fetch_hub_file

    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    if args.only:
        notebooks = [nb for nb in notebooks if nb.name[:2] in set(args.only)]
    if not notebooks:
        print("error: no notebooks selected", file=sys.stderr)
        return 2
    try:  # the other embedders the notebooks read run here, or the run stops before any download
        others = extra_passes(notebooks, args.embedder)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    if data in {"routerbench-0shot", "routerbench-5shot"}:  # download (once) before any notebook runs
        try:
            print(f"data: {fetch_hub_file(data)}", flush=True)
        except RuntimeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    params = {"data": data, "seed": args.seed, "scale": args.scale, "seeds": args.seeds, "embedder": args.embedder}
    from routerlib.paths import data_name

    run_key = f"data={data_name(data)} scale={args.scale:g} seed={args.seed} embedder={args.embedder}"
    timings = read_timings()
    previous = timings.get(run_key, {})
    # the kernels inherit this: tqdm falls back to a text bar without ipywidgets, and says so each time
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), "ignore:IProgress not found"]))
    if not sys.stderr.isatty():  # a log (CI): a progress bar redrawn every 15 s, not ten times a second
        os.environ.setdefault("TQDM_MININTERVAL", "15")
    km = ipc_kernel_manager()

    t_all = time.perf_counter()

    def embedding_pass(embedder: str, readers: list[Path]):
        def run() -> str:
            n = embed_once(data, args.seed, args.scale, embedder, readers)
            return (f"embeddings ({embedder}): {n:,} distinct prompts ready in {time.perf_counter() - t_all:.1f} s "
                    f"(cached for the notebooks)") if n else ""
        return run

    embed = embedding_pass(args.embedder, notebooks)
    extra = {name: (embedding_pass(name, readers), [p.stem for p in readers]) for name, readers in others.items()}
    if args.jobs > 1:
        now = run_parallel(notebooks, out, params, args.jobs, previous, t_all, km, args.cell_timeout, embed, extra)
    else:
        for run in [embed] + [fn for fn, _ in extra.values()]:
            if line := run():
                print(line, flush=True)
        now = run_in_order(notebooks, out, params, previous, t_all, km, StatusLine(), args.cell_timeout)
    timings[run_key] = {**previous, **now}
    write_timings(timings)
    print(f"{len(notebooks)} notebooks ({args.data}, scale {args.scale:g}, embedder {args.embedder}) "
          f"in {clock(time.perf_counter() - t_all)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
