"""routerlib.data.long: the long format (one row per prompt and model), read by load() like the
wide one; and RouteLLM's public evaluation files, converted to it here, run through notebooks 01-03."""

import io
import tarfile
import warnings

import numpy as np
import pandas as pd
import pytest
from frames import MODELS, wide

from routerlib import data as D
from routerlib.paths import SHARED_DIR

ROUTELLM_TAR = SHARED_DIR / "data" / "routellm" / "routellm_evals_data.tar.gz"


def long_frame(n=40):
    return D.to_long(D.from_wide(wide(n)))


@pytest.mark.parametrize("name", ["b.csv", "b.csv.gz", "b.parquet"])
def test_long_round_trip_and_dispatch(tmp_path, name):
    rd = D.from_wide(wide(40))
    lf = D.to_long(rd)
    assert list(lf.columns[:6]) == list(D.LONG_COLUMNS) and len(lf) == 40 * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = D.load(str(D.save_long(rd, tmp_path / name)))
    assert back.meta["format"] == "long" and back.name == "b"
    assert back.models.tolist() == MODELS and back.sample_id.tolist() == rd.sample_id.tolist()
    assert back.prompt.tolist() == rd.prompt.tolist() and back.dataset.tolist() == rd.dataset.tolist()
    np.testing.assert_array_equal(back.quality, rd.quality)
    np.testing.assert_allclose(back.cost, rd.cost, rtol=1e-12)
    assert back.responses[0, 0] == "answer"


def test_long_rows_in_any_order_with_latency_and_boolean_strings():
    lf = long_frame().sample(frac=1.0, random_state=0).reset_index(drop=True)
    lf["quality"] = np.where(lf.quality > 0, "True", "False")
    lf["latency"] = 0.5
    rd = D.from_long(lf)
    ref = D.from_wide(wide(40))
    order = np.argsort(rd.sample_id.astype(str))
    ro = np.argsort(ref.sample_id.astype(str))
    cols = [list(rd.models).index(m) for m in ref.models]
    np.testing.assert_array_equal(rd.quality[order][:, cols], ref.quality[ro])
    assert rd.latency.shape == (40, 3) and (rd.latency == 0.5).all()


def test_long_prompt_without_every_model_is_dropped_and_counted():
    lf = long_frame()
    lf = lf.drop(index=lf.index[(lf.prompt_id == lf.prompt_id[0]) & (lf.model == MODELS[1])])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rd = D.from_long(lf, source="gappy.csv")
    msgs = [str(x.message) for x in w]
    assert msgs == ["gappy.csv: 1 prompts lack a row for some model (they are dropped): model "
                    "'mistralai/mistral-7b-chat' has no row for 1 of 40 prompts",
                    "gappy.csv: dropped 1 of 40 rows with a missing quality, cost, prompt, eval_name or sample_id"]
    assert rd.n == 39


def test_long_pair_given_twice_is_a_duplicate():
    lf = long_frame()
    again = lf.iloc[[0]].copy()
    again["quality"] = 1 - again["quality"]
    with pytest.warns(UserWarning, match=r"1 sample ids appear more than once.*1 whose copies disagree"):
        rd = D.from_long(pd.concat([lf, again], ignore_index=True))
    assert rd.n == 40 and rd.quality[0, 0] == lf.quality.iloc[0]


@pytest.mark.parametrize("change, msg", [
    (lambda f: f.drop(columns=["cost"]), r"long\.csv: the long format .* missing 'cost'"),
    (lambda f: f.drop(columns=["prompt_id", "prompt"]), r"missing 'prompt_id', 'prompt'"),
    (lambda f: f.assign(quality=f.quality.where(f.index != 5, 3.0)),
     r"'quality' row 5 \(prompt_id .*quality 3.0 outside"),
    (lambda f: f.assign(cost=f.cost.where(f.index != 7, -1.0)), r"'cost' row 7 .* is negative"),
    (lambda f: f.assign(cost=f.cost.astype(object).where(f.index != 2, "cheap")),
     r"'cost' row 2: 'cheap' is not a number"),
])
def test_long_errors_name_the_file_column_and_row(tmp_path, change, msg):
    p = tmp_path / "long.csv"
    change(long_frame()).to_csv(p, index=False)
    with pytest.raises(ValueError, match=msg):
        D.load_routerbench(p)


def test_long_simulation_keeps_its_marker(tmp_path):
    sim = D.simulate_routerbench(seed=2, scale=0.02)
    back = D.load(str(D.save_long(sim, tmp_path / "sim_long.parquet")))
    assert back.simulated and back.label.startswith("SIMULATED RouterBench (seed 2, scale 0.02)")
    np.testing.assert_array_equal(back.quality, sim.quality)


