"""Write docs/results.md: the result tables (markdown) of the committed CSVs of a `make reproduce` run.

    python scripts/results_summary.py                       # docs/results.md from figures/sim and figures/rag-sim
    python scripts/results_summary.py figures/sim           # one folder's tables to stdout
    python scripts/results_summary.py figures/routerbench_5shot_arc_winogrande_mbpp

`make results` runs the first form, so docs/results.md can never disagree with the CSVs.
Every number comes from the CSVs: Table 1 against the paper (`table1.csv`), the leaderboard's AIQ
over seeds with 95% intervals and the paired difference to the Zero router (`leaderboard.csv`),
the paper's claims judged by those intervals, the cascade's claims over seeds
(`fig5_aiq_ci.csv`, `fig8_aiq_ci.csv`), each router against its random-score control
(`controls.csv`), the agreement judge's measured error (`judge_error.csv`) and the RAG routers
over seeds (`fig6_aiq_ci.csv`).
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pandas as pd

from routerlib.claims import WIDE_MARGIN
from routerlib.paper import PAPER_PREDICTIVE_VS_ZERO

VERDICT_OF_PAPER = {"above": "above", "comparable": "within noise", "below": "below"}


def md(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join([df.index.name or ""] + cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for idx, row in df.iterrows():
        lines.append("| " + " | ".join([str(idx)] + ["" if pd.isna(v) else str(v) for v in row]) + " |")
    return "\n".join(lines)


def ci(r, digits=3) -> str:
    if pd.isna(r["mean"]):
        return ""
    if pd.isna(r["ci_low"]):
        return f"{r['mean']:.{digits}f}"
    return f"{r['mean']:.{digits}f} [{r['ci_low']:.{digits}f}, {r['ci_high']:.{digits}f}]"


def table1(d: Path) -> None:
    t1 = pd.read_csv(d / "table1.csv")
    models = t1[t1.model != "oracle"]
    orc = t1[t1.model == "oracle"].set_index("dataset")
    tab = pd.DataFrame({
        "max abs quality diff (whole data)": models.groupby("dataset").d_quality_all.apply(lambda s: s.abs().max()),
        "max abs quality diff (30% test)": models.groupby("dataset").d_quality_test.apply(lambda s: s.abs().max()),
        "cost ratio, median (test/paper)": models.groupby("dataset").cost_ratio.median(),
        "Oracle quality (test)": orc.quality_test, "Oracle quality (paper)": orc.quality_paper,
        "Oracle cost (test)": orc.cost_test, "Oracle cost (paper)": orc.cost_paper,
    }).round(3)
    tab.index.name = "dataset"
    print(f"##### Table 1 against the paper ({d.name}; seed 0 split)\n")
    print(md(tab))


ROUTERS = ("zero", "knn", "mlp", "svm", "random_score", "cascade", "avengers_pro", "mf", "escalation",
           "escalation_random", "agreement", "oracle")


def leaderboard(d: Path, routers=ROUTERS) -> None:
    lb = pd.read_csv(d / "leaderboard.csv", keep_default_na=False, na_values=[""])
    n = int(lb.n_seeds.max())
    lb = lb[lb.router.isin(routers)]
    order = [x for x in dict.fromkeys(lb.dataset) if x != "all"] + ["all"]
    for metric, title in (("aiq", "AIQ, paper convention (hindsight hull on the test split)"),
                          ("aiq_heldout", "AIQ held out (configurations chosen on validation)"),
                          ("aiq_minus_zero", "AIQ minus the Zero router's (paper convention), paired by seed"),
                          ("aiq_heldout_minus_zero", "held-out AIQ minus the Zero router's, paired by seed")):
        v = lb[lb.metric == metric]
        cells = v.assign(cell=[ci(r) + (f" {r['verdict']}" if isinstance(r["verdict"], str) and r["verdict"] else "")
                               for _, r in v.iterrows()])
        tab = cells.pivot(index="router", columns="dataset", values="cell").reindex(
            index=[r for r in routers if r in set(v.router)], columns=order)
        tab.columns = [c if c != "all" else "mean over datasets" for c in tab.columns]
        print(f"\n##### {title} ({d.name}; mean [95% CI] over {n} seeds)\n")
        print(md(tab))


def paper_claims(d: Path) -> None:
    lb = pd.read_csv(d / "leaderboard.csv", keep_default_na=False, na_values=[""])
    rows = []
    for r in ("knn", "mlp"):
        for ds, paper in PAPER_PREDICTIVE_VS_ZERO.items():
            for metric in ("aiq_minus_zero", "aiq_heldout_minus_zero"):
                v = lb[(lb.router == r) & (lb.dataset == ds) & (lb.metric == metric)]
                if v.empty:
                    continue
                ours = v.verdict.iloc[0]
                mark = "holds" if VERDICT_OF_PAPER[paper] == ours else (
                    "within noise" if ours == "within noise" else "does not hold")
                rows.append((f"{r.upper()} {paper}{' to' if paper == 'comparable' else ''} the Zero router on {ds}",
                             "hindsight" if metric == "aiq_minus_zero" else "held-out", ci(v.iloc[0]), ours, mark))
    tab = pd.DataFrame(rows, columns=["claim (paper, section 5.3)", "AIQ", "ours: AIQ - Zero [95% CI]", "verdict",
                                      "claim"]).set_index("claim (paper, section 5.3)")
    print(f"\n##### The paper's claims on the predictive routers, judged by the intervals ({d.name})\n")
    print(md(tab))
    parts = [pd.read_csv(d / f) for f in ("fig5_aiq_ci.csv", "fig8_aiq_ci.csv") if (d / f).exists()]
    if parts:
        c = pd.concat(parts, ignore_index=True)
        c = c[c.error_rate <= 0.1]
        rows = [(f"cascade beats the Zero router by more than {WIDE_MARGIN:g} up to error 0.1 on {ds}",
                 "; ".join(f"e={r.error_rate:g}: {r['mean']:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}]" for _, r in g.iterrows()),
                 "holds" if (g.ci_low > WIDE_MARGIN).all() else "does not hold" if (g.ci_high < WIDE_MARGIN).any()
                 else "within noise") for ds, g in c.groupby("dataset", sort=False)]
        tab = pd.DataFrame(rows, columns=["claim (paper, section 5.3)", "cascade - Zero AIQ [95% CI]", "claim"])
        print(f"\n##### The paper's claim on the cascade, judged by the intervals ({d.name})\n")
        print(md(tab.set_index("claim (paper, section 5.3)")))


def controls(d: Path) -> None:
    if not (d / "controls.csv").exists():
        return
    c = pd.read_csv(d / "controls.csv", keep_default_na=False, na_values=[""])
    n = int(c.n_seeds.max())
    order = [x for x in dict.fromkeys(c.dataset) if x != "all"] + ["all"]
    for metric, title in (("aiq_minus_zero", "hindsight"), ("aiq_heldout_minus_zero", "held-out")):
        v = c[c.metric.str.startswith(metric + "_minus_")]
        v = v.assign(cell=[f"{ci(r)} {r['verdict']}" for _, r in v.iterrows()],
                     router=v.router + " vs " + v.control)
        tab = v.pivot(index="router", columns="dataset", values="cell").reindex(columns=order)
        tab.columns = [x if x != "all" else "mean over datasets" for x in tab.columns]
        print(f"\n##### Routers against their random-score control, {title} AIQ - Zero, paired by seed "
              f"({d.name}; mean [95% CI] over {n} seeds)\n")
        print(md(tab))


def judge(d: Path) -> None:
    if not (d / "judge_error.csv").exists():
        return
    j = pd.read_csv(d / "judge_error.csv", keep_default_na=False, na_values=[""])
    if j.empty:
        return
    tab = pd.DataFrame({
        "judge error rate (wrong verdicts)": [ci(dict(mean=r.error_rate, ci_low=r.error_rate_ci_low,
                                                       ci_high=r.error_rate_ci_high)) for r in j.itertuples()],
        "accepted but wrong": [ci(dict(mean=r.accept_wrong, ci_low=r.accept_wrong_ci_low, ci_high=r.accept_wrong_ci_high))
                               for r in j.itertuples()],
        "rejected but right": [ci(dict(mean=r.reject_right, ci_low=r.reject_right_ci_low, ci_high=r.reject_right_ci_high))
                               for r in j.itertuples()],
        "nearest error rate of Figures 5/8": j.nearest_paper_error_rate.to_numpy(),
        "most frequent chain": j.chain.to_numpy(), "seeds": j.n_seeds.to_numpy()}, index=j.dataset.rename("dataset"))
    print(f"\n##### The answer-agreement judge's measured error on the test split ({d.name}; mean [95% CI] over seeds)\n")
    print(md(tab))


def rag(d: Path) -> None:
    if not (d / "fig6_aiq_ci.csv").exists():
        return
    c = pd.read_csv(d / "fig6_aiq_ci.csv", keep_default_na=False, na_values=[""])
    c = c[c.dataset != "all"]
    cols = {"aiq": "AIQ (paper convention)", "aiq_heldout": "AIQ held out",
            "aiq_minus_zero": "AIQ - Zero", "aiq_heldout_minus_zero": "held-out AIQ - Zero"}
    tab = pd.DataFrame({
        title: [ci(dict(mean=r[m], ci_low=r[m + "_ci_low"], ci_high=r[m + "_ci_high"]))
                + (f" {r[m + '_verdict']}" if isinstance(r.get(m + "_verdict"), str) else "")
                for _, r in c.iterrows()] for m, title in cols.items()}, index=c.router.rename("router"))
    print(f"\n##### RAG routing, Figure 6 ({d.name}; mean [95% CI] over {int(c.n_seeds.max())} seeds)\n")
    print(md(tab))


def main(folder: str) -> None:
    d = Path(folder)
    if (d / "table1.csv").exists():
        table1(d)
    if (d / "leaderboard.csv").exists():
        leaderboard(d)
        paper_claims(d)
        controls(d)
        judge(d)
    rag(d)


HEADER = """# Results

