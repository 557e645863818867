"""One benchmark as arrays: :class:`RoutingData`, and the eval-name vocabulary.

* :class:`RoutingData` -- row i is one prompt, column j one model: quality (n, m) in [0, 1],
  cost (n, m) USD. It selects rows and models, splits 70/30 by prompt (eval name and sample id) per dataset
  (seeded), gives the Oracle (the one definition), each model's and the Oracle's points per
  dataset, and writes RouterBench's wide format back (:meth:`RoutingData.to_wide`), with the
  simulation marker columns (:data:`MARKER_COLUMNS`) when the data is simulated, so a saved
  simulated benchmark is read back as simulated.
* :func:`dataset_of` -- a RouterBench eval name to its eval family.
* :func:`check_scale` -- the one check of a ``scale`` argument: a number in (0, 1].
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from ..fingerprint import content_hash
from ..paper import DATASETS
from ..seeds import check_seed, rng

__all__ = ["RoutingData", "dataset_of", "check_scale", "MARKER_COLUMNS"]

# written beside the data of a simulated benchmark (one value per row), read back by
# routerlib.data.clean.read_marker: the flag, the simulation's kind, seed and scale, and the
# share of the real dataset's rows that the row's dataset holds
MARKER_COLUMNS = ("simulated", "simulation_kind", "simulation_seed", "simulation_scale", "simulation_row_share")


def check_scale(scale) -> float:
    """``scale`` as a float, after checking it is a number in (0, 1] (the share of each dataset's rows).

    Raises
    ------
    ValueError
        Naming the argument and the value (0, a negative number, more than 1, NaN, a string, a bool).
    """
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, numbers.Real) or math.isnan(float(scale)) \
            or not 0 < float(scale) <= 1:
        raise ValueError(f"scale must be a number in (0, 1] (the share of each dataset's rows); got {scale!r}")
    return float(scale)


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
        True for everything :mod:`routerlib.data.simulate` and :mod:`routerlib.data.rag` produce.
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

    @classmethod
    def from_arrays(cls, quality, cost, models=None, prompts=None, dataset: str | np.ndarray = "data",
                    sample_id=None, name: str = "data", **kw) -> "RoutingData":
        """Build from plain arrays: ``quality`` and ``cost`` of shape (n, m); the rest optional.

        >>> rd = RoutingData.from_arrays([[0.0, 1.0], [1.0, 1.0]], [[1.0, 5.0], [1.0, 5.0]])
        >>> rd.models.tolist(), rd.oracle_choice().tolist()
        (['m0', 'm1'], [1, 0])
        """
        q = np.asarray(quality, dtype=float)
        c = np.asarray(cost, dtype=float)
        if q.ndim != 2:
            raise ValueError(f"quality must have shape (n, m); got {q.shape}")
        n, m = q.shape
        models = np.array([f"m{j}" for j in range(m)] if models is None else list(models), dtype=object)
        prompts = np.array([f"prompt {i}" for i in range(n)] if prompts is None else list(prompts), dtype=object)
        ds = np.full(n, dataset, dtype=object) if isinstance(dataset, str) else np.asarray(dataset, dtype=object)
        sid = np.arange(n).astype(str).astype(object) if sample_id is None else np.asarray(sample_id, dtype=object)
        return cls(sample_id=sid, prompt=prompts, eval_name=ds.copy(), dataset=ds, models=models, quality=q,
                   cost=c, name=name, **kw)

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

    def dataset_sizes(self) -> pd.Series:
        """Rows per dataset, in :attr:`datasets` order."""
        return pd.Series(self.dataset).value_counts().reindex(self.datasets).rename("n")

    @property
    def simulation(self) -> dict:
        """The simulation's kind, seed and scale: those of the run that made the data, also
        after a round trip through a file (``meta["simulation"]``); empty for real data."""
        if not self.simulated:
            return {}
        src = self.meta.get("simulation", self.meta)
        return {"kind": src.get("kind", "RouterBench"), "seed": src.get("seed", "?"), "scale": src.get("scale", 1.0)}

    @property
    def label(self) -> str:
        """Source line for plot titles; says 'simulated' when it is (also when read back from a file)."""
        if self.simulated:
            sim = self.simulation
            text = f"SIMULATED {sim['kind']} (seed {sim['seed']}, scale {float(sim['scale']):g})"
            return text + (f", file {self.name}" if "simulation" in self.meta else "")
        return f"RouterBench data: {self.name} (real)"

    def marker_columns(self) -> dict[str, np.ndarray]:
        """The :data:`MARKER_COLUMNS` of simulated data, each of shape (n,); empty for real data."""
        if not self.simulated:
            return {}
        sim = self.simulation
        seed = sim["seed"] if isinstance(sim["seed"], (int, np.integer)) else np.nan
        share = self.meta.get("row_share", {}) or {}
        return {
            "simulated": np.ones(self.n, dtype=bool),
            "simulation_kind": np.full(self.n, sim["kind"], dtype=object),
            "simulation_seed": np.full(self.n, seed),
            "simulation_scale": np.full(self.n, float(sim["scale"])),
            "simulation_row_share": np.array([float(share.get(d, 1.0)) for d in self.dataset], dtype=float),
        }

    def provenance(self, seed: int, embedder: str = "") -> dict:
        """What every output CSV records about its run: data name, label, seed, scale, embedder."""
        return {"data": self.name, "label": self.label, "seed": int(seed),
                "scale": float(self.meta.get("scale", 1.0)), "embedder": embedder}

    def __repr__(self) -> str:
        sim = ", simulated" if self.simulated else ""
        return f"RoutingData({self.name!r}, n={self.n}, m={self.m}, datasets={self.datasets}{sim})"

    # ----- selection --------------------------------------------------------------------
    def fingerprint(self) -> str:
        """SHA-256 (hex) of every field: equal data give equal fingerprints, and any changed value,
        text, shape or dtype another (:func:`routerlib.fingerprint.content_hash`: one pass over the
        arrays, many times faster than hashing the pickled object, whose responses are n x m texts)."""
        return content_hash(*((f.name, getattr(self, f.name)) for f in fields(self)))

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

    def split_mask(self, seed: int = 0, test_size: float = 0.3, purpose: str = "") -> np.ndarray:
        """Boolean test mask: ``test_size`` of each dataset's prompts, seeded.

        A prompt is its (eval name, sample_id): rows sharing both fall on the same side, and
        equal ids under two eval names are two prompts. Each dataset's split depends only on
        the seed, the ``purpose`` and its own prompts (:func:`routerlib.seeds.rng` keyed by
        ``purpose + dataset``), so selecting datasets first gives the same split, and draws
        made for another purpose (e.g. ``"scale/"``, the rows kept at a scale below 1) are
        independent of the 70/30 split (purpose ``""``). The prompts are ordered by sample id,
        then eval name, before the seeded permutation: where every id has one eval name this
        is the order of the ids alone.

        Raises
        ------
        ValueError
            For a seed outside [0, 2**32) or not an integer (:func:`routerlib.seeds.check_seed`),
            or ``test_size`` outside (0, 1).
        """
        seed = check_seed(seed)
        if not 0 < test_size < 1:
            raise ValueError(f"test_size must lie in (0, 1); got {test_size}")
        test = np.zeros(self.n, dtype=bool)
        for d in self.datasets:
            rows = np.flatnonzero(self.dataset == d)
            code, size = self._prompt_codes(rows)
            gen = rng(seed, purpose + d)
            n_test = int(round(test_size * size))
            if size >= 2:
                n_test = min(max(n_test, 1), size - 1)
            chosen = np.zeros(size, dtype=bool)
            chosen[gen.permutation(size)[:n_test]] = True
            test[rows] = chosen[code]
        return test

    def _prompt_codes(self, rows: np.ndarray) -> tuple[np.ndarray, int]:
        """For ``rows``, the index of each row's prompt (eval name, sample id) among the distinct
        prompts sorted by sample id, then eval name; and the number of distinct prompts."""
        sid = self.sample_id[rows].astype(str)
        ev = self.eval_name[rows].astype(str)
        order = np.lexsort((ev, sid))
        s, e = sid[order], ev[order]
        new = np.ones(rows.size, dtype=bool)
        new[1:] = (s[1:] != s[:-1]) | (e[1:] != e[:-1])
        code = np.empty(rows.size, dtype=np.int64)
        code[order] = np.cumsum(new) - 1
        return code, int(new.sum())

    def n_prompts(self, dataset: str) -> int:
        """The number of distinct prompts (eval name, sample id) of one dataset."""
        return self._prompt_codes(np.flatnonzero(self.dataset == dataset))[1]

    def split(self, seed: int = 0, test_size: float = 0.3) -> tuple["RoutingData", "RoutingData"]:
        """(train, test): a seeded split by prompt (eval name, sample_id), ``test_size`` per dataset (paper: 70/30)."""
        test = self.split_mask(seed, test_size)
        return self.select(~test), self.select(test)

    # ----- summaries --------------------------------------------------------------------
    def oracle_choice(self) -> np.ndarray:
        """Index of the Oracle's model per row, shape (n,): best quality, cheapest among ties.

        The one definition of the Oracle (paper section 4); every table and router uses it.
        """
        best = self.quality.max(axis=1, keepdims=True)
        cost = np.where(self.quality >= best, self.cost, np.inf)
        return np.argmin(cost, axis=1)

    def oracle_outcome(self) -> tuple[np.ndarray, np.ndarray]:
        """The Oracle's (cost (n,), quality (n,)) per row."""
        o = self.oracle_choice()
        rows = np.arange(self.n)
        return self.cost[rows, o], self.quality[rows, o]

    def model_points(self) -> pd.DataFrame:
        """Each single model's point per dataset: total cost (USD) and mean quality.

        Returns
        -------
        DataFrame with columns dataset, model, cost, quality (m rows per dataset)
        """
        frames = [pd.DataFrame({"dataset": d, "model": self.models, "cost": self.cost[self.dataset == d].sum(axis=0),
                                "quality": self.quality[self.dataset == d].mean(axis=0)}) for d in self.datasets]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=["dataset", "model", "cost", "quality"]))

    def oracle_points(self) -> pd.DataFrame:
        """The Oracle's point per dataset: total cost (USD) and mean quality.

        Returns
        -------
        DataFrame with columns dataset, cost, quality (one row per dataset)
        """
        c, q = self.oracle_outcome()
        rows = [(d, float(c[self.dataset == d].sum()), float(q[self.dataset == d].mean())) for d in self.datasets]
        return pd.DataFrame(rows, columns=["dataset", "cost", "quality"])

    def summary(self) -> pd.DataFrame:
        """Per dataset and model (and the Oracle): mean quality, total cost in USD, rows."""
        mp = self.model_points()
        op = self.oracle_points().assign(model="oracle")
        n = pd.Series(self.dataset).value_counts()
        out = pd.concat([mp, op], ignore_index=True).rename(columns={"cost": "total_cost"})
        out["n"] = n.reindex(out["dataset"]).to_numpy(int)
        order = {d: i for i, d in enumerate(self.datasets)}
        out = out.sort_values("dataset", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
        return out[["dataset", "model", "quality", "total_cost", "n"]]

    # ----- the wide format --------------------------------------------------------------
    def to_wide(self) -> pd.DataFrame:
        """RouterBench's wide format (one row per prompt), which :func:`load_routerbench` reads back.

        Simulated data also gets the :data:`MARKER_COLUMNS`, so it is read back as simulated.
        """
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
        cols.update(self.marker_columns())
        return pd.DataFrame(cols)
