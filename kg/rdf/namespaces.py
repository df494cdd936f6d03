"""kg.iris as rdflib Namespaces, for the code that builds rdflib graphs (SHACL, the in-memory dataset)."""

from rdflib import Namespace

from kg import iris
from kg.iris import CONCEPT_CLASSES, claim_id, concept_id, source_id  # noqa: F401  (one import for rdflib code)

GKV = Namespace(iris.GKV)
GKC = Namespace(iris.GKC)
GKCL = Namespace(iris.GKCL)
GKS = Namespace(iris.GKS)
GKW = Namespace(iris.GKW)
GRAPH = Namespace(iris.GRAPH)
OA = Namespace(iris.OA)
SH = Namespace(iris.SH)
PREFIXES = {prefix: Namespace(iri) for prefix, iri in iris.PREFIXES.items()}
