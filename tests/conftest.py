import importlib.util
import os

import pytest
from hypothesis import HealthCheck, settings

from routerlib.paths import PROJ_ROOT

settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def run_notebooks():
    """``scripts/run_notebooks.py`` as a module (its ``main(argv)`` runs notebooks with papermill)."""
    spec = importlib.util.spec_from_file_location("run_notebooks", PROJ_ROOT / "scripts" / "run_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def run_notebook():
    """Run ``notebooks/<number>_*.py`` in this process, cell by cell, with the ``parameters``
    cell's values replaced by ``params`` (what papermill injects); returns its namespace."""
    import jupytext
    import matplotlib

    matplotlib.use("Agg")

    def run(number: str, **params) -> dict:
        src = next((PROJ_ROOT / "notebooks").glob(f"{number}_*.py"))
        ns: dict = {"__name__": "__notebook__"}
        for cell in jupytext.read(src).cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, str(src), "exec"), ns)
            if "parameters" in cell.metadata.get("tags", []):
                ns.update(params)
        return ns

    return run


#: fixtures whose tests execute notebooks: such a test is an integration test
NOTEBOOK_FIXTURES = {"run_notebook", "run_notebooks"}


def pytest_collection_modifyitems(config, items):
    """Mark every test that executes notebooks (through :func:`run_notebook` or
    :func:`run_notebooks`) ``integration``, so ``-m "not integration"`` leaves it out."""
    for item in items:
        if NOTEBOOK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