# ----- RouteLLM's public evaluation files, as a user would bring them ---------------------------
# Per-token list prices (USD per 1M tokens, input / output) of the two models, early 2024:
# gpt-4-1106-preview 10 / 30 (OpenAI); Mixtral-8x7B-Instruct 0.6 / 0.6 (Together AI, as in
# routerlib/data/simulate.py). Token counts: input = ceil(characters / 4) of the prompt; output
# a fixed length per dataset, 25 tokens for MMLU (a letter and a short justification) and 150
# for GSM8K (a worked solution), the base lengths of the simulated benchmark.
PRICES = {"mistralai/Mixtral-8x7B-Instruct-v0.1": (0.6, 0.6), "gpt-4-1106-preview": (10.0, 30.0)}
OUTPUT_TOKENS = {"mmlu": 25, "gsm8k": 150}


def routellm_long(tar_path) -> pd.DataFrame:
    """RouteLLM's MMLU (57 subject files) and GSM8K responses as one long table with costs."""
    frames = []
    with tarfile.open(tar_path) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("./")
            if name.startswith("mmlu/responses/mmlu_") and name.endswith(".csv"):
                subject = name.removeprefix("mmlu/responses/mmlu_").removesuffix(".csv")
                family, eval_name = "mmlu", f"mmlu-{subject}"
            elif name == "gsm8k/gsm8k_responses.csv":
                family, eval_name = "gsm8k", "gsm8k"
            else:
                continue
            df = pd.read_csv(io.BytesIO(tar.extractfile(member).read()))
            df.insert(0, "prompt_id", [f"{eval_name}.{i}" for i in range(len(df))])
            df.insert(1, "dataset", eval_name)
            df.insert(2, "family", family)
            frames.append(df)
    wide_rl = pd.concat(frames, ignore_index=True)
    rows = []
    tokens_in = np.ceil(wide_rl.prompt.str.len() / 4)
    tokens_out = wide_rl.family.map(OUTPUT_TOKENS)
    for model, (p_in, p_out) in PRICES.items():
        rows.append(pd.DataFrame({
            "prompt_id": wide_rl.prompt_id, "prompt": wide_rl.prompt, "dataset": wide_rl.dataset, "model": model,
            "quality": wide_rl[model], "cost": (tokens_in * p_in + tokens_out * p_out) / 1e6,
        }))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.skipif(not ROUTELLM_TAR.exists(), reason="RouteLLM's eval files in ../shared not present")
def test_routellm_evals_in_the_long_format_run_notebooks_01_to_03(tmp_path, monkeypatch, run_notebook):
    full = routellm_long(ROUTELLM_TAR)
    p = tmp_path / "routellm_long.parquet"  # parquet: writing 30,722 rows as csv.gz takes seconds
    full.to_parquet(p)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing dropped, merged or set aside
        rd = D.load(str(p))
    assert rd.models.tolist() == list(PRICES) and rd.meta["format"] == "long"
    assert rd.dataset_sizes().to_dict() == {"mmlu": 14042, "gsm8k": 1319}
    mmlu = rd.subset("mmlu").quality.mean(axis=0)
    assert mmlu == pytest.approx([0.68, 0.81], abs=0.01)  # the README's means
    assert (rd.cost[:, 1] > 10 * rd.cost[:, 0]).all()  # GPT-4 dearer on every prompt
    # notebooks 01-03 on a seeded sample of 300 prompts per dataset (quick)
    ids = full.drop_duplicates("prompt_id").assign(family=lambda f: f.dataset.str.split("-").str[0])
    keep = ids.groupby("family").prompt_id.apply(lambda s: s.sample(300, random_state=0)).explode()
    small = tmp_path / "routellm_sample.parquet"
    full[full.prompt_id.isin(keep)].to_parquet(small)
    monkeypatch.setenv("ROUTERLIB_FIGURES", str(tmp_path / "figures"))
    for nb in ("01", "02", "03"):
        ns = run_notebook(nb, data=str(small))
    out = tmp_path / "figures" / "routellm_sample"
    for f in ("table1", "fig3_oracle", "fig7_per_dataset"):
        assert (out / f"{f}.png").exists() and (out / f"{f}.csv").exists()
    assert set(pd.read_csv(out / "table1.csv").dataset) == {"mmlu", "gsm8k"}
    assert ns["rd"].label.endswith("routellm_sample (real)") and not ns["rd"].simulated
    # the leaderboard's protocol runs on it too, and gives RouteLLM's two-model metrics
    from routerlib.embed import features_for
    from routerlib.protocol import registry_specs, run_protocol

    sample = D.load(str(small))
    res = run_protocol(sample, registry_specs(["knn", "random_score", "oracle"]), features_for("tfidf", sample.prompt),
                       seeds=(0, 1), prompts=sample.prompt, cache=False, progress=False)
    lb = res.leaderboard()
    two = lb[lb.metric.isin(["apgr", "cpt50", "cpt80"])]
    assert set(two.router) >= {"knn", "random_score", "oracle"} and set(two.dataset) == {"mmlu", "gsm8k"}
    apgr = two[two.metric == "apgr"].set_index(["dataset", "router"])["mean"]
    assert apgr.between(-1, 3).all()
    oracle = apgr.xs("oracle", level="router")
    assert (oracle > apgr.xs("knn", level="router")).all() and (oracle > apgr.xs("random_score", level="router")).all()


