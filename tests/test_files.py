"""routerlib.data.files: every read error names the file and its likely cause; pickles are
unpickled only when pinned or trusted, and a crafted pickle is never executed."""

import gzip
import os
import pickle

import numpy as np
import pandas as pd
import pytest
from frames import wide

from routerlib import data as D
from routerlib.data import hub as H


def test_truncated_gzip_names_file_and_cause(tmp_path):
    p = D.save_wide(wide(200), tmp_path / "cut.csv.gz")
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    with pytest.raises(D.DataFileError, match=r"cut\.csv\.gz: .*truncated"):
        D.load_routerbench(p)


def test_not_gzip_though_named_gz(tmp_path):
    p = tmp_path / "plain.csv.gz"
    wide().to_csv(p.with_suffix(""), index=False)
    p.write_bytes(p.with_suffix("").read_bytes())
    with pytest.raises(D.DataFileError, match=r"plain\.csv\.gz: .*not a gzip file"):
        D.load_routerbench(p)


def test_semicolon_separated_csv_names_the_separator(tmp_path):
    p = tmp_path / "semi.csv"
    wide().to_csv(p, index=False, sep=";")
    with pytest.raises(D.DataFileError, match=r"semi\.csv: read as a single column.*semicolons \(';'\)"):
        D.load_routerbench(p)


def test_tab_separated_csv_with_commas_in_fields_names_the_separator(tmp_path):
    p = tmp_path / "tabs.csv"
    df = wide()
    df.loc[2, "prompt"] = "a question, with commas, in it"
    df.to_csv(p, index=False, sep="\t")
    with pytest.raises(D.DataFileError, match=r"tabs\.csv: .*separated by tabs"):
        D.load_routerbench(p)


def test_latin1_csv_names_the_encoding(tmp_path):
    p = tmp_path / "latin.csv"
    df = wide()
    df.loc[3, "prompt"] = "Quelle est la capitale? café, naïve"
    p.write_bytes(df.to_csv(index=False).encode("latin-1"))
    with pytest.raises(D.DataFileError, match=r"latin\.csv: .*not UTF-8.*Latin-1"):
        D.load_routerbench(p)


def test_binary_bytes_in_a_csv(tmp_path):
    p = tmp_path / "garbage.csv"
    p.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(D.DataFileError, match=r"garbage\.csv: .*(binary|corrupt)"):
        D.load_routerbench(p)


def test_corrupt_parquet_names_the_file(tmp_path):
    p = D.save_wide(wide(), tmp_path / "bad.parquet")
    b = bytearray(p.read_bytes())
    b[len(b) // 2: len(b) // 2 + 64] = b"\xff" * 64
    p.write_bytes(bytes(b[:-20]))
    with pytest.raises(D.DataFileError, match=r"bad\.parquet: cannot read this parquet file"):
        D.load_routerbench(p)


def test_empty_file_names_the_file(tmp_path):
    p = tmp_path / "nothing.csv.gz"
    with gzip.open(p, "wb"):
        pass
    with pytest.raises(D.DataFileError, match=r"nothing\.csv\.gz: .*empty"):
        D.load_routerbench(p)


# ----- pickles --------------------------------------------------------------------------------
class Crafted:
    """A pickle that runs a shell command when it is unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_crafted_pickle_is_refused_and_not_executed(tmp_path, monkeypatch):
    monkeypatch.delenv("TRUST_PICKLE", raising=False)
    marker = tmp_path / "pwned"
    p = tmp_path / "user.pkl"
    p.write_bytes(pickle.dumps(Crafted(marker)))
    with pytest.raises(D.DataFileError, match=r"user\.pkl: refusing to unpickle.*to_parquet\('.*user\.parquet'\)"):
        D.load(str(p))
    with pytest.raises(D.DataFileError, match="trust_pickle=True"):
        D.read_table(p)
    assert not marker.exists()


def test_trusted_or_pinned_pickles_load(tmp_path, monkeypatch):
    monkeypatch.delenv("TRUST_PICKLE", raising=False)
    p = D.save_wide(wide(40), tmp_path / "mine.pkl")
    with pytest.raises(D.DataFileError, match="refusing to unpickle"):
        D.load_routerbench(p)
    assert D.load_routerbench(p, trust_pickle=True).n == 40
    assert D.load(str(p), trust_pickle=True).n == 40
    monkeypatch.setenv("TRUST_PICKLE", "1")
    assert D.load(str(p)).n == 40
    monkeypatch.delenv("TRUST_PICKLE")
    monkeypatch.setitem(H.HUB_FILES, "test-pin", ("mine.pkl", H.sha256_of(p)))  # pinned: no trust needed
    assert D.load_routerbench(p).n == 40


def test_save_and_read_table_round_trip(tmp_path):
    from routerlib.data import files as F

    df = wide()
    for name in ["t.csv", "t.csv.gz", "t.parquet"]:
        back = F.read_table(F.write_table(df, tmp_path / name))
        pd.testing.assert_frame_equal(back, df, check_dtype=False)
    with pytest.raises(D.DataFileError, match="unknown file type"):
        F.write_table(df, tmp_path / "t.xlsx")
