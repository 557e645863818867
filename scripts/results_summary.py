"""Print the README's result tables (markdown) from the CSVs a `make reproduce` run wrote.

    python scripts/results_summary.py figures/sim
    python scripts/results_summary.py figures/routerbench_5shot_arc_winogrande_mbpp
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from routerlib.paper import PAPER_AIQ


def md(df: pd.DataFrame, digits: int = 3) -> str:
    df = df.round(digits)
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join([df.index.name or ""] + cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for idx, row in df.iterrows():
        lines.append("| " + " | ".join([str(idx)] + ["" if pd.isna(v) else f"{v:g}" for v in row]) + " |")
    return "\n".join(lines)


def main(folder: str) -> None:
    d = Path(folder)
    t1 = pd.read_csv(d / "table1.csv")
    models = t1[t1.model != "oracle"]
    orc = t1[t1.model == "oracle"].set_index("dataset")
    tab = pd.DataFrame({
        "max abs quality diff (whole data)": models.groupby("dataset").d_quality_all.apply(lambda s: s.abs().max()),
        "max abs quality diff (30% test)": models.groupby("dataset").d_quality_test.apply(lambda s: s.abs().max()),
        "cost ratio, median (test/paper)": models.groupby("dataset").cost_ratio.median(),
        "Oracle quality (test)": orc.quality_test,
        "Oracle quality (paper)": orc.quality_paper,
        "Oracle cost (test)": orc.cost_test,
        "Oracle cost (paper)": orc.cost_paper,
    })
    tab.index.name = "dataset"
    print(f"##### Table 1 against the paper ({d.name})\n")
    print(md(tab))
    if (d / "fig4_aiq.csv").exists():
        a = pd.read_csv(d / "fig4_aiq.csv").set_index("dataset")
        a = a[[c for c in ("zero", "knn", "mlp", "svm") if c in a.columns]]
        paper = pd.DataFrame([{k: PAPER_AIQ.get(k) for k in a.columns}], index=["paper (average, public code)"])
        print(f"\n##### Figure 4: AIQ of the predictive routers ({d.name}; paper convention; paper's values for reference)\n")
        print(md(pd.concat([a, paper]).astype(float).rename_axis("dataset")))
    parts = [pd.read_csv(d / f) for f in ("fig5_aiq.csv", "fig8_aiq.csv") if (d / f).exists()]
    if parts:
        c = pd.concat(parts, ignore_index=True)
        cas = c[(c.system == "cascade") & (c.variant == "paper")]
        piv = cas.pivot_table(index="dataset", columns="error_rate", values="aiq")
        piv.columns = [f"eps={e:g}" for e in piv.columns]
        zero = c[c.system == "zero"].groupby("dataset").aiq.first()
        oracle = c[c.system == "oracle"].groupby("dataset").aiq.first()
        piv.insert(0, "Oracle", oracle)
        piv.insert(0, "Zero", zero)
        print(f"\n##### Figures 5 and 8: AIQ of the cascade (paper variant) per judge error rate ({d.name})\n")
        print(md(piv.rename_axis("dataset")))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "figures/sim")