<!-- Written by `make results` (scripts/results_summary.py) from the committed CSVs; do not edit. -->

Every table below is printed by `python scripts/results_summary.py figures/<data>` from the CSVs
of a `make reproduce` run ({runs}). Intervals are 95% over the seeds, corrected for overlapping
splits (`docs/protocol.md`); a verdict says *above* or *below* only when the interval excludes 0.
On the simulated data the numbers describe the simulation, not the real models: they show that
the code reproduces the paper's analyses and where the simulated benchmark sits against the
paper. The Table 1 comparison and the figures' panels are one split (seed 0), as the paper's.
Embeddings (and so the router numbers) are byte-stable on one kind of CPU; on another instruction
set (e.g. AVX-512 against AVX2) MiniLM's float32 outputs differ in the last bits, which can move
router AIQs in the fourth decimal (`docs/testing.md`). The real rows' tables, from a run whose
CSVs are not committed, are in `docs/results-real.md`.
"""


def run_description(folders) -> str:
    parts = []
    for d in folders:
        f = next((d / n for n in ("leaderboard.csv", "fig6_aiq_ci.csv") if (d / n).exists()), None)
        if f is None:
            continue
        r = pd.read_csv(f, nrows=1, keep_default_na=False).iloc[0]
        parts.append(f"`{d}`: seeds {r['seeds']}, scale {r['scale']:g}, embedder {r['embedder']}")
    return "; ".join(parts)


def write_results(out: Path, folders=(Path("figures/sim"), Path("figures/rag-sim"))) -> str:
    """Render every folder's tables under one header into ``out``; returns the text written."""
    missing = [str(d) for d in folders if not d.is_dir()]
    if missing:
        raise SystemExit(f"results_summary: no such folder {', '.join(missing)}; run `make reproduce` first")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print(HEADER.format(runs=run_description(folders)))
        for d in folders:
            print(f"\n## `{d}`\n")
            main(str(d))
    text = buf.getvalue().rstrip() + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        print(f"wrote docs/results.md ({len(write_results(Path('docs/results.md'))):,} characters)")
