"""routerlib as an installable library: declared dependencies against the pinned list, the
version in one place and in every CSV, the error for a missing extra, the tracked data/ folder."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import routerlib
from routerlib import extras
from routerlib.paths import PROJ_ROOT

PYPROJECT = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]


def declared() -> dict[str, dict[str, Requirement]]:
    """``{"core": {name: Requirement}, "<extra>": {...}}`` from pyproject.toml."""
    groups = {"core": PYPROJECT["dependencies"], **PYPROJECT["optional-dependencies"]}
    return {g: {canonicalize_name(Requirement(r).name): Requirement(r) for r in reqs} for g, reqs in groups.items()}


def pinned(path: Path = PROJ_ROOT / "requirements.txt") -> dict[str, Requirement]:
    """The pinned list, one ``name==version`` per line (comments and blank lines aside)."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        spec = list(req.specifier)
        if len(spec) != 1 or spec[0].operator != "==":
            raise AssertionError(f"{path.name} line {n}: {line!r} is not an exact pin (name==version)")
        out[canonicalize_name(req.name)] = req
    return out


def pin_problems(pins: dict[str, Requirement], groups: dict[str, dict[str, Requirement]]) -> list[str]:
    """Where the pinned list and the declared ranges disagree, one line each (empty: they agree)."""
    problems = []
    where: dict[str, list[tuple[str, Requirement]]] = {}
    for g, reqs in groups.items():
        for name, req in reqs.items():
            where.setdefault(name, []).append((g, req))
    for name, pin in pins.items():
        version = next(iter(pin.specifier)).version
        if name not in where:
            problems.append(f"requirements.txt pins {name}=={version}, which pyproject.toml declares nowhere")
        for g, req in where.get(name, []):
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"requirements.txt pins {name}=={version}, outside {g}'s {req}")
            if set(pin.extras) != set(req.extras):
                problems.append(f"{name}: extras {sorted(pin.extras)} pinned, {sorted(req.extras)} declared in {g}")
    for name, places in where.items():
        if name not in pins:
            problems.append(f"pyproject.toml declares {places[0][1]} ({places[0][0]}), which requirements.txt does not pin")
    return problems


def test_every_pin_lies_within_the_declared_range_and_both_lists_name_the_same_packages():
    assert pin_problems(pinned(), declared()) == []


