"""Benchmark data: :class:`RoutingData`, the RouterBench loader, the simulated default.

This is the only module that reads data files.

* :class:`RoutingData` -- one benchmark as arrays; row i is one prompt, column j one model.
* :func:`load_routerbench` -- the hub files (pinned revision, SHA-256 checked before
  unpickling) or a local ``.pkl`` / ``.csv`` / ``.csv.gz`` / ``.parquet`` in RouterBench's
  wide format (``M``, ``M|total_cost``, ``M|model_response`` per model ``M``).
* :func:`simulate_routerbench` -- the embedded, simulated benchmark (see
  :mod:`routerlib.simulate`).
* :func:`load` -- what notebooks call: ``"sim"``, a hub name or a path.
"""

from __future__ import annotations

import hashlib
import warnings
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths

__all__ = [
    "RoutingData",
    "load_routerbench",
    "simulate_routerbench",
    "load",
    "paper_datasets_only",
    "save_wide",
    "from_wide",
    "dataset_of",
    "HUB_FILES",
    "DATASETS",
]

# The seven eval families of the paper, in Table 1's order.
DATASETS = ["mmlu", "mt-bench", "mbpp", "hellaswag", "winogrande", "gsm8k", "arc-challenge"]

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

_META = {"sample_id", "prompt", "eval_name", "oracle_model_to_route_to", "orig_index"}
_TRUE = {"true", "t", "yes"}
_FALSE = {"false", "f", "no"}


def dataset_of(eval_name: str) -> str:
    """Map a RouterBench eval name to its eval family.

    >>> [dataset_of(e) for e in ["mmlu-astronomy", "grade-school-math", "mtbench", "hellaswag.dev.v0", "chinese_zodiac"]]
    ['mmlu', 'gsm8k', 'mt-bench', 'hellaswag', 'chinese_zodiac']
    """
    e = str(eval_name).strip().lower()
    head = e.split(".")[0]
    if head.startswith("mmlu"):
        return "mmlu"
    if head in {"grade-school-math", "gsm8k", "gsm-8k", "grade_school_math"}:
        return "gsm8k"
    if head in {"mtbench", "mt-bench", "mt_bench"}:
        return "mt-bench"
    if head.startswith("hellaswag"):
        return "hellaswag"
    if head.startswith("winogrande"):
        return "winogrande"
    if head in {"arc-challenge", "arc_challenge", "arc"}:
        return "arc-challenge"
    if head.startswith("mbpp"):
        return "mbpp"
    return head


def _stable_seed(seed: int, key: str) -> int:
    return (int(seed) * 1_000_003 + zlib.crc32(key.encode())) % (2**32)


