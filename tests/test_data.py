"""routerlib.data: the wide-format loader, its errors, splits, round trips, the hub path."""

import warnings

import numpy as np
import pandas as pd
import pytest

from routerlib import data as D
from routerlib.paths import SHARED_ROUTERBENCH

MODELS = ["gpt-4-1106-preview", "mistralai/mistral-7b-chat", "claude-v2"]


def wide(n=12, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    evals = np.array(["mmlu-astronomy", "grade-school-math", "mtbench", "hellaswag"])[np.arange(n) % 4]
    df = pd.DataFrame({
        "sample_id": [f"{e}.test.{i}" for i, e in enumerate(evals)],
        "prompt": [f"question {i}" for i in range(n)],
        "eval_name": evals,
    })
    for m in MODELS:
        df[m] = rng.integers(0, 2, n).astype(float)
        df[f"{m}|model_response"] = "answer"
        df[f"{m}|total_cost"] = rng.random(n) / 1000
    return df


def write(df, tmp_path, name="bench.csv"):
    return D.save_wide(df, tmp_path / name)


@pytest.mark.parametrize("name", ["b.csv", "b.csv.gz", "b.parquet", "b.pkl"])
def test_formats_load_and_round_trip(tmp_path, name):
    df = wide()
    rd = D.load_routerbench(write(df, tmp_path, name))
    assert rd.models.tolist() == MODELS
    assert rd.quality.shape == (12, 3) and rd.cost.shape == (12, 3)
    assert sorted(set(rd.dataset)) == ["gsm8k", "hellaswag", "mmlu", "mt-bench"]
    again = D.from_wide(rd.to_wide())
    np.testing.assert_array_equal(again.quality, rd.quality)
    np.testing.assert_array_equal(again.cost, rd.cost)
    np.testing.assert_array_equal(again.sample_id, rd.sample_id)
    assert rd.name == "b"


def test_quality_as_strings_and_objects(tmp_path):
    df = wide()
    m = MODELS[0]
    df[m] = np.where(df[m] > 0, "True", "False")
    df[MODELS[1]] = df[MODELS[1]].astype(object)
    df.loc[0, MODELS[1]] = "0.5"
    rd = D.from_wide(df)
    assert set(np.unique(rd.quality[:, 0])) <= {0.0, 1.0}
    assert rd.quality[0, 1] == 0.5


def test_missing_cost_column(tmp_path):
    df = wide().drop(columns=[f"{MODELS[1]}|total_cost"])
    with pytest.raises(ValueError, match=r"mistral-7b-chat\|total_cost"):
        D.load_routerbench(write(df, tmp_path))


def test_missing_prompt_column(tmp_path):
    with pytest.raises(ValueError, match="'prompt'"):
        D.load_routerbench(write(wide().drop(columns=["prompt"]), tmp_path))


def test_negative_cost_names_column_and_value(tmp_path):
    df = wide()
    df.loc[3, f"{MODELS[2]}|total_cost"] = -0.5
    with pytest.raises(ValueError, match=r"claude-v2\|total_cost.*row 3.*-0.5"):
        D.load_routerbench(write(df, tmp_path))


def test_quality_outside_unit_interval(tmp_path):
    df = wide()
    df.loc[5, MODELS[0]] = 7.0
    with pytest.raises(ValueError, match=r"gpt-4-1106-preview.*row 5.*7.0.*outside \[0, 1\]"):
        D.load_routerbench(write(df, tmp_path))


def test_unparsable_quality(tmp_path):
    df = wide()
    df[MODELS[0]] = df[MODELS[0]].astype(object)
    df.loc[2, MODELS[0]] = "maybe"
    with pytest.raises(ValueError, match="'maybe'"):
        D.from_wide(df)


def test_file_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.csv"):
        D.load_routerbench(tmp_path / "no_such.csv")


def test_unknown_extension(tmp_path):
    p = tmp_path / "b.txt"
    p.write_text("x")
    with pytest.raises(ValueError, match="unknown file type"):
        D.load_routerbench(p)


def test_missing_values_dropped_with_count(tmp_path):
    df = wide()
    df.loc[1, MODELS[0]] = np.nan
    df.loc[4, f"{MODELS[1]}|total_cost"] = np.nan
    with pytest.warns(UserWarning, match="dropped 2 of 12 rows"):
        rd = D.load_routerbench(write(df, tmp_path))
    assert rd.n == 10


def test_eval_name_mapping():
    assert D.dataset_of("mmlu-college-physics") == "mmlu"
    assert D.dataset_of("grade-school-math") == "gsm8k"
    assert D.dataset_of("mtbench") == "mt-bench"
    assert D.dataset_of("arc-challenge") == "arc-challenge"
    assert D.dataset_of("winogrande") == "winogrande"
    assert D.dataset_of("mbpp") == "mbpp"
    assert D.dataset_of("hellaswag") == "hellaswag"
    assert D.dataset_of("consensus_summary") == "consensus_summary"


def test_split_is_seeded_per_dataset_and_by_sample_id():
    df = pd.concat([wide(200, 1)] * 1, ignore_index=True)
    df = pd.concat([df, df.iloc[:10]], ignore_index=True)  # duplicated sample_ids
    rd = D.from_wide(df)
    test = rd.split_mask(seed=3)
    assert np.array_equal(test, rd.split_mask(seed=3))
    assert not np.array_equal(test, rd.split_mask(seed=4))
    for d in rd.datasets:
        ids = np.unique(rd.sample_id[rd.dataset == d])
        tids = np.unique(rd.sample_id[(rd.dataset == d) & test])
        assert abs(tids.size / ids.size - 0.3) < 0.02
    # a sample_id never straddles the split
    for sid in rd.sample_id[:10]:
        assert len(set(test[rd.sample_id == sid])) == 1
    # selecting one dataset first gives the same split for it
    sub = rd.subset("gsm8k")
    np.testing.assert_array_equal(sub.split_mask(seed=3), test[rd.dataset == "gsm8k"])
    tr, te = rd.split(seed=3)
    assert tr.n + te.n == rd.n


def test_selection_helpers():
    rd = D.from_wide(wide(40))
    assert rd.subset("mmlu").datasets == ["mmlu"]
    assert "mmlu" not in rd.subset(exclude="mmlu").datasets
    with pytest.raises(ValueError, match="not in this data"):
        rd.subset("winogrande")
    two = rd.select_models(MODELS[:2])
    assert two.models.tolist() == MODELS[:2] and two.quality.shape == (40, 2)
    o = rd.oracle_choice()
    best = rd.quality.max(1)
    assert np.all(rd.quality[np.arange(rd.n), o] == best)


def test_hub_offline_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RuntimeError, match=r"make data|put it at"):
        D.load_routerbench("routerbench-0shot", raw_dir=tmp_path)