def test_the_pin_check_names_a_pin_outside_its_range_and_a_package_on_one_list_only(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("numpy==1.26.4  # below the bound\nextra-thing==1.0\n")
    groups = {"core": {"numpy": Requirement("numpy>=2.0.2"), "pandas": Requirement("pandas>=2.2.3")}}
    assert pin_problems(pinned(req), groups) == [
        "requirements.txt pins numpy==1.26.4, outside core's numpy>=2.0.2",
        "requirements.txt pins extra-thing==1.0, which pyproject.toml declares nowhere",
        "pyproject.toml declares pandas>=2.2.3 (core), which requirements.txt does not pin",
    ]
    req.write_text("numpy>=2\n")
    with pytest.raises(AssertionError, match=r"line 1: 'numpy>=2' is not an exact pin"):
        pinned(req)


def test_core_declares_a_lower_bound_for_every_dependency_and_no_torch():
    for req in declared()["core"].values():
        assert any(s.operator == ">=" for s in req.specifier), f"core dependency {req} has no lower bound"
    heavy = {"torch", "sentence-transformers", "transformers", "model2vec", "jupyterlab", "papermill"}
    assert heavy.isdisjoint(declared()["core"]), "the core must install without the heavy extras"


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level modules routerlib imports that are not its own or the standard library's:
    ``{"module level": {...}, "in functions": {...}}``."""
    out = {"module level": set(), "in functions": set()}
    for path in (PROJ_ROOT / "routerlib").rglob("*.py"):
        tree = ast.parse(path.read_text())
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                mod = name.split(".")[0]
                if mod != "routerlib" and mod not in sys.stdlib_module_names and mod != "__future__":
                    out["module level" if id(node) in top else "in functions"].add(mod)
    return out


def _distribution_of(module: str, names) -> str:
    """The distribution among ``names`` (installed) that provides top-level ``module``."""
    for name in names:
        try:  # a declared tool not installed here (e.g. ruff before `make install`) provides no import
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        tops = {f.parts[0].removesuffix(".py") for f in files if f.parts and not f.parts[0].endswith((".dist-info", ".data"))}
        if module in tops:
            return name
    raise AssertionError(f"routerlib imports {module}, which no declared dependency provides")


def test_every_import_is_declared_and_every_core_dependency_is_imported():
    groups = declared()
    imports = _third_party_imports()
    names = sorted(set().union(*groups.values()))
    # a module imported at module level is needed by `import routerlib...`: it must be core
    for mod in imports["module level"]:
        assert _distribution_of(mod, names) in groups["core"], f"{mod} is imported at module level but is not a core dependency"
    # one imported inside a function may come from an extra (checked by routerlib.extras.require)
    anywhere = set(groups["core"]) | set(groups["embed"]) | set(groups["cluster"])
    for mod in imports["in functions"]:
        assert _distribution_of(mod, names) in anywhere, f"{mod} is imported by routerlib but declared in no extra it uses"
    used = {_distribution_of(m, names) for m in imports["module level"] | imports["in functions"]}
    assert set(groups["core"]) <= used, f"core dependencies nothing imports: {sorted(set(groups['core']) - used)}"


def test_version_comes_from_the_module_and_citation_names_it_and_the_paper():
    assert "version" not in PYPROJECT and "version" in PYPROJECT["dynamic"]
    attr = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["dynamic"]["version"]
    assert attr == {"attr": "routerlib.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", routerlib.__version__)
    cff = (PROJ_ROOT / "CITATION.cff").read_text()
    assert re.search(rf"^version: {re.escape(routerlib.__version__)}$", cff, flags=re.M), \
        f"CITATION.cff's version differs from routerlib.__version__ ({routerlib.__version__})"
    assert "RouterBench: A Benchmark for Multi-LLM Routing System" in cff and "2403.12031" in cff
    assert "family-names: Hu" in cff and "year: 2024" in cff


def test_environment_yml_installs_the_pinned_list_on_the_declared_python():
    env = (PROJ_ROOT / "environment.yml").read_text()
    lines = [ln.split("#", 1)[0].strip() for ln in env.split("\ndependencies:", 1)[1].splitlines()]
    deps = [ln[2:].strip() for ln in lines if ln.startswith("- ")]
    low = re.fullmatch(r">=(\d+\.\d+)", PYPROJECT["requires-python"]).group(1)
    assert f"python={low}" in deps
    assert "-r requirements.txt" in deps
    # nothing pinned beside the list (conda's own packages would drift from requirements.txt)
    assert set(deps) <= {f"python={low}", "pip", "pip:", "-r requirements.txt", "-e ."}, deps


def test_every_csv_names_the_routerlib_version(tmp_path):
    from routerlib.plots import write_csv, write_tables

    t = pd.DataFrame({"x": [1.0, 2.0]})
    a = pd.read_csv(write_csv(t, tmp_path / "a.csv", {"data": "sim", "seed": 0, "embedder": "tfidf"}), dtype=str)
    b = pd.read_csv(write_csv(t, tmp_path / "b.csv"), dtype=str)  # no provenance given: the version still
    c = pd.read_csv(write_tables({"c": t}, tmp_path)[0], dtype=str)
    for df in (a, b, c):
        assert df.columns[-1] == "routerlib_version"
        assert set(df["routerlib_version"]) == {routerlib.__version__}
    assert list(a.columns) == ["x", "data", "seed", "embedder", "routerlib_version"]


def test_committed_csvs_name_the_routerlib_version():
    csvs = sorted((PROJ_ROOT / "figures").rglob("*.csv"))
    if not csvs:
        pytest.skip("no committed figures")
    lacking = [str(p.relative_to(PROJ_ROOT)) for p in csvs
               if "routerlib_version" not in pd.read_csv(p, nrows=0).columns]
    assert lacking == []


# ----- an embedder whose extra is missing ----------------------------------------------------
def _hide(monkeypatch, *modules: str) -> None:
    """As if ``modules`` were not installed, for routerlib.extras (other libraries still see them:
    scipy and scikit-learn look torch up in sys.modules)."""
    real = extras._find_spec
    monkeypatch.setattr(extras, "_find_spec", lambda m: None if m in modules else real(m))


@pytest.fixture
def without_torch(monkeypatch):
    _hide(monkeypatch, "torch")


def test_require_names_the_missing_modules_and_the_install_command(monkeypatch):
    _hide(monkeypatch, "sentence_transformers")
    with pytest.raises(extras.MissingExtra) as e:
        extras.require("numpy", "sentence_transformers", extra="embed", what="embedder 'minilm'")
    assert str(e.value) == ("embedder 'minilm' needs sentence_transformers, which is not installed here; install "
                            "routerlib's 'embed' extra: pip install \"routerlib[embed]\" (in a checkout: make install)")
    assert isinstance(e.value, ImportError)
    assert extras.missing("numpy", "no_such_module_here", "sentence_transformers") == [
        "no_such_module_here", "sentence_transformers"]


@pytest.mark.parametrize("name", ["minilm", "minilm-static", "all-MiniLM-L12-v2"])
def test_an_embedder_without_its_extra_is_refused_with_the_pip_command(name, without_torch):
    from routerlib import embed as E

    with pytest.raises(extras.MissingExtra, match=r'needs torch.*pip install "routerlib\[embed\]"'):
        E.make_embedder(name)
    with pytest.raises(extras.MissingExtra, match=r'pip install "routerlib\[embed\]"'):
        E.features_for(name, ["a prompt"])
    with pytest.raises(ValueError, match=rf"embedder {name!r} .*pip install \"routerlib\[embed\]\""):
        E.check_embedder(name)


def test_the_light_embedders_need_no_extra(without_torch):
    from routerlib import embed as E

    for name in ("tfidf", "features"):
        assert E.check_embedder(name) == name
        assert E.features_for(name, ["a prompt", "another one"]) is not None


def test_loading_a_model_or_distilling_without_the_extra_names_the_command(without_torch, monkeypatch, tmp_path):
    from routerlib.embed import sentence, static

    monkeypatch.setattr(sentence, "_models", {})
    with pytest.raises(extras.MissingExtra, match=r"embedding model 'all-MiniLM-L6-v2' needs torch"):
        sentence.load_model("all-MiniLM-L6-v2", device="cpu")
    with pytest.raises(extras.MissingExtra, match=r"distilling minilm-static needs torch.*routerlib\[embed\]"):
        static._distill_into(tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_run_notebooks_refuses_an_embedder_without_its_extra_before_any_work(run_notebooks, without_torch,
                                                                             monkeypatch, tmp_path, capsys):
    def no_work(*a, **k):
        raise AssertionError("work started before the embedder was checked")

    monkeypatch.setattr(run_notebooks, "embed_once", no_work)
    monkeypatch.setattr(run_notebooks.pm, "execute_notebook", no_work)
    argv = ["--data", "sim", "--scale", "0.1", "--embedder", "minilm", "--out", str(tmp_path / "nb")]
    assert run_notebooks.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --embedder: embedder 'minilm' needs torch") and 'pip install "routerlib[embed]"' in err
    assert not (tmp_path / "nb").exists()
    assert run_notebooks.check_args("sim", 0, 0.1, "0,1", "tfidf") == "sim"


# ----- data/ ------------------------------------------------------------------------------------
def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(PROJ_ROOT), *args], capture_output=True, text=True)


def test_data_readme_is_tracked_its_subfolders_ignored_and_the_readme_shows_it():
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    assert _git("ls-files", "--error-unmatch", "data/README.md").returncode == 0, "data/README.md is not tracked"
    for p in ("data/raw/routerbench_5shot.pkl", "data/interim/embeddings/x.npz"):
        assert _git("check-ignore", "-q", p).returncode == 0, f"{p} is not ignored"
    assert _git("check-ignore", "-q", "data/README.md").returncode == 1
    text = (PROJ_ROOT / "data" / "README.md").read_text()
    for word in ("raw/", "interim/", "SHA-256", "ROUTERLIB_CACHE", "ROUTERLIB_FIGURES"):
        assert word in text, word
    layout = (PROJ_ROOT / "README.md").read_text().split("## Where things live", 1)[1].split("\n## ", 1)[0]
    assert "`data/README.md`" in layout
