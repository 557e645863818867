"""routerlib.data: the wide-format loader, its errors, splits, round trips, the hub path;
empty data, duplicate sample ids, small datasets, the run's arguments, the simulation marker."""

import warnings

import numpy as np
import pandas as pd
import pytest
from frames import MODELS, wide

from routerlib import data as D
from routerlib.paths import SHARED_ROUTERBENCH


def write(df, tmp_path, name="bench.csv"):
    return D.save_wide(df, tmp_path / name)


@pytest.mark.parametrize("name", ["b.csv", "b.csv.gz", "b.parquet", "b.pkl"])
def test_formats_load_and_round_trip(tmp_path, name):
    df = wide()
    rd = D.load_routerbench(write(df, tmp_path, name), trust_pickle=name.endswith(".pkl"))
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
    rd = D.from_wide(wide(200, 1))
    rd = rd.select(np.r_[np.arange(rd.n), np.arange(10)])  # duplicated sample_ids
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
    assert any("appear more than once" in str(x.message) for x in w)
    assert rd.m == 11 and rd.datasets == ["mbpp", "winogrande", "arc-challenge"]
    assert rd.n == 3178 - rd.meta["rows_merged"] - rd.meta["rows_dropped"]
    assert np.all((rd.quality == 0) | (rd.quality == 1))
    # Table 1 costs are totals over a 30% split: check the scale on ARC and Winogrande
    from routerlib.paper import TABLE1

    _, te = rd.split(seed=0)
    for d in ["arc-challenge", "winogrande"]:
        sub = te.subset(d)
        for j, m in enumerate(rd.models):
            assert sub.cost[:, j].sum() == pytest.approx(TABLE1[m][d][1], rel=0.08)


def test_load_sets_aside_extra_tasks_with_a_count(tmp_path):
    df = wide(52)
    df.loc[:11, "eval_name"] = "chinese_zodiac"  # an extra task of the 0-shot file
    p = write(df, tmp_path)
    with pytest.warns(UserWarning, match=r"set aside 12 rows of 1 eval families.*chinese_zodiac"):
        rd = D.load(str(p))
    assert "chinese_zodiac" not in rd.datasets and rd.n == 40
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert D.load(str(p), paper_only=False).n == 52
    # data with none of the paper's datasets is kept whole
    df["eval_name"] = "rag"
    assert D.load(str(write(df, tmp_path, "rag.csv"))).n == 52


# ----- empty data ------------------------------------------------------------------------------
def test_header_only_file_is_refused_by_name(tmp_path):
    p = tmp_path / "header_only.csv"
    wide().iloc[:0].to_csv(p, index=False)
    with pytest.raises(ValueError, match=r"header_only\.csv: the file has no rows"):
        D.load(str(p))