def test_hub_checksum_verified(tmp_path):
    # a file already in data/raw with the wrong bytes is refused before unpickling
    (tmp_path / "routerbench_0shot.pkl").write_bytes(b"not the pinned file")
    with pytest.raises(RuntimeError, match="SHA-256"):
        D.load_routerbench("routerbench-0shot", raw_dir=tmp_path)


@pytest.mark.skipif(not SHARED_ROUTERBENCH.exists(), reason="real rows in ../shared not present")
def test_real_rows_load():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rd = D.load_routerbench(SHARED_ROUTERBENCH)
    assert any("dropped" in str(x.message) for x in w)
    assert rd.m == 11 and rd.datasets == ["mbpp", "winogrande", "arc-challenge"]
    assert rd.n == 3178 - rd.meta["rows_dropped"]
    assert np.all((rd.quality == 0) | (rd.quality == 1))
    # Table 1 costs are totals over a 30% split: check the scale on ARC and Winogrande
    from routerlib.paper import TABLE1

    _, te = rd.split(seed=0)
    for d in ["arc-challenge", "winogrande"]:
        sub = te.subset(d)
        for j, m in enumerate(rd.models):
            assert sub.cost[:, j].sum() == pytest.approx(TABLE1[m][d][1], rel=0.08)


def test_load_sets_aside_extra_tasks_with_a_count(tmp_path):
    df = wide(16)
    df.loc[:3, "eval_name"] = "chinese_zodiac"  # an extra task of the 0-shot file
    p = write(df, tmp_path)
    with pytest.warns(UserWarning, match=r"set aside 4 rows of 1 eval families.*chinese_zodiac"):
        rd = D.load(str(p))
    assert "chinese_zodiac" not in rd.datasets and rd.n == 12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert D.load(str(p), paper_only=False).n == 16
    # data with none of the paper's datasets is kept whole
    df["eval_name"] = "rag"
    assert D.load(str(write(df, tmp_path, "rag.csv"))).n == 16
