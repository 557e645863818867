"""routerlib: the helper package of the RouterBench reproduction.

Where things live (one module per concern):

* ``hull``      -- NDCH, interpolation/extrapolation, AIQ (paper section 3)
* ``data``      -- RoutingData, the RouterBench loader, ``load()`` for notebooks
* ``simulate``  -- the embedded simulated benchmark (and the simulated RAG set)
* ``paper``     -- numbers printed in the paper (Table 1, AIQ values), for comparison
* ``embed``     -- prompt embeddings with an on-disk cache
* ``routers/``  -- one module per router family, registry ``routers.ROUTERS``
* ``evaluate``  -- willingness-to-pay / cost-cap sweeps -> tidy tables, AIQ per router
* ``metrics``   -- summary metrics over systems
* ``plots``     -- one style, one ``savefig``
* ``figures_cascade`` -- figure and table code shared by notebooks 06-08 (cascades, RAG)
* ``paths``     -- project paths
"""

__version__ = "0.1.0"
