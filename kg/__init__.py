"""govkg: a knowledge graph of Chinese grassroots-governance concepts and the causal claims made about them.

    >>> import kg
    >>> g = kg.load()                      # the graph bundled with govkg, or kg.load("path/to/project")
    >>> len(g.claims) > 0
    True

See docs/api.md for a tour. The names below load on first use, so `import kg` (and `kg --help`)
stays light.
"""

import typing as _typing

from kg.errors import InputError, KGError, NameNotFound, Problem, QueryError
from kg.version import __version__

if _typing.TYPE_CHECKING:  # what __getattr__ hands out, for type checkers and editors
    from kg.api import Graph, LoadError, add_source, load

__all__ = ["Graph", "InputError", "KGError", "LoadError", "NameNotFound", "Problem", "QueryError", "__version__", "add_source",
           "load"]
_API = {"Graph", "LoadError", "add_source", "load"}


def __getattr__(name: str) -> _typing.Any:
    if name in _API:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)
