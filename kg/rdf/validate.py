"""Validating a project: loading problems, SHACL shapes, SPARQL quality checks, reproducible sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import Problem, problem
from kg.inputs.sources import check_against_seeds
from kg.inputs.turtle import line_of_subject, load_turtle
from kg.model.project import KG, load_kg
from kg.rdf.namespaces import GKC, GKCL, GKS, GKV, claim_id, concept_id, source_id

# Problems that leave a whole input file out of the graph.
INCOMPLETE = {
    "turtle-syntax", "encoding", "too-large", "too-deep", "bad-character", "ill-typed-literal", "literal-form", "missing-folder",
    "yaml-syntax", "yaml-alias", "yaml-tag", "yaml-merge", "file-shape", "io",
}


@dataclass
class ValidationReport:
    problems: list[Problem]
    kg: KG
    checks_run: list[str] = field(default_factory=list)
    seeds_checked: bool = False
    # What a curator should look at but that does not fail validation (near-duplicate concepts).
    warnings: list[Problem] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": [p.to_dict() for p in self.warnings],
            "checks": self.checks_run,
            "seeds_checked": self.seeds_checked,
            "counts": {"sources": len(self.kg.sources), "concepts": len(self.kg.concepts),
                       "claims": len(self.kg.claims), "chains": len(self.kg.chains)},
        }


def locate(kg: KG, node) -> tuple[Path, int | None]:
    """The file and line where a node of the compiled graph was written by hand."""
    iri = str(node)
    if iri.startswith(str(GKC)):
        c = kg.concepts.get(concept_id(iri))
        if c:
            return c.path, line_of_subject(c.path, f"gkc:{c.id}")
    if iri.startswith(str(GKCL)):
        cid = claim_id(iri).split("/")[0]
        stated = kg.claims.get(cid) or kg.chains.get(cid)
        if stated:
            return stated.path, stated.line
    if iri.startswith(str(GKS)):
        s = kg.sources.get(source_id(iri).split("#")[0])
        if s:
            return s.record_path, 1
    schema = kg.layout.ontology / "schema.ttl"
    if iri.startswith(str(GKV)):
        return schema, line_of_subject(schema, "gkv:" + iri[len(str(GKV)):])
    return schema, None


def shacl_results(data_graph, shapes_graph) -> list[tuple[str, object, str, object]]:
    """(shape name, focus node, message, value) for each SHACL violation; thinly wraps pyshacl.validate."""
    import pyshacl
    from rdflib.namespace import SH

    _, report, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph, inference="none", advanced=False, allow_warnings=True)
    results = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        shape = report.value(result, SH.sourceShape)
        name = str(shape).rsplit("#", 1)[-1] if shape is not None and "#" in str(shape) else "shape"
        message = report.value(result, SH.resultMessage) or "violates a shape"
        results.append((name, report.value(result, SH.focusNode), str(message), report.value(result, SH.value)))
    return results


def run_shacl(kg: KG, data_graph, problems: list[Problem]) -> None:
    from rdflib import Graph

    shape_triples = load_turtle(kg.layout.shapes, problems)
    if shape_triples is None:
        return
    shapes = Graph()
    for t in shape_triples:
        shapes.add(t)
    for name, focus, message, value in shacl_results(data_graph, shapes):
        path, line = locate(kg, focus)
        detail = f" (value: {value})" if value is not None else ""
        problems.append(problem(path, line, f"shacl:{name}", f"<{focus}>: {message}{detail}"))


def load_store(data_graph):
    """The graph in a pyoxigraph store, where the checks run."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(data_graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def check_rows(store, query: str) -> list[tuple[str, str]]:
    """(focus IRI, message) for each row a quality check returns; raises SyntaxError for a broken query."""
    return [(row["focus"].value, row["message"].value) for row in store.query(query)]


def run_checks(kg: KG, data_graph, problems: list[Problem]) -> list[str]:
    """Run every ontology/checks/*.rq; each must return no rows (ROBOT-report style).

    The checks run on pyoxigraph: some join every label with every other, which rdflib's
    SPARQL engine takes seconds over and Oxigraph milliseconds.
    """
    from rdflib import URIRef

    store = load_store(data_graph)
    names = []
    for rq in sorted(kg.layout.checks.glob("*.rq")):
        names.append(rq.stem)
        try:
            rows = check_rows(store, rq.read_text(encoding="utf-8"))
        except (SyntaxError, ValueError, OSError) as exc:  # a broken check is a problem in that file, not a crash
            problems.append(problem(rq, None, "check-error", f"the check query does not run: {exc}"))
            continue
        for focus, message in rows:
            path, line = locate(kg, URIRef(focus))
            problems.append(problem(path, line, f"check:{rq.stem}", f"<{focus}>: {message}"))
    return names


def validate(root: Path, check_seeds: bool | None = None, loaded: tuple | None = None) -> ValidationReport:
    """Everything `kg validate` checks. check_seeds=None checks the sources only if the seeds are there.

    `loaded` is `load_kg(root)`'s answer when the caller has it already (from the cache).
    """
    kg, problems = loaded if loaded is not None else load_kg(root)
    problems = list(problems)
    report = ValidationReport(problems, kg)
    from kg.model.similar import near_duplicate_concepts

    report.warnings = near_duplicate_concepts(kg)
    seeds = kg.layout.seeds
    if check_seeds or (check_seeds is None and seeds.is_dir()):

        problems.extend(check_against_seeds(kg.sources, seeds))
        report.seeds_checked = True
    if any(p.code in INCOMPLETE for p in problems):
        return report  # a whole file is missing from the graph: shape errors now would only repeat the cause
    from kg.rdf.dataset import union_graph

    data = union_graph(kg)
    run_shacl(kg, data, problems)
    report.checks_run = run_checks(kg, data, problems)
    report.problems = sorted(set(problems))
    return report
