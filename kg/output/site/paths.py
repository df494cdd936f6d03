"""Where each IRI under https://w3id.org/govkg/ lives in the site: one path per resource, the same path as the IRI.

`concept/<id>` is served by `concept/<id>.html` (and `.ttl`, `.jsonld` beside it); an IRI below a
resource (`claim/<id>/evidence/target-1`) or with a fragment (`source/<id>#container`, `vocab#cause`)
belongs to the resource it names first. The concept scheme `concept/` is `concept/index.html`.
"""

from __future__ import annotations

from typing import NamedTuple

from kg.iris import BASE

KINDS = ("concept", "claim", "source", "work", "release")


class Resource(NamedTuple):
    """A page of the site: its kind (concept, claim, source, work, release, scheme, vocab, home) and id."""

    kind: str
    id: str

    @property
    def path(self) -> str:
        """The page's path in the site without a suffix: the IRI's path under the base."""
        if self.kind == "home":
            return "index"
        if self.kind == "vocab":
            return "vocab"
        if self.kind == "scheme":
            return f"{self.id}/index"
        return f"{self.kind}/{self.id}"

    @property
    def iri(self) -> str:
        if self.kind == "home":
            return BASE
        if self.kind == "vocab":
            return BASE + "vocab#"
        if self.kind == "scheme":
            return f"{BASE}{self.id}/"
        return f"{BASE}{self.kind}/{self.id}"


def resource_of(iri: str) -> Resource | None:
    """The resource whose page describes `iri`, or None for an IRI outside govkg's (or a named graph's)."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE):].split("#", 1)[0]
    kind, _, tail = rest.partition("/")
    if kind == "vocab":
        return Resource("vocab", "")
    if kind not in KINDS:
        return Resource("home", "") if not rest else None
    head = tail.split("/", 1)[0]
    return Resource(kind, head) if head else Resource("scheme", kind)


def href(here: Resource, there: Resource, suffix: str = ".html", fragment: str = "") -> str:
    """A relative link from one page to another, so the site works under any folder and from disk."""
    folder, _, _ = here.path.rpartition("/")
    there_folder, _, name = there.path.rpartition("/")
    target = f"{name}{suffix}" if folder == there_folder else "../" * here.path.count("/") + there.path + suffix
    return target + (f"#{fragment}" if fragment else "")
