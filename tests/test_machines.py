"""The simulation means the same on CPUs that take different SIMD paths through NumPy.

NumPy picks the code of a transcendental function (exp, log, ...) by the CPU's features: on an
AVX-512 machine some simulated costs differ from an AVX2 machine's in the last bit. Setting
``NPY_DISABLE_CPU_FEATURES`` before NumPy is imported makes one machine take another CPU's path,
so each run here happens in a fresh subprocess: once with the default path and once with some
dispatched features turned off. Only features this CPU has are named (NumPy ignores the others,
so naming them would test nothing), and the child reports that they were off.

What must hold: ids, prompts, eval names, datasets, models and quality identical; costs, and the
Zero router's AIQ derived from them, equal to rtol 1e-12.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy._core._multiarray_umath import __cpu_dispatch__

ROOT = Path(__file__).resolve().parents[1]
SEED, SCALE = 4, 0.05
RTOL = 1e-12

#: which of the dispatched targets to turn off, chosen among those the CPU has (as the default
#: run reports them: this process may itself run with some turned off)
PATHS = {"AVX-512 off (an AVX2 machine's path)": lambda f: f.startswith(("X86_V4", "AVX512")),
         "every dispatched target off (the baseline path)": lambda f: True}

CHILD = r"""
import json, sys
import numpy as np
from numpy._core._multiarray_umath import __cpu_features__
from routerlib.data import simulate_routerbench
from routerlib.hull import aiq, ndch

d = simulate_routerbench(seed=int(sys.argv[2]), scale=float(sys.argv[3]))
zero = []
for ds in d.datasets:
    rows = d.dataset == ds
    c, q = d.cost[rows].mean(axis=0), d.quality[rows].mean(axis=0)
    zero.append(aiq(ndch(c, q), c.min(), c.max()))
np.savez(sys.argv[1], sample_id=d.sample_id.astype(str), prompt=d.prompt.astype(str),
         eval_name=d.eval_name.astype(str), dataset=d.dataset.astype(str), models=d.models.astype(str),
         quality=d.quality, cost=d.cost, zero_aiq=np.array(zero))
print(json.dumps({k: bool(v) for k, v in __cpu_features__.items()}))
"""

pytestmark = pytest.mark.integration


def _run(out: Path, disable: list[str]) -> tuple[dict, dict]:
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]), OMP_NUM_THREADS="1")
    if disable:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(disable)
    done = subprocess.run([sys.executable, "-c", CHILD, str(out), str(SEED), str(SCALE)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"simulation with NPY_DISABLE_CPU_FEATURES={disable} failed:\n{done.stderr}"
    features = json.loads(done.stdout.strip().splitlines()[-1])
    with np.load(out) as z:
        return features, {k: z[k] for k in z.files}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("default") / "sim.npz", [])


@pytest.mark.parametrize("label", sorted(PATHS))
def test_simulation_agrees_across_cpu_paths(default_run, tmp_path, label):
    base_features, base = default_run
    present = [f for f in __cpu_dispatch__ if base_features.get(f)]
    disable = [f for f in present if PATHS[label](f)]
    if not disable:
        pytest.skip(f"{label}: this CPU has none of those targets ({sorted(__cpu_dispatch__)} dispatched, "
                    f"{present} present), so the default run already takes that path")
    features, run = _run(tmp_path / "sim.npz", disable)
    assert not any(features[f] for f in disable), f"{label}: NumPy left some of {disable} on: {features}"

    for key in ("sample_id", "prompt", "eval_name", "dataset", "models", "quality"):
        np.testing.assert_array_equal(run[key], base[key], err_msg=f"{label}: {key} differs")
    assert run["quality"].tobytes() == base["quality"].tobytes()  # 0/1 and k/10: exact, not just close
    for key in ("cost", "zero_aiq"):
        np.testing.assert_allclose(run[key], base[key], rtol=RTOL, atol=0, err_msg=f"{label}: {key} differs")


def test_tolerance_sees_more_than_the_last_bits(default_run):
    """The comparison above is not vacuous: rtol 1e-12 passes a one-ulp change of every cost and
    refuses a change of one cost by a part in a billion."""
    cost = default_run[1]["cost"]
    np.testing.assert_allclose(np.nextafter(cost, np.inf), cost, rtol=RTOL, atol=0)
    changed = cost.copy()
    changed[17, 3] *= 1 + 1e-9
    with pytest.raises(AssertionError, match="Mismatched elements: 1 /"):
        np.testing.assert_allclose(changed, cost, rtol=RTOL, atol=0)
