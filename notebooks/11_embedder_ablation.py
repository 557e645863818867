# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: routerlib
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   routerlib:
#     embeds: [data]
#     embedders: [minilm-static, tfidf, features]
#     after: [09_leaderboard]
# ---

# %% [markdown]
# # Embedder ablation: how much does the prompt embedding matter? (beyond the paper)
#
# > Embedding quality has minimal impact on routing performance; replacing gte-qwen2-7B-instruct
# > with much weaker embedders (nli-bert-base, all-MiniLM-L6-v2) yields negligible differences.
# > (the follow-up, LLMRouterBench, `shared/paper/llmrouterbench-summary.txt`)
#
# The paper embeds prompts with sentence transformers (its best: all-MiniLM-L12-v2). Here the
# same routers run over the same seeds and splits with each embedder available offline:
# all-MiniLM-L6-v2 (the default), its static distillation (`minilm-static`, model2vec), TF-IDF +
# SVD fitted on each training split, and simple prompt features (length, digits, math symbols,
# ...). For each router, embedder and dataset, the paired difference of its AIQ (hindsight and
# held-out) to the same router on MiniLM-L6, with a 95% interval over seeds
# (`routerlib.protocol.compare_runs`; the reference is the run's `embedder` parameter, MiniLM-L6
# by default): *within noise* means the embedder does not matter at this
# resolution. The Zero router does not use an embedding, so it is the same in every run. On the
# default data the numbers are SIMULATED: the simulated prompts carry their topic and difficulty
# in words (`docs/simulation.md`), which word-level features see as well as MiniLM does.

# %%
from routerlib.claims import mark_not_run, seed_coverage
from routerlib.data import load
from routerlib.embed import EMBEDDERS, embedder_name, features_for
from routerlib.metrics import ci_table
from routerlib.paths import figures_dir
from routerlib.plots import draw, write_csv
from routerlib.protocol import compare_runs, parse_seeds, registry_specs, run_protocol
from routerlib.routers import ROUTERS

# %% tags=["parameters"]
data: str = "sim"
seed: int = 0
scale: float = 1.0
seeds: str = "0,1,2,3,4"
embedder: str = "minilm"

# %%
rd, out_dir = load(data, seed=seed, scale=scale), figures_dir(data, scale)
embedders = list(dict.fromkeys([embedder] + [e for e in ("minilm-static", "tfidf", "features") if e in EMBEDDERS]))
specs = registry_specs([r for r in ("knn", "mlp", "avengers_pro") if r in ROUTERS])
runs = {e: run_protocol(rd, specs, features_for(e, rd.prompt), parse_seeds(seeds), prompts=rd.prompt, n_jobs=-1)
        for e in embedders}
ablation = compare_runs(runs, embedder).assign(reference=embedder_name(embedder))
# a (router, dataset) pair the protocol left out (in any run) is a row "not run here" with its reason
write_csv(mark_not_run(ablation, list(runs.values()), [s.name for s in specs]), out_dir / "embedders.csv",
          rd.provenance(seed, "+".join(embedders)) | {"seeds": seeds})
draw("embedders", out_dir)

# %%
for m in ("aiq", "aiq_heldout"):
    print(f"\n{m} minus the same router on {embedder_name(embedder)}:")
    print(ci_table(ablation[ablation.metric == m], index=["run", "router"]).to_string())

# %%
# NBVAL_CHECK_OUTPUT
# asserts: a difference for every embedder but the reference, from at most every seed. Readings
# from fewer seeds than asked (a split where the reading is not defined) are listed, not asserted away.
assert set(ablation.run) == set(embedders) - {embedder}
assert (ablation.n_seeds <= len(parse_seeds(seeds))).all()
short = seed_coverage(ablation, seeds)
print(f"readings from fewer than {len(parse_seeds(seeds))} seeds:",
      short[["run", "dataset", "router", "metric", "n_seeds"]].to_dict("records") if len(short) else "none")
print("left out by the protocol (not run here):",
      {k: v for r in runs.values() for k, v in r.meta.get("refused", {}).items()} or "none")
over = ablation[(ablation.dataset == "all") & (ablation.metric == "aiq_heldout")].set_index(["run", "router"])
print(f"held-out AIQ difference to {embedder_name(embedder)}, mean over datasets:", over["mean"].round(3).to_dict())
print("verdicts:", over.verdict.to_dict())