def test_zero_byte_file_is_refused_by_name(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.csv.*empty"):
        D.load(str(p))


def test_no_rows_left_after_cleaning_is_refused_by_name(tmp_path):
    df = wide(40)
    df[MODELS[1]] = np.nan  # a model column empty throughout
    with pytest.raises(ValueError, match=r"allnan\.parquet: no rows left"):
        D.load(str(write(df, tmp_path, "allnan.parquet")))


# ----- small datasets set aside in load() -------------------------------------------------------
def small_and_large(tmp_path, n_small=5):
    big = wide(200, evals=["mmlu-astronomy", "hellaswag"])
    small = wide(n_small, seed=1, evals=["grade-school-math"])
    small["sample_id"] = [f"gsm8k.{i}" for i in range(n_small)]
    return write(pd.concat([big, small], ignore_index=True), tmp_path, "tiny.csv")


def test_dataset_with_few_sample_ids_is_set_aside_with_one_warning(tmp_path):
    p = small_and_large(tmp_path)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rd = D.load(str(p))
    msgs = [str(x.message) for x in w if "set aside" in str(x.message)]
    assert len(msgs) == 1 and "gsm8k (5 sample ids)" in msgs[0]
    assert rd.datasets == ["mmlu", "hellaswag"] and rd.meta["datasets_set_aside"] == {"gsm8k": 5}
    # every remaining dataset has test rows, so Table 1 / Figure 7 keep them all
    _, test = rd.split(seed=0)
    assert test.datasets == rd.datasets


def test_scaling_can_make_a_dataset_too_small(tmp_path):
    p = small_and_large(tmp_path, n_small=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "gsm8k" in D.load(str(p)).datasets
    with pytest.warns(UserWarning, match=r"at scale 0.2: set aside 1 dataset.*gsm8k \(6 sample ids\)"):
        rd = D.load(str(p), scale=0.2)
    assert "gsm8k" not in rd.datasets and rd.datasets == ["mmlu", "hellaswag"]


def test_every_dataset_too_small_is_refused(tmp_path):
    p = write(wide(12), tmp_path, "twelve.csv")  # 3 sample ids per dataset
    with pytest.raises(ValueError, match=r"twelve\.csv: no dataset has the 10 sample ids"):
        D.load(str(p))


def test_notebooks_01_and_03_run_on_a_file_with_a_tiny_dataset(tmp_path, monkeypatch, run_notebook):
    """Notebook 03 crashed (IndexError at the Oracle row) and Table 1 dropped the dataset silently."""
    p = small_and_large(tmp_path, n_small=3)
    monkeypatch.setenv("ROUTERLIB_FIGURES", str(tmp_path / "figures"))
    with pytest.warns(UserWarning, match=r"gsm8k \(3 sample ids\)"):
        run_notebook("01", data=str(p))
        run_notebook("03", data=str(p))
    t1 = pd.read_csv(tmp_path / "figures" / "tiny" / "table1.csv")
    assert set(t1.dataset) == {"mmlu", "hellaswag"}


# ----- the run's arguments, checked before any notebook ----------------------------------------
@pytest.mark.parametrize("scale", [0, -1, 1.5, float("nan"), "0.5", True])
def test_check_source_refuses_bad_scale(scale):
    with pytest.raises(ValueError, match="scale must be a number in \\(0, 1\\]"):
        D.check_source("sim", scale=scale, seed=0)


@pytest.mark.parametrize("seed", [1.5, "3", None, True, -1, 2**32])
def test_check_source_refuses_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be an integer"):
        D.check_source("sim", scale=1.0, seed=seed)


def test_check_source_data(tmp_path, monkeypatch):
    assert D.check_source("sim") == "sim" and D.check_source("routerbench-5shot") == "routerbench-5shot"
    with pytest.raises(IsADirectoryError, match="is a directory"):
        D.check_source(str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"simm: no such file, and not a known data name \(sim, rag-sim"):
        D.check_source("simm")
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(ValueError, match="unknown file type"):
        D.check_source(str(tmp_path / "x.txt"))
    p = write(wide(), tmp_path)
    monkeypatch.chdir(tmp_path)
    assert D.check_source(p.name) == str(p.resolve())  # relative to the current directory
    with pytest.raises(ValueError, match="scale must"):
        D.load("sim", scale=0)


@pytest.mark.parametrize("argv, msg", [
    (["--scale", "0"], "scale must be a number in (0, 1]"),
    (["--scale", "-1"], "scale must be a number in (0, 1]"),
    (["--data", "DIR"], "is a directory"),
    (["--data", "no_such.csv"], "no_such.csv: no such file"),
])
def test_run_notebooks_checks_arguments_before_any_notebook(tmp_path, monkeypatch, capsys, run_notebooks, argv, msg):
    ran = []
    monkeypatch.setattr(run_notebooks.pm, "execute_notebook", lambda *a, **k: ran.append(a))
    argv = [str(tmp_path) if a == "DIR" else a for a in argv]
    assert run_notebooks.main(argv + ["--out", str(tmp_path / "nb")]) == 2
    assert msg in capsys.readouterr().err and ran == []


# ----- duplicate sample ids ---------------------------------------------------------------------
def test_duplicates_merged_or_first_kept_with_one_warning():
    df = wide(40)
    a, b = df.iloc[[0]].copy(), df.iloc[[1]].copy()
    # copy of row 0 with complementary missing scores: row 0 misses model 0, the copy the others
    a[MODELS[1]] = np.nan
    a[MODELS[2]] = np.nan
    df.loc[0, MODELS[0]] = np.nan
    # copy of row 1 that disagrees on model 2's quality
    b[MODELS[2]] = 1 - df.loc[1, MODELS[2]]
    dup = pd.concat([df, a, b], ignore_index=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rd = D.from_wide(dup, source="dups.csv")
    msgs = [str(x.message) for x in w]
    assert len(msgs) == 1, msgs
    assert "dups.csv: 2 sample ids appear more than once (2 extra rows): 1 merged" in msgs[0]
    assert "1 whose copies disagree on a score kept the first copy's score" in msgs[0]
    assert df.sample_id[1] in msgs[0]
    assert rd.n == 40 and np.unique(rd.sample_id).size == 40 and rd.meta["rows_merged"] == 2
    assert rd.quality[0, 0] == a[MODELS[0]].iloc[0]  # filled from the copy
    assert rd.quality[0, 1] == df.loc[0, MODELS[1]]
    assert rd.quality[1, 2] == df.loc[1, MODELS[2]]  # the first copy's score kept


@pytest.mark.skipif(not SHARED_ROUTERBENCH.exists(), reason="real rows in ../shared not present")
def test_real_duplicate_arc_ids_keep_their_14_prompts():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rd = D.load_routerbench(SHARED_ROUTERBENCH)
    msg = [str(x.message) for x in w if "more than once" in str(x.message)]
    assert len(msg) == 1 and "14 sample ids appear more than once (14 extra rows): 14 merged" in msg[0]
    arc = rd.subset("arc-challenge")
    assert arc.n == 1470 and np.unique(arc.sample_id).size == 1470  # 1,484 rows, 14 ids twice
    assert rd.meta["rows_dropped"] == 0 and not np.isnan(rd.quality).any()


# ----- the simulation marker --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sim.csv.gz", "sim.parquet"])
def test_saved_simulation_stays_labelled_simulated(tmp_path, name):
    sim = D.simulate_routerbench(seed=3, scale=0.02)
    back = D.load(str(D.save_wide(sim, tmp_path / name)))
    assert back.simulated and "(real)" not in back.label
    assert back.label.startswith("SIMULATED RouterBench (seed 3, scale 0.02)")
    assert back.provenance(0)["label"] == back.label
    assert back.meta["row_share"] == pytest.approx(sim.meta["row_share"])
    # a share of the file: still simulated, the label keeps the simulation's seed and scale
    half = D.load(str(tmp_path / name), scale=0.5)
    assert half.simulated and half.label == back.label and half.provenance(0)["scale"] == 0.5
    d = "mmlu"
    assert half.meta["row_share"][d] == pytest.approx(sim.meta["row_share"][d] * half.subset(d).n / back.subset(d).n)
    # the RAG set too, and real data gets no marker
    rag = D.simulate_rag(seed=1, scale=0.25)
    again = D.load(str(D.save_wide(rag, tmp_path / "rag.csv")))
    assert again.simulated and again.label.startswith("SIMULATED RAG (seed 1")
    assert not D.from_wide(wide()).simulated and "simulated" not in D.from_wide(wide()).to_wide().columns


# ----- identity: a prompt is (eval name, sample id), ids read as text ---------------------------
def restarting_ids(evals=("arc-challenge", "winogrande", "mbpp"), n=30):
    """``n`` prompts per eval name, each dataset's ids ``0 .. n-1``."""
    frames = [wide(n, seed=k, evals=[e]).assign(sample_id=[str(i) for i in range(n)]) for k, e in enumerate(evals)]
    return pd.concat(frames, ignore_index=True)


def test_ids_restarting_in_each_dataset_are_distinct_prompts(tmp_path):
    df = restarting_ids()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing merged, nothing dropped
        rd = D.load_routerbench(write(df, tmp_path))
    assert rd.n == 90 and sorted(rd.datasets) == ["arc-challenge", "mbpp", "winogrande"]
    np.testing.assert_array_equal(rd.quality, df[MODELS].to_numpy(float))
    # the split and the small-dataset check count 30 prompts per dataset, each on one side
    test = rd.split_mask(seed=1)
    for d in rd.datasets:
        assert rd.n_prompts(d) == 30 and test[rd.dataset == d].sum() == 9
    assert D.set_aside_small(rd, seed=1) is rd


def test_equal_ids_under_two_eval_names_of_one_family_are_two_prompts():
    df = restarting_ids(evals=("mmlu-astronomy", "mmlu-anatomy"), n=20)
    rd = D.from_wide(df)
    assert rd.n == 40 and rd.datasets == ["mmlu"] and rd.n_prompts("mmlu") == 40
    test = rd.split_mask(seed=0)
    assert test.sum() == 12  # 30% of 40 prompts, not of 20 ids
    # a copy within one eval name is still merged
    with pytest.warns(UserWarning, match=r"1 sample ids appear more than once \(1 extra rows\)"):
        assert D.from_wide(pd.concat([df, df.iloc[[3]]], ignore_index=True)).n == 40


@pytest.mark.parametrize("name", ["ids.csv", "ids.csv.gz"])
def test_seventeen_digit_ids_are_read_as_text(tmp_path, name):
    df = wide(90)
    df["sample_id"] = [str(10**16 + i) for i in range(90)]  # equal as floats in pairs
    df.loc[7, "sample_id"] = "007"
    df.loc[8, "sample_id"] = "7"
    df.loc[9, "sample_id"] = "NA"  # an id, not a missing value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rd = D.load_routerbench(write(df, tmp_path, name))
    assert rd.n == 90 and rd.sample_id.tolist() == df.sample_id.tolist()


@pytest.mark.parametrize("name", ["blank.csv", "blank.parquet"])
def test_blank_id_is_refused_with_file_and_row(tmp_path, name):
    df = wide(90)
    df["sample_id"] = [10**16 + i for i in range(90)]
    df["sample_id"] = df["sample_id"].astype(object)
    df.loc[5, "sample_id"] = None
    if name.endswith(".parquet"):  # an integer column with a null: pandas would read it as floats
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        i = table.schema.get_field_index("sample_id")
        table = table.set_column(i, "sample_id", pa.array(df.sample_id.tolist(), type=pa.int64()))
        pq.write_table(table, tmp_path / name)
        p = tmp_path / name
    else:
        p = write(df, tmp_path, name)
    with pytest.raises(ValueError, match=rf"{name}: column 'sample_id' row 5: blank sample_id"):
        D.load_routerbench(p)


def test_integer_ids_in_parquet_are_read_exactly(tmp_path):
    df = wide(90).assign(sample_id=[10**16 + i for i in range(90)])
    rd = D.load_routerbench(write(df, tmp_path, "ints.parquet"))
    assert rd.n == 90 and rd.sample_id[1] == "10000000000000001"


def test_float_ids_are_refused_by_row():
    df = wide(12).assign(sample_id=np.arange(12) + 0.5)
    with pytest.raises(ValueError, match=r"mem: column 'sample_id' row 0: id 0.5 is a float.*lost digits"):
        D.from_wide(df, source="mem")


def test_blank_eval_name_is_refused_with_rows(tmp_path):
    df = wide(12)
    df.loc[[2, 4], "eval_name"] = ""
    with pytest.raises(ValueError, match=r"bench\.csv: column 'eval_name' rows 2, 4: no eval name"):
        D.load_routerbench(write(df, tmp_path))


@pytest.mark.parametrize("name", ["text.csv", "text.csv.gz", "text.parquet"])
def test_prompts_and_responses_keep_their_text(tmp_path, name):
    df = wide(8)
    texts = ["1e5", "007", "NaN", "", "None", "null", "NA", " 0.10 "]
    df["prompt"] = texts
    df[f"{MODELS[0]}|model_response"] = texts[::-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rd = D.load_routerbench(write(df, tmp_path, name))
    assert rd.prompt.tolist() == texts and rd.responses[:, 0].tolist() == texts[::-1]
    assert rd.n == 8


def test_missing_response_is_empty_text_and_missing_prompt_is_dropped(tmp_path):
    df = wide(12)
    df[f"{MODELS[1]}|model_response"] = df[f"{MODELS[1]}|model_response"].astype(object)
    df.loc[3, f"{MODELS[1]}|model_response"] = None
    df.loc[4, "prompt"] = None
    with pytest.warns(UserWarning, match="dropped 1 of 12 rows"):
        rd = D.load_routerbench(write(df, tmp_path, "gaps.parquet"))
    assert rd.n == 11 and rd.responses[3, 1] == "" and "nan" not in set(rd.responses.ravel())


# ----- every model has its quality and its cost column, once ------------------------------------
def test_quality_column_without_cost_is_refused_by_name(tmp_path):
    df = wide().drop(columns=[f"{MODELS[1]}|total_cost", f"{MODELS[1]}|model_response"])
    with pytest.raises(ValueError, match=r"bench\.csv: .*model 'mistralai/mistral-7b-chat' has no cost column "
                                         r"'mistralai/mistral-7b-chat\|total_cost'"):
        D.load_routerbench(write(df, tmp_path))


def test_cost_column_without_quality_is_refused_by_name(tmp_path):
    df = wide().drop(columns=[MODELS[2]])
    with pytest.raises(ValueError, match=r"bench\.csv: .*model 'claude-v2' has no quality column 'claude-v2'"):
        D.load_routerbench(write(df, tmp_path))


def test_a_column_named_twice_is_refused(tmp_path):
    df = wide()
    p = tmp_path / "twice.csv"
    df[list(df.columns) + [MODELS[0]]].to_csv(p, index=False)  # pandas would read the copy as 'X.1'
    with pytest.raises(ValueError, match=r"twice\.csv: the header names 1 column\(s\) more than once "
                                         r"\('gpt-4-1106-preview' at columns 3, 12\)"):
        D.load_routerbench(p)
    with pytest.raises(ValueError, match=r"mem: the header names .*'prompt'"):
        D.from_wide(pd.concat([df, df[["prompt"]]], axis=1), source="mem")


def test_columns_read_by_nobody_are_named(tmp_path):
    df = wide(12)
    p = tmp_path / "indexed.csv"
    df.assign(orig_index=np.arange(12)).to_csv(p)  # the frame's index as an unnamed first column
    with pytest.warns(UserWarning, match=r"indexed\.csv: ignored 1 column\(s\) .*'Unnamed: 0'") as w:
        rd = D.load_routerbench(p)
    assert rd.n == 12 and not any("orig_index" in str(x.message) for x in w)  # RouterBench's own column


def test_latency_of_some_models_only_is_named(tmp_path):
    df = wide(12).assign(**{f"{MODELS[0]}|latency": 0.5})
    with pytest.warns(UserWarning, match=r"ignored every '\|latency' column: model\(s\) 'mistralai"):
        assert D.load_routerbench(write(df, tmp_path)).latency is None


def test_cost_that_is_not_a_number_names_row(tmp_path):
    df = wide()
    df[f"{MODELS[0]}|total_cost"] = df[f"{MODELS[0]}|total_cost"].astype(object)
    df.loc[6, f"{MODELS[0]}|total_cost"] = "cheap"
    with pytest.raises(ValueError, match=r"column 'gpt-4-1106-preview\|total_cost' row 6: 'cheap' is not a number"):
        D.load_routerbench(write(df, tmp_path))


# ----- a dataset needs some cost ----------------------------------------------------------------
def test_dataset_whose_costs_are_all_zero_is_refused_by_name(tmp_path):
    df = wide(40)
    cost_cols = [f"{m}|total_cost" for m in MODELS]
    df.loc[df.eval_name == "hellaswag", cost_cols] = 0.0
    with pytest.raises(ValueError, match=r"zero\.csv: every cost is 0 in dataset\(s\) hellaswag \(10 rows\)"):
        D.load_routerbench(write(df, tmp_path, "zero.csv"))
    # one free model, or one free row, is fine
    df = wide(40)
    df[cost_cols[1]] = 0.0
    df.loc[df.eval_name == "hellaswag", [cost_cols[0], cost_cols[2]]] = 0.0
    df.loc[df.index[df.eval_name == "hellaswag"][0], cost_cols[2]] = 0.001
    assert D.load_routerbench(write(df, tmp_path, "some.csv")).n == 40


def test_scale_that_empties_a_dataset_names_it():
    from routerlib.data.load import scale_rows

    rd = D.from_wide(wide(40))
    one = D.RoutingData.from_arrays([[0.0, 1.0]] * 2, [[1.0, 2.0]] * 2, dataset=np.array(["solo", "duo"]),
                                    sample_id=["a", "b"], name="tiny")

    mixed = D.RoutingData.from_arrays(np.r_[rd.quality[:, :2], [[0.0, 1.0]]], np.r_[rd.cost[:, :2], [[1.0, 2.0]]],
                                      dataset=np.r_[rd.dataset, ["solo"]], sample_id=np.r_[rd.sample_id, ["a"]],
                                      name="tiny")
    with pytest.warns(UserWarning, match=r"tiny at scale 0.2: 1 dataset\(s\) keep no row: solo \(1 rows\)"):
        out = scale_rows(mixed, 0.2, seed=0)
    assert "solo" not in out.datasets and out.meta["datasets_emptied_by_scale"] == ["solo"]
    with pytest.raises(ValueError, match=r"tiny at scale 0.2: no dataset keeps a row: (solo|duo) \(1 rows\), "):
        scale_rows(one, 0.2, seed=0)


def test_fingerprint_is_equal_for_equal_data_and_moves_with_any_field():
    from dataclasses import replace

    from routerlib.data import load

    rd = load("sim", 0, 0.02)
    same = replace(rd, quality=rd.quality.copy(), prompt=rd.prompt.copy())
    assert rd.fingerprint() == same.fingerprint() and len(rd.fingerprint()) == 64
    q = rd.quality.copy()
    q[3, 1] = np.nextafter(q[3, 1], 2.0)  # one bit of one quality
    p = rd.prompt.copy()
    p[0] = p[0] + " "
    changed = [replace(rd, quality=q), replace(rd, prompt=p), replace(rd, name="other"),
               replace(rd, meta={**rd.meta, "note": 1}), replace(rd, cost=rd.cost.astype(np.float32)),
               rd.select(np.arange(rd.n - 1))]
    prints = {c.fingerprint() for c in changed}
    assert len(prints) == len(changed) and rd.fingerprint() not in prints
