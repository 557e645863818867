"""routerlib: the helper package of the RouterBench reproduction.

Layers, bottom to top; each module imports only from the layers below it:

1. ``paths`` (project paths), ``paper`` (every number the paper prints; the one MODELS and
   DATASETS list), ``seeds`` (seed mixing), ``hull`` (NDCH, interpolation, AIQ; numpy only)
2. ``data/`` -- RoutingData, table files (named read errors, pickles only when pinned or trusted),
   the checks every format shares, the wide and long formats, the hub download, the simulated
   RouterBench and RAG set, ``load()`` the one dispatcher (and ``check_source``, the run's arguments)
3. ``embed/`` -- prompt views, embedders (MiniLM, TF-IDF) and the on-disk cache
4. ``routers/`` -- one family per module, the common fit/route/knob contract, the registry ``ROUTERS``
5. ``metrics`` -- tables -> numbers (AIQ tables on one domain rule, summaries)
6. ``evaluate`` -- the protocols: one sweep over any router's knob, splits, selection on training rows
7. ``claims`` -- the paper's statements measured against our results (what notebooks print and check)
8. ``plots/`` -- one style, the panels, each figure drawn from its saved CSVs (draws only; no computation)
"""

__version__ = "0.1.0"