@dataclass
class RoutingData:
    """One benchmark as arrays: row i is one prompt, column j one model.

    Attributes
    ----------
    sample_id, prompt, eval_name, dataset : ndarray of shape (n,)
    models : ndarray of shape (m,)
    quality : ndarray of shape (n, m), float in [0, 1]
    cost : ndarray of shape (n, m), float USD >= 0
    latency : ndarray of shape (n, m) or None
    responses : ndarray of shape (n, m) of str, or None
    name : str
        Short name of the source (``sim``, ``routerbench-5shot``, a file stem).
    simulated : bool
        True for everything :mod:`routerlib.simulate` produced.
    meta : dict
        Free-form facts about the source (seed, scale, path).
    """

    sample_id: np.ndarray
    prompt: np.ndarray
    eval_name: np.ndarray
    dataset: np.ndarray
    models: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    latency: np.ndarray | None = None
    responses: np.ndarray | None = None
    name: str = "data"
    simulated: bool = False
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        n, m = len(self.sample_id), len(self.models)
        for attr in ("prompt", "eval_name", "dataset"):
            if len(getattr(self, attr)) != n:
                raise ValueError(f"{attr} has {len(getattr(self, attr))} rows, sample_id has {n}")
        for attr in ("quality", "cost", "latency", "responses"):
            a = getattr(self, attr)
            if a is not None and a.shape != (n, m):
                raise ValueError(f"{attr} has shape {a.shape}, expected ({n}, {m})")

    # ----- shape and labels -------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.sample_id)

    @property
    def m(self) -> int:
        return len(self.models)

    @property
    def datasets(self) -> list[str]:
        """Eval families present, in Table 1's order, then any others alphabetically."""
        present = set(self.dataset.tolist())
        return [d for d in DATASETS if d in present] + sorted(present - set(DATASETS))

    @property
    def label(self) -> str:
        """Source line for plot titles; says 'simulated' when it is."""
        if self.simulated:
            seed = self.meta.get("seed", "?")
            scale = self.meta.get("scale", 1.0)
            return f"SIMULATED {self.meta.get('kind', 'RouterBench')} (seed {seed}, scale {scale:g})"
        return f"RouterBench data: {self.name} (real)"

    def __repr__(self) -> str:
        sim = ", simulated" if self.simulated else ""
        return f"RoutingData({self.name!r}, n={self.n}, m={self.m}, datasets={self.datasets}{sim})"

    # ----- selection --------------------------------------------------------------------
    def select(self, rows) -> "RoutingData":
        """Rows by boolean mask or integer index."""
        idx = np.asarray(rows)
        if idx.dtype == bool and idx.shape != (self.n,):
            raise ValueError(f"mask has shape {idx.shape}, expected ({self.n},)")

        def take(a):
            return None if a is None else a[idx]

        return replace(
            self,
            sample_id=self.sample_id[idx],
            prompt=self.prompt[idx],
            eval_name=self.eval_name[idx],
            dataset=self.dataset[idx],
            quality=self.quality[idx],
            cost=self.cost[idx],
            latency=take(self.latency),
            responses=take(self.responses),
            meta=dict(self.meta),
        )

    def subset(self, dataset: str | list[str] | None = None, exclude: str | list[str] | None = None) -> "RoutingData":
        """Rows of one or several eval families (or all but some)."""
        mask = np.ones(self.n, dtype=bool)
        if dataset is not None:
            want = [dataset] if isinstance(dataset, str) else list(dataset)
            unknown = set(want) - set(self.datasets)
            if unknown:
                raise ValueError(f"dataset(s) {sorted(unknown)} not in this data; it has {self.datasets}")
            mask &= np.isin(self.dataset, want)
        if exclude is not None:
            ex = [exclude] if isinstance(exclude, str) else list(exclude)
            mask &= ~np.isin(self.dataset, ex)
        return self.select(mask)

    def select_models(self, models) -> "RoutingData":
        """Columns of some models, in the order given."""
        names = list(self.models)
        missing = [m for m in models if m not in names]
        if missing:
            raise ValueError(f"model(s) {missing} not in this data; it has {names}")
        j = np.array([names.index(m) for m in models])

        def take(a):
            return None if a is None else a[:, j]

        return replace(
            self,
            models=self.models[j],
            quality=self.quality[:, j],
            cost=self.cost[:, j],
            latency=take(self.latency),
            responses=take(self.responses),
            meta=dict(self.meta),
        )

    def split_mask(self, seed: int = 0, test_size: float = 0.3) -> np.ndarray:
        """Boolean test mask: ``test_size`` of each dataset's sample_ids, seeded.

        Rows sharing a sample_id fall on the same side. Each dataset's split depends only
        on the seed and its own ids, so selecting datasets first gives the same split.
        """
        if not 0 < test_size < 1:
            raise ValueError(f"test_size must lie in (0, 1); got {test_size}")
        test = np.zeros(self.n, dtype=bool)
        for d in self.datasets:
            rows = np.flatnonzero(self.dataset == d)
            ids = np.unique(self.sample_id[rows].astype(str))
            rng = np.random.default_rng(_stable_seed(seed, d))
            n_test = int(round(test_size * ids.size))
            if ids.size >= 2:
                n_test = min(max(n_test, 1), ids.size - 1)
            test_ids = ids[rng.permutation(ids.size)[:n_test]]
            test[rows] = np.isin(self.sample_id[rows].astype(str), test_ids)
        return test

    def split(self, seed: int = 0, test_size: float = 0.3) -> tuple["RoutingData", "RoutingData"]:
        """(train, test): a seeded split by sample_id, ``test_size`` per dataset (paper: 70/30)."""
        test = self.split_mask(seed, test_size)
        return self.select(~test), self.select(test)

    # ----- summaries --------------------------------------------------------------------
    def oracle_choice(self) -> np.ndarray:
        """Index of the Oracle's model per row: best quality, cheapest among ties."""
        best = self.quality.max(axis=1, keepdims=True)
        cost = np.where(self.quality >= best, self.cost, np.inf)
        return np.argmin(cost, axis=1)

    def summary(self) -> pd.DataFrame:
        """Per dataset and model (and the Oracle): mean quality, total cost in USD, rows."""
        rows = []
        oracle = self.oracle_choice()
        for d in self.datasets:
            mask = self.dataset == d
            q, c = self.quality[mask], self.cost[mask]
            for j, m in enumerate(self.models):
                rows.append((d, m, q[:, j].mean(), c[:, j].sum(), int(mask.sum())))
            o = oracle[mask]
            ar = np.arange(o.size)
            rows.append((d, "oracle", q[ar, o].mean(), c[ar, o].sum(), int(mask.sum())))
        return pd.DataFrame(rows, columns=["dataset", "model", "quality", "total_cost", "n"])

    # ----- the wide format --------------------------------------------------------------
    def to_wide(self) -> pd.DataFrame:
        """RouterBench's wide format (one row per prompt), which :func:`load_routerbench` reads back."""
        cols: dict[str, object] = {
            "sample_id": self.sample_id,
            "prompt": self.prompt,
            "eval_name": self.eval_name,
        }
        for j, m in enumerate(self.models):
            cols[m] = self.quality[:, j]
        for j, m in enumerate(self.models):
            cols[f"{m}|model_response"] = self.responses[:, j] if self.responses is not None else ""
        for j, m in enumerate(self.models):
            cols[f"{m}|total_cost"] = self.cost[:, j]
        if self.latency is not None:
            for j, m in enumerate(self.models):
                cols[f"{m}|latency"] = self.latency[:, j]
        oracle = self.oracle_choice()
        names = self.models[oracle].astype(object)
        names[self.quality.max(axis=1) <= 0] = "no_model_correct"
        cols["oracle_model_to_route_to"] = names
        return pd.DataFrame(cols)


