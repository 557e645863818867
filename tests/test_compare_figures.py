"""scripts/compare_figures.py: two figures folders compared CSV by CSV, numbers within a
tolerance, text exactly, PNGs by presence only; exit 0 when all agree, 1 otherwise, 2 on bad folders."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("compare_figures", ROOT / "scripts" / "compare_figures.py")
CF = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CF)

AIQ = "dataset,router,aiq,n_seeds,label\nmmlu,zero,0.779635,5,SIMULATED\nmmlu,knn,0.1,5,SIMULATED\n"
SHARES = "kind,cost,quality\nrouter,0.906267,\nrouter,1.05038,0.8\n"  # an empty cell: NaN


@pytest.fixture()
def folders(tmp_path):
    a = tmp_path / "A"
    (a / "sim").mkdir(parents=True)
    (a / "sim" / "fig4_aiq.csv").write_text(AIQ)
    (a / "sim" / "fig6_shares.csv").write_text(SHARES)
    (a / "sim" / "fig4.png").write_bytes(b"\x89PNG one rendering")
    b = tmp_path / "B"
    shutil.copytree(a, b)
    return a, b


def _run(a, b, capsys, *flags) -> tuple[int, str]:
    code = CF.main([str(a), str(b), *flags])
    return code, capsys.readouterr().out


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_identical_folders_agree(folders, capsys):
    code, out = _run(*folders, capsys)
    assert code == 0, out
    assert "2 of 2 CSVs in both agree" in out and "1 files (.png)" in out


def test_committed_figures_agree_with_a_copy(tmp_path, capsys):
    if not (ROOT / "figures" / "sim").is_dir():
        pytest.skip("figures/sim not present")
    shutil.copytree(ROOT / "figures" / "sim", tmp_path / "sim")
    code, out = _run(ROOT / "figures" / "sim", tmp_path / "sim", capsys)
    assert code == 0, out


def test_a_last_bit_change_is_within_tolerance(folders, capsys):
    a, b = folders
    _edit(b / "sim" / "fig4_aiq.csv", "0.1,", "0.10000000000000002,")  # one ulp above 0.1
    code, out = _run(a, b, capsys)
    assert code == 0, out


def test_a_real_numeric_change_names_file_column_and_count(folders, capsys):
    a, b = folders
    _edit(b / "sim" / "fig4_aiq.csv", "0.779635", "0.779645")
    _edit(b / "sim" / "fig4_aiq.csv", "0.1,", "0.2,")
    code, out = _run(a, b, capsys)
    assert code == 1
    assert "sim/fig4_aiq.csv: differs" in out
    assert "column 'aiq': 2 of 2 cells differ (numbers); largest |A-B| 0.1 (relative 0.5) at row 1" in out
    assert "first at row 0: '0.779635' vs '0.779645'" in out
    assert "fig6_shares.csv: differs" not in out and "1 of 2 CSVs in both agree" in out


def test_one_unit_in_the_sixth_digit_is_reported_unless_the_tolerance_allows_it(folders, capsys):
    a, b = folders
    _edit(b / "sim" / "fig4_aiq.csv", "0.779635", "0.779636")  # a rounding boundary crossed
    assert _run(a, b, capsys)[0] == 1
    assert _run(a, b, capsys, "--rtol", "1e-5")[0] == 0


def test_a_text_change_differs(folders, capsys):
    a, b = folders
    _edit(b / "sim" / "fig4_aiq.csv", "knn", "KNN")
    code, out = _run(a, b, capsys)
    assert code == 1 and "column 'router': 1 of 2 cells differ (text); first at row 1: 'knn' vs 'KNN'" in out


def test_nan_agrees_with_nan_only(folders, capsys):
    a, b = folders
    assert _run(a, b, capsys)[0] == 0  # the empty cell on both sides
    _edit(b / "sim" / "fig6_shares.csv", "0.906267,\n", "0.906267,0.5\n")
    code, out = _run(a, b, capsys)
    assert code == 1
    assert "column 'quality': 1 of 2 cells differ (numbers); no finite difference (NaN or inf on one side)" in out


def test_a_number_turned_text_is_compared_as_text(folders, capsys):
    a, b = folders
    _edit(b / "sim" / "fig4_aiq.csv", "0.1,", "n/a,")
    code, out = _run(a, b, capsys)
    assert code == 1 and "column 'aiq': 1 of 2 cells differ (text); first at row 1: '0.1' vs 'n/a'" in out


@pytest.mark.parametrize("side", ["A", "B"])
def test_a_file_on_one_side_only(folders, capsys, side):
    a, b = folders
    other = b if side == "A" else a
    (other / "sim" / "fig6_shares.csv").unlink()
    code, out = _run(a, b, capsys)
    assert code == 1 and f"only in {side}: sim/fig6_shares.csv" in out


def test_pngs_are_compared_by_presence_only(folders, capsys):
    a, b = folders
    (b / "sim" / "fig4.png").write_bytes(b"\x89PNG another rendering")
    assert _run(a, b, capsys)[0] == 0
    (b / "sim" / "fig4.png").unlink()
    code, out = _run(a, b, capsys)
    assert code == 1 and "only in A: sim/fig4.png" in out


def test_columns_or_rows_that_differ(folders, capsys):
    a, b = folders
    shares = b / "sim" / "fig6_shares.csv"
    shares.write_text(SHARES.replace("kind,cost,quality", "kind,cost,accuracy"))
    code, out = _run(a, b, capsys)
    assert code == 1 and "columns only in A: ['quality']; only in B: ['accuracy']" in out
    shares.write_text("kind,quality,cost\nrouter,,0.906267\nrouter,0.8,1.05038\n")
    code, out = _run(a, b, capsys)
    assert code == 1 and "same columns in another order" in out and "cells differ" not in out
    shares.write_text(SHARES + "router,1.0,0.9\n")
    code, out = _run(a, b, capsys)
    assert code == 1 and "rows: A 2, B 3 (cells not compared)" in out


def test_an_unreadable_csv_is_named(folders, capsys):
    a, b = folders
    (b / "sim" / "fig6_shares.csv").write_text("")
    code, out = _run(a, b, capsys)
    assert code == 1 and "cannot read B (" in out and "fig6_shares.csv): EmptyDataError" in out


def test_refusals(folders, capsys, tmp_path):
    a, _ = folders
    assert CF.main([str(a), str(tmp_path / "missing")]) == 2
    assert f"B is not a folder: {tmp_path / 'missing'}" in capsys.readouterr().err
    assert CF.main([str(a), str(a), "--rtol", "-1"]) == 2
    assert "tolerances must be >= 0; got rtol -1.0" in capsys.readouterr().err


def test_as_a_script(folders):
    a, b = folders
    run = [sys.executable, str(ROOT / "scripts" / "compare_figures.py"), str(a), str(b)]
    done = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    _edit(b / "sim" / "fig4_aiq.csv", "0.1,", "0.3,")
    done = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "column 'aiq': 1 of 2 cells differ" in done.stdout


def test_an_ignored_column_is_not_compared_but_must_be_there(folders, capsys):
    a, b = folders
    _edit(b / "sim" / "fig4_aiq.csv", "0.779635", "0.9")  # a timing-like column that moves
    code, out = _run(a, b, capsys, "--ignore-column", "aiq")
    assert code == 0 and "columns not compared: aiq" in out, out
    _edit(b / "sim" / "fig4_aiq.csv", "SIMULATED\nmmlu,knn", "REAL\nmmlu,knn")  # other columns still are
    code, out = _run(a, b, capsys, "--ignore-column", "aiq")
    assert code == 1 and "column 'label': 1 of 2 cells differ (text)" in out
    _edit(b / "sim" / "fig4_aiq.csv", "aiq,n_seeds", "aiq_x,n_seeds")  # a missing column is still reported
    code, out = _run(a, b, capsys, "--ignore-column", "aiq")
    assert code == 1 and "columns only in A: ['aiq']" in out
