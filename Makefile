# RouterBench reproduction. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check -q
DATA ?= sim
SEED ?= 0
SCALE ?= 1.0
SEEDS ?= 0,1,2,3,4
EMBEDDER ?= minilm
# notebooks run at once by `make reproduce` (each kernel then gets one BLAS thread)
JOBS ?= 2
# where the embedding pass and the protocol's jobs run: empty (this machine), local:N, tcp://host:port (docs/cluster.md)
SCHEDULER ?=
# CI scale for `make test`: the share of each dataset's rows the notebooks use, the seeds of the
# multi-seed protocol, the embedder (the static distillation of MiniLM: seconds, where MiniLM itself
# takes minutes; the unit tests and `make test-full` run MiniLM), how many notebooks run at once, and
# the longest a notebook cell or a unit test may take before it fails by name instead of hanging
TEST_SCALE ?= 0.1
TEST_SEEDS ?= 0,1,2
TEST_EMBEDDER ?= minilm-static
TEST_REAL_EMBEDDER ?= minilm-static
TEST_JOBS ?= 2
TEST_CELL_TIMEOUT ?= 900
TEST_TIMEOUT ?= 600
SHARED_ROWS := ../shared/data/routerbench/routerbench_5shot_arc_winogrande_mbpp.csv.gz
DATA_NAME = $(shell $(PY) -c "from routerlib.paths import data_name; print(data_name('$(DATA)'))" 2>/dev/null)

.PHONY: help install reproduce data test test-full unit notebooks-test bench bench-scale lab clean results lint

help: ## list every target with its description
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'
	@echo "  variables: DATA=sim|routerbench-5shot|routerbench-0shot|<file>  SEED=0  SCALE=1.0  SEEDS=0,1,2,3,4  EMBEDDER=minilm|minilm-static|tfidf  SCHEDULER=|local:N|tcp://host:port  JOBS=2"

install: $(VENV)/.installed ## create .venv and install the pinned requirements (requirements.txt)

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt 2> >(grep -v "^WARNING: Location" >&2)
	$(PIP) install --no-deps -e . 2> >(grep -v "^WARNING: Location" >&2)
	touch $@

reproduce: install ## run every notebook end to end (papermill) on DATA; figures to figures/<data name>/
	$(PY) scripts/run_notebooks.py --data "$(DATA)" --seed $(SEED) --scale $(SCALE) --seeds "$(SEEDS)" --embedder "$(EMBEDDER)" --scheduler "$(SCHEDULER)" --jobs $(JOBS) --out build/reproduce/$(DATA_NAME)

data: install ## download the pinned RouterBench hub files into data/raw and verify their SHA-256
	$(PY) -c "from routerlib.data import fetch_hub_file as f; [print(f(n)) for n in ('routerbench-0shot', 'routerbench-5shot')]"

unit: install ## unit and property tests, 2 processes (hypothesis's derandomized `ci` profile: the same examples every run)
	@echo "== unit tests ($$(date +%T))"
	CI=$${CI:-1} $(PY) -m pytest tests routerlib -n $(TEST_JOBS) --timeout $(TEST_TIMEOUT) --durations 10

# at CI scale a protocol's jobs are small: each kernel runs them in its own process (LOKY_MAX_CPU_COUNT=1)
RUN_TEST = LOKY_MAX_CPU_COUNT=1 ROUTERLIB_FIGURES=build/test/figures $(PY) scripts/run_notebooks.py --seeds "$(TEST_SEEDS)" --jobs $(TEST_JOBS) --cell-timeout $(TEST_CELL_TIMEOUT)

notebooks-test: install ## every notebook at CI scale: sim, the real rows in ../shared if present, and a small cut of them (one dataset of 12 rows) twice, the second with an empty cache but for the distilled static model, the CSVs of both runs compared
	rm -rf build/test
	@echo "== notebooks on sim ($$(date +%T))"
	$(RUN_TEST) --data sim --scale $(TEST_SCALE) --embedder "$(TEST_EMBEDDER)" --out build/test/sim
	if [ -f $(SHARED_ROWS) ]; then \
	  echo "== notebooks on the real rows ($$(date +%T))" && \
	  $(RUN_TEST) --data $(SHARED_ROWS) --scale 1.0 --embedder "$(TEST_REAL_EMBEDDER)" --out build/test/real && \
	  echo "== notebooks on a small cut of the real rows, twice ($$(date +%T))" && \
	  $(PY) scripts/make_small_real.py build/test/small_real.csv.gz && \
	  $(RUN_TEST) --data build/test/small_real.csv.gz --scale 1.0 --embedder tfidf --out build/test/small-real && \
	  mkdir -p build/test/cache-again && cp -r "$$($(PY) -c 'from routerlib.paths import cache_dir; print(cache_dir())')/models" build/test/cache-again/ && \
	  LOKY_MAX_CPU_COUNT=1 ROUTERLIB_CACHE=build/test/cache-again ROUTERLIB_FIGURES=build/test/figures-again $(PY) scripts/run_notebooks.py \
	    --seeds "$(TEST_SEEDS)" --jobs $(TEST_JOBS) --cell-timeout $(TEST_CELL_TIMEOUT) \
	    --data build/test/small_real.csv.gz --scale 1.0 --embedder tfidf --out build/test/small-real-again && \
	  $(PY) scripts/compare_figures.py --ignore-column seconds build/test/figures/small_real build/test/figures-again/small_real; \
	else echo "note: $(SHARED_ROWS) not found; notebooks run on the simulated data only"; fi
	@echo "== notebooks done ($$(date +%T))"

test: lint unit notebooks-test ## install if needed, lint, unit tests, then every notebook at CI scale (about 10 min from a fresh clone)

test-full: test ## `make test`, then the sim notebooks with MiniLM itself re-checked by nbval, and the slow install tests
	ROUTERLIB_FIGURES=build/test/figures-minilm $(PY) scripts/run_notebooks.py --data sim --scale $(TEST_SCALE) --seeds "$(TEST_SEEDS)" --embedder minilm --out build/test/sim-minilm
	ROUTERLIB_FIGURES=build/test/figures-nbval $(PY) -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env build/test/sim-minilm
	$(PY) -m pytest -m slow tests/test_install.py

.PHONY: test-install
test-install: install ## the wheel in fresh venvs: the pinned core runs the README's own-router example; the declared lower bounds pass the core tests (about 5 min)
	$(PY) -m pytest -m slow tests/test_install.py

results: install ## rewrite docs/results.md from the committed CSVs of figures/sim and figures/rag-sim
	$(PY) scripts/results_summary.py

lint: install ## ruff check (rules and exclusions in pyproject.toml)
	$(PY) -m ruff check .

bench: install ## speed benchmarks (hull/AIQ, simulation, loading, routers, cascades, the protocol and how its cost grows, online routing; with SCHEDULER=, the leaderboard protocol there against here)
	$(PY) scripts/bench.py --embedder "$(EMBEDDER)" --scheduler "$(SCHEDULER)"

bench-scale: install ## the protocol at 36k, 100k and 400k random prompts x 33 models: time and peak memory here and on SCHEDULER (default local:2)
	$(PY) scripts/bench_scale.py --sizes 36000,100000,400000 --seeds 0,1 --schedulers ",$(or $(SCHEDULER),local:2)"

lab: install ## JupyterLab from .venv; notebooks/*.py open as notebooks on a double click (jupytext)
	$(PY) scripts/lab.py

clean: ## remove build/ and caches (keeps .venv and data/raw)
	rm -rf build data/interim .pytest_cache .hypothesis