# ----- reading files ------------------------------------------------------------------
def _quality_column(series: pd.Series, col: str, source: str) -> np.ndarray:
    """Quality values as floats; booleans and 'True'/'False' strings become 1/0."""
    s = series
    if s.dtype == bool:
        return s.to_numpy(float)
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(float)
    out = np.full(len(s), np.nan)
    vals = s.to_numpy(object)
    for i, v in enumerate(vals):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            out[i] = float(v)
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            out[i] = float(v)
            continue
        t = str(v).strip()
        if t == "" or t.lower() in {"nan", "none", "null"}:
            continue
        if t.lower() in _TRUE:
            out[i] = 1.0
        elif t.lower() in _FALSE:
            out[i] = 0.0
        else:
            try:
                out[i] = float(t)
            except ValueError:
                raise ValueError(
                    f"{source}: column {col!r} row {i}: quality value {v!r} is not a number or True/False"
                ) from None
    return out


def _read_table(path: Path) -> pd.DataFrame:
    name = path.name.lower()
    if name.endswith(".pkl") or name.endswith(".pickle"):
        obj = pd.read_pickle(path)
    elif name.endswith(".csv") or name.endswith(".csv.gz"):
        obj = pd.read_csv(path, low_memory=False)
    elif name.endswith(".parquet"):
        obj = pd.read_parquet(path)
    else:
        raise ValueError(f"{path}: unknown file type; expected .pkl, .csv, .csv.gz or .parquet")
    if not isinstance(obj, pd.DataFrame):
        raise ValueError(f"{path}: holds a {type(obj).__name__}, not a pandas DataFrame in the wide format")
    return obj


