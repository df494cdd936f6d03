"""A mapping whose keys are known at once and whose values are read on first need (the model's claims, chains and concepts)."""

from __future__ import annotations

from collections.abc import Mapping


class OnDemand(Mapping):
    """Keys from a small table, values loaded when asked for; `loaded()` gives every value by key (what `values`, `items` and
    equality read, so only a caller that wants them all pays for them)."""

    def loaded(self) -> dict:
        raise NotImplementedError

    def values(self):
        return self.loaded().values()

    def items(self):
        return self.loaded().items()

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]
