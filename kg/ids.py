"""The one pattern every id and input file name must fit, and the check every IRI passes before it is written."""

from __future__ import annotations

import re

# Claim, chain, source and work ids: they become IRIs (gkcl:<id>, gks:<id>, gkw:<id>) as they are.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Input file names: they become graph IRIs (https://w3id.org/govkg/graph/<folder>/<name>) as they are.
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# What an IRI may not hold (the IRIREF production of Turtle, SPARQL and N-Quads): a space, a line
# break or a '>' pasted into one ends it and starts a triple of the writer's choosing.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')


def file_name_message(name: str) -> str | None:
    """Why an input file's name cannot be used, or None."""
    if FILE_NAME.match(name):
        return None
    return (f"the file name {name!r} may hold only letters, digits, '.', '_' and '-' (no spaces or other marks), "
            "since it names the file's graph: rename the file")


def check_iri(iri: str) -> str:
    """The IRI, if it can be written between < and > as it is; ValueError otherwise (a bug: ids are checked on loading)."""
    bad = _NOT_IN_IRI.search(iri)
    if bad:
        raise ValueError(f"refusing to write the IRI {iri!r}: it holds {bad.group()!r}")
    return iri