def save_wide(data: "RoutingData | pd.DataFrame", path: str | Path) -> Path:
    """Write RouterBench's wide format to ``path`` (.pkl, .csv, .csv.gz or .parquet, by its
    ending), the counterpart of :func:`load_routerbench`."""
    df = data.to_wide() if isinstance(data, RoutingData) else data
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".parquet"):
        df.to_parquet(path)
    elif name.endswith(".pkl") or name.endswith(".pickle"):
        df.to_pickle(path)
    elif name.endswith(".csv") or name.endswith(".csv.gz"):
        df.to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: unknown file type; expected .pkl, .csv, .csv.gz or .parquet")
    return path


def from_wide(df: pd.DataFrame, name: str = "data", source: str | None = None) -> RoutingData:
    """Parse RouterBench's wide format into :class:`RoutingData`.

    Models are the prefixes ``M`` of columns ``M|...``; each needs ``M`` (quality) and
    ``M|total_cost``. Rows with a missing quality or cost are dropped with a warning.
    """
    src = source or name
    if "prompt" not in df.columns:
        raise ValueError(f"{src}: missing column 'prompt' (the wide format needs sample_id, prompt, eval_name)")
    for col in ("sample_id", "eval_name"):
        if col not in df.columns:
            raise ValueError(f"{src}: missing column {col!r}")
    models: list[str] = []
    for c in df.columns:
        if isinstance(c, str) and "|" in c:
            m = c.split("|", 1)[0]
            if m not in models:
                models.append(m)
    if not models:
        raise ValueError(f"{src}: no model columns found (expected 'M' and 'M|total_cost' for each model M)")
    for m in models:
        if m not in df.columns:
            raise ValueError(f"{src}: model {m!r} has no quality column {m!r}")
        if f"{m}|total_cost" not in df.columns:
            raise ValueError(f"{src}: model {m!r} has no cost column {m + '|total_cost'!r}")
    n = len(df)
    quality = np.column_stack([_quality_column(df[m], m, src) for m in models]) if n else np.zeros((0, len(models)))
    try:
        cost = np.column_stack([pd.to_numeric(df[f"{m}|total_cost"], errors="raise").to_numpy(float) for m in models])
    except (ValueError, TypeError) as e:
        raise ValueError(f"{src}: a '|total_cost' column holds a value that is not a number ({e})") from None
    bad_q = ~np.isnan(quality) & ((quality < 0) | (quality > 1))
    if bad_q.any():
        i, j = np.argwhere(bad_q)[0]
        raise ValueError(
            f"{src}: column {models[j]!r} row {i} (sample_id {df['sample_id'].iloc[i]!r}): "
            f"quality {quality[i, j]!r} outside [0, 1]"
        )
    bad_c = ~np.isnan(cost) & ((cost < 0) | ~np.isfinite(cost))
    if bad_c.any():
        i, j = np.argwhere(bad_c)[0]
        raise ValueError(
            f"{src}: column {models[j] + '|total_cost'!r} row {i} (sample_id {df['sample_id'].iloc[i]!r}): "
            f"cost {cost[i, j]!r} is negative or infinite"
        )
    missing = np.isnan(quality).any(axis=1) | np.isnan(cost).any(axis=1)
    missing |= df["prompt"].isna().to_numpy() | df["eval_name"].isna().to_numpy() | df["sample_id"].isna().to_numpy()
    if missing.any():
        warnings.warn(
            f"{src}: dropped {int(missing.sum())} of {n} rows with a missing quality, cost, prompt, "
            f"eval_name or sample_id",
            stacklevel=3,
        )
    keep = ~missing
    latency = None
    if all(f"{m}|latency" in df.columns for m in models):
        latency = np.column_stack([pd.to_numeric(df[f"{m}|latency"]).to_numpy(float) for m in models])[keep]
    responses = None
    if all(f"{m}|model_response" in df.columns for m in models):
        responses = np.column_stack([df[f"{m}|model_response"].astype(str).to_numpy(object) for m in models])[keep]
    eval_name = df["eval_name"].astype(str).to_numpy(object)[keep]
    return RoutingData(
        sample_id=df["sample_id"].astype(str).to_numpy(object)[keep],
        prompt=df["prompt"].astype(str).to_numpy(object)[keep],
        eval_name=eval_name,
        dataset=np.array([dataset_of(e) for e in eval_name], dtype=object),
        models=np.array(models, dtype=object),
        quality=quality[keep],
        cost=cost[keep],
        latency=latency,
        responses=responses,
        name=name,
        simulated=False,
        meta={"source": src, "rows_dropped": int(missing.sum())},
    )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
        try:
            from huggingface_hub import hf_hub_download

            got = hf_hub_download(
                repo_id=HUB_REPO,
                repo_type="dataset",
                filename=filename,
                revision=HUB_REVISION,
                local_dir=str(raw),
                etag_timeout=10,
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


def load_routerbench(source: str | Path, raw_dir: Path | None = None) -> RoutingData:
    """Load RouterBench: ``"routerbench-0shot"``, ``"routerbench-5shot"`` or a wide-format file.

    Hub names are downloaded once into ``data/raw`` (pinned revision) and their SHA-256
    is verified before unpickling. A path may be ``.pkl``, ``.csv``, ``.csv.gz`` or
    ``.parquet``; a pickle is only ever opened from a path the user gave or a verified
    download.
    """
    s = str(source)
    if s in HUB_FILES:
        path = fetch_hub_file(s, raw_dir)
        name = s
    else:
        path = Path(s)
        if not path.exists():
            raise FileNotFoundError(
                f"{path}: no such file (expected 'routerbench-0shot', 'routerbench-5shot' or a path to a "
                f".pkl, .csv, .csv.gz or .parquet file in the RouterBench wide format)"
            )
        name = paths.data_name(s)
    df = _read_table(path)
    return from_wide(df, name=name, source=str(path))


def simulate_routerbench(seed: int = 0, scale: float = 1.0) -> RoutingData:
    """The embedded simulated RouterBench (see :mod:`routerlib.simulate`)."""
    from .simulate import simulate_routerbench as _sim

    return _sim(seed=seed, scale=scale)


def paper_datasets_only(rd: RoutingData) -> RoutingData:
    """Keep the paper's seven eval families when the data has any of them.

    The 0-shot hub file also holds about 1,700 rows of small extra tasks; the paper's items
    are about the seven datasets of Table 1. The rows set aside are counted in a warning;
    data with none of the seven (e.g. a RAG set) is returned whole.
    """
    paper = [d for d in rd.datasets if d in DATASETS]
    others = [d for d in rd.datasets if d not in DATASETS]
    if not paper or not others:
        return rd
    keep = np.isin(rd.dataset, paper)
    warnings.warn(
        f"{rd.name}: set aside {int((~keep).sum())} rows of {len(others)} eval families outside the "
        f"paper's seven datasets ({', '.join(others[:5])}{', ...' if len(others) > 5 else ''})",
        stacklevel=2,
    )
    out = rd.select(keep)
    out.meta["rows_set_aside"] = int((~keep).sum())
    return out


def load(data: str = "sim", seed: int = 0, scale: float = 1.0, paper_only: bool = True) -> RoutingData:
    """What every notebook calls: ``"sim"`` (simulated, seeded, scaled), ``"rag-sim"``,
    a hub name, or a path to a wide-format file (``scale < 1`` keeps that share of each
    dataset's rows, seeded, for quick runs). With ``paper_only`` a file's rows outside the
    paper's seven datasets are set aside with a warning (:func:`paper_datasets_only`)."""
    if data == "sim":
        return simulate_routerbench(seed=seed, scale=scale)
    if data == "rag-sim":
        from .simulate import simulate_rag

        return simulate_rag(seed=seed, scale=scale)
    if not 0 < scale <= 1:
        raise ValueError(f"scale must lie in (0, 1] for a data file; got {scale}")
    rd = load_routerbench(data)
    if paper_only:
        rd = paper_datasets_only(rd)
    if scale < 1.0:  # keep a seeded share of each dataset's sample_ids (a split of its own)
        rd = rd.select(~rd.split_mask(seed=seed + 7919, test_size=1.0 - scale))
        rd.meta["scale"] = scale
    return rd
