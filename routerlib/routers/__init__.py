"""Routers: one module per family, one registry by name.

| name | class | module | paper |
|---|---|---|---|
(filled in as routers are added; see ``ROUTERS``)
"""

from .base import Router

ROUTERS: dict[str, type] = {}

__all__ = ["Router", "ROUTERS"]
