"""The optional parts of routerlib, the packages each needs, and the error when they are missing.

``pip install routerlib`` installs the core: loading, simulating, the hull and AIQ, every router,
the protocol, the plots, and the embedders that need nothing more (``tfidf``, ``features``).
The heavy parts are extras, declared in ``pyproject.toml``:

* ``embed`` -- ``EMBEDDER=minilm`` (sentence-transformers on torch, the bundled MiniLM-L6) and
  ``minilm-static`` (model2vec's distillation of it);
* ``cluster`` -- ``SCHEDULER=local:N`` or ``tcp://host:port`` (Dask: :mod:`routerlib.scheduler`);
* ``notebooks`` -- executing and checking the numbered notebooks (papermill, nbval, jupytext, JupyterLab);
* ``test`` -- pytest and hypothesis.

:func:`require` checks that modules can be imported, without importing them (torch takes
seconds), and raises :class:`MissingExtra` naming the ``pip install`` command that adds them.

>>> require("numpy", extra="embed", what="this doctest")
>>> install_command("embed")
'pip install "routerlib[embed]"'
"""

from __future__ import annotations

import importlib.util

__all__ = ["MissingExtra", "install_command", "missing", "require"]

_find_spec = importlib.util.find_spec  # one name to look modules up by (tests hide a module through it)


class MissingExtra(ImportError):
    """Packages an optional part of routerlib needs are not installed; the message says how to add them."""


def install_command(extra: str) -> str:
    """The command that installs ``extra`` of routerlib (the quotes keep shells from globbing the brackets)."""
    return f'pip install "routerlib[{extra}]"'


def missing(*modules: str) -> list[str]:
    """The top-level modules among ``modules`` that cannot be imported here (none is imported)."""
    out = []
    for m in modules:
        try:
            found = _find_spec(m) is not None
        except (ImportError, ValueError):  # a parent package that fails, or a module without a spec
            found = False
        if not found:
            out.append(m)
    return out


def require(*modules: str, extra: str, what: str, hint: str = "") -> None:
    """Raise :class:`MissingExtra` when one of ``modules`` cannot be imported.

    Parameters
    ----------
    modules : str
        Top-level module names (``"torch"``, ``"sentence_transformers"``).
    extra : str
        The extra of routerlib that installs them (``"embed"``).
    what : str
        What needs them, for the message (``"embedder 'minilm'"``).
    hint : str
        A sentence added to the message (e.g. what works without the extra).
    """
    lacking = missing(*modules)
    if lacking:
        raise MissingExtra(
            f"{what} needs {', '.join(lacking)}, which {'is' if len(lacking) == 1 else 'are'} not installed here; "
            f"install routerlib's {extra!r} extra: {install_command(extra)} (in a checkout: make install)"
            + (f". {hint}" if hint else ""))
