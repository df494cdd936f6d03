"""The IRIs govkg mints, under one base, and the standard vocabularies it uses."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/govkg/"
GKV = Namespace(BASE + "vocab#")
GKC = Namespace(BASE + "concept/")
GKCL = Namespace(BASE + "claim/")
GKS = Namespace(BASE + "source/")
GKW = Namespace(BASE + "work/")
GRAPH = Namespace(BASE + "graph/")  # named graphs: one per input file
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES = {
    "gkv": GKV, "gkc": GKC, "gkcl": GKCL, "gks": GKS, "gkw": GKW,
    "skos": SKOS, "prov": PROV, "dcterms": DCTERMS, "oa": OA,
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
}

CONCEPT_CLASSES = ("Actor", "Incentive", "Mechanism", "Outcome", "Condition", "Intervention")


def concept_id(iri: str) -> str:
    """The short id of a concept IRI (the part after concept/)."""
    return str(iri)[len(str(GKC)):] if str(iri).startswith(str(GKC)) else str(iri)


def claim_id(iri: str) -> str:
    return str(iri)[len(str(GKCL)):] if str(iri).startswith(str(GKCL)) else str(iri)


def source_id(iri: str) -> str:
    return str(iri)[len(str(GKS)):] if str(iri).startswith(str(GKS)) else str(iri)
