"""docs/results.md is what `make results` writes from the committed CSVs, and every number of the
README's headline results is one of its numbers."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

PROJ_ROOT = Path(__file__).resolve().parents[1]


def _results_summary():
    spec = importlib.util.spec_from_file_location("results_summary", PROJ_ROOT / "scripts" / "results_summary.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_results_page_is_what_the_csvs_give(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJ_ROOT)
    text = _results_summary().write_results(tmp_path / "results.md")
    committed = (PROJ_ROOT / "docs" / "results.md").read_text()
    assert text == committed, "docs/results.md is stale: run `make results` and commit it"
    assert "| knn |" in text and "RAG routing" in text


def test_results_page_refuses_a_missing_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="no such folder figures/sim"):
        _results_summary().write_results(tmp_path / "results.md", folders=(Path("figures/sim"),))


def test_headline_numbers_come_from_the_results_page():
    readme = (PROJ_ROOT / "README.md").read_text()
    headline = readme.split("## Headline results", 1)[1].split("\n## ", 1)[0]
    numbers = re.findall(r"[+-]?\d\.\d{3}", headline)
    assert len(numbers) >= 8
    page = (PROJ_ROOT / "docs" / "results.md").read_text() + (PROJ_ROOT / "docs" / "results-real.md").read_text()
    missing = [n for n in numbers if f"{float(n):.3f}" not in page]
    assert missing == [], f"README headline numbers not in docs/results*.md: {missing}"
