"""The IRIs govkg mints, under one base, and the standard vocabularies it uses: one table, as plain strings.

Every writer takes its IRIs from here: kg.rdf.namespaces wraps them as rdflib Namespaces, the
N-Quads emitter and the SPARQL prefixes use the strings, and nothing here imports rdflib.
"""

BASE = "https://w3id.org/govkg/"
GKV = BASE + "vocab#"
GKC = BASE + "concept/"
GKCL = BASE + "claim/"
GKS = BASE + "source/"
GKW = BASE + "work/"
GRAPH = BASE + "graph/"  # named graphs: one per input file
RELEASE = BASE + "release/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"

# The prefixes declared in every file govkg writes and predeclared in every SPARQL query.
PREFIXES = {
    "gkv": GKV, "gkc": GKC, "gkcl": GKCL, "gks": GKS, "gkw": GKW,
    "skos": SKOS, "prov": PROV, "dcterms": DCTERMS, "oa": OA,
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
}

CONCEPT_CLASSES = ("Actor", "Incentive", "Mechanism", "Outcome", "Condition", "Intervention")


def _local(iri: str, base: str) -> str:
    iri = str(iri)
    return iri[len(base):] if iri.startswith(base) else iri


def concept_id(iri: str) -> str:
    """The short id of a concept IRI (the part after concept/)."""
    return _local(iri, GKC)


def claim_id(iri: str) -> str:
    return _local(iri, GKCL)


def source_id(iri: str) -> str:
    return _local(iri, GKS)


def release_iri(version: str) -> str:
    """The IRI of a release: <release/VERSION>, the page `kg release` writes and citations name."""
    return f"{RELEASE}{version}"
