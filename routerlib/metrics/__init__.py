"""Tables -> numbers: AIQ tables, statistics over seeds, the follow-up benchmark's metrics, summaries.

* :mod:`.aiq` -- AIQ per dataset and system on one domain rule, both conventions, held-out AIQ
* :mod:`.stats` -- means with (corrected) confidence intervals over seeds, paired differences, verdicts
* :mod:`.followup` -- AvgAcc, Gain@R/B, Gap@O, PerfGain, CostSave, ParetoDist, model recall, APGR, CPT
* :mod:`.summaries` -- Table 1 / Figure 3 / Figure 7 / Figure 2 numbers (no router involved)
"""

from .aiq import aiq_table, aiq_wide, aiq_wide_both, heldout_aiq, vs_zero
from .stats import ci_table, mean_ci, paired_differences, summarize, verdict
from .summaries import full_size_summary, hull_demo_table, oracle_selection

__all__ = ["aiq_table", "aiq_wide", "aiq_wide_both", "heldout_aiq", "vs_zero", "ci_table", "mean_ci", "paired_differences",
           "summarize", "verdict", "full_size_summary", "hull_demo_table", "oracle_selection"]