# ----- identity, model names, extra columns ------------------------------------------------------
def test_prompt_ids_reused_across_datasets_are_distinct_prompts(tmp_path):
    frames = [wide(30, seed=k, evals=[e]).assign(sample_id=[str(i) for i in range(30)])
              for k, e in enumerate(["arc-challenge", "winogrande", "mbpp"])]
    lf = D.to_long(D.from_wide(pd.concat(frames, ignore_index=True)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rd = D.load(str(D.save_long(D.from_long(lf), tmp_path / "reused.csv")))
    assert rd.n == 90 and sorted(rd.datasets) == ["arc-challenge", "mbpp", "winogrande"]
    assert (rd.sample_id == "0").sum() == 3


def test_stray_model_name_is_named_with_its_near_name():
    lf = long_frame()
    stray = lf.index[(lf.model == MODELS[0]) & lf.prompt_id.isin(lf.prompt_id.unique()[:3])]
    lf.loc[stray, "model"] = MODELS[0] + " "  # a trailing space on three prompts: no prompt has every model
    with pytest.raises(ValueError, match=r"stray\.csv: no prompt has a row for every one of its 4 models: "
                                         r"model 'gpt-4-1106-preview ' has no row for 37 of 40 prompts \(did you "
                                         r"mean 'gpt-4-1106-preview'\?\); model 'gpt-4-1106-preview' has no row "
                                         r"for 3 of 40"):
        D.from_long(lf, source="stray.csv")


def test_model_missing_on_some_prompts_is_named_with_its_count():
    lf = long_frame()
    gone = (lf.model == MODELS[2]) & lf.prompt_id.isin(lf.prompt_id.unique()[:3])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rd = D.from_long(lf[~gone], source="gaps.csv")
    assert str(w[0].message) == ("gaps.csv: 3 prompts lack a row for some model (they are dropped): model "
                                 "'claude-v2' has no row for 3 of 40 prompts")
    assert str(w[1].message).startswith("gaps.csv: dropped 3 of 40 rows")
    assert rd.n == 37 and rd.models.tolist() == MODELS


def test_long_file_with_extra_columns_is_still_long(tmp_path):
    lf = long_frame().assign(notes="checked", **{"judge|score": 0.5})
    assert D.is_long(lf.columns)
    p = tmp_path / "extra.csv"
    lf.to_csv(p, index=False)
    with pytest.warns(UserWarning, match=r"extra\.csv: ignored 2 column\(s\) the long format does not read: "
                                         r"'notes', 'judge\|score'"):
        rd = D.load_routerbench(p)
    assert rd.meta["format"] == "long" and rd.n == 40


@pytest.mark.parametrize("col, what", [("prompt_id", "blank prompt_id"), ("model", "no model name"),
                                       ("dataset", r"no dataset \(eval name\)")])
def test_long_blank_identity_is_refused_by_row(tmp_path, col, what):
    lf = long_frame()
    lf[col] = lf[col].astype(object)
    lf.loc[[4, 9], col] = None
    p = tmp_path / "blank.csv"
    lf.to_csv(p, index=False)
    with pytest.raises(ValueError, match=rf"blank\.csv: column '{col}' rows 4, 9: {what}"):
        D.load_routerbench(p)


def test_long_ids_and_prompts_are_text(tmp_path):
    lf = long_frame(12)
    ids = {pid: str(10**16 + k) for k, pid in enumerate(lf.prompt_id.unique())}
    lf["prompt_id"] = lf.prompt_id.map(ids)
    lf.loc[lf.prompt_id == str(10**16), "prompt"] = "007"
    lf.loc[lf.prompt_id == str(10**16 + 1), "prompt"] = "NaN"
    p = tmp_path / "text.csv.gz"
    lf.to_csv(p, index=False)
    rd = D.load_routerbench(p)
    assert rd.n == 12 and rd.sample_id.tolist() == list(ids.values()) and rd.prompt[:2].tolist() == ["007", "NaN"]


def test_long_dataset_without_any_cost_is_refused():
    lf = long_frame()
    lf.loc[lf.dataset == "mtbench", "cost"] = 0.0
    with pytest.raises(ValueError, match=r"free\.csv: every cost is 0 in dataset\(s\) mt-bench \(10 rows\)"):
        D.from_long(lf, source="free.csv")
