"""SHACL Core, the part govkg's shapes use, over the emitter's plain triples: pySHACL's results, without rdflib.

pySHACL builds an rdflib graph of every unit and walks it term object by term object: half of a cold
build. The constraints ontology/shapes.ttl uses are few (targets by class or by a property, paths of
IRIs, sequences and alternatives, sh:class, sh:datatype, counts, sh:in, languages, sh:not, sh:or,
qualified counts, numeric ranges), so `Shapes` evaluates them on dictionaries of the unit's triples,
giving what `kg.rdf.validate.unit_results` takes from pySHACL's report: (shape name, focus node,
message, value) for each violation. Where pySHACL's behaviour differs from the SHACL text it is
followed (sh:languageIn matches a tag or its first subtag; sh:uniqueLang reports no value).

Anything else — a constraint component not listed here, a shape without exactly one sh:message,
a shape that is also a class, a value it cannot compare exactly — raises `Unsupported`, and the
caller validates with pySHACL as before. tests/test_shacl_native.py runs both on the fixtures and on
broken graphs and compares the results.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from decimal import Decimal, InvalidOperation

from kg.iris import RDF, RDFS, XSD
from kg.rdf.emit import BNode, Lit, Term, Triple

SH = "http://www.w3.org/ns/shacl#"
TYPE, SUBCLASS, FIRST, REST, NIL = RDF + "type", RDFS + "subClassOf", RDF + "first", RDF + "rest", RDF + "nil"
# Terms of a shape that say nothing to validate (labels and documentation)
_QUIET = {RDF + "type", RDFS + "label", RDFS + "comment", SH + "name", SH + "description", SH + "order", SH + "group"}
# Constraint parameters the evaluator knows; any other sh: term on a shape makes the shapes Unsupported.
_PARAMS = {SH + n for n in ("class", "datatype", "nodeKind", "minCount", "maxCount", "in", "languageIn", "uniqueLang",
                            "not", "or", "and", "property", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
                            "minInclusive", "maxInclusive", "minExclusive", "maxExclusive")}
_SHAPE_TERMS = _PARAMS | {SH + n for n in ("targetClass", "targetSubjectsOf", "path", "message", "severity", "deactivated",
                                            "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")}
_NUMERIC = {XSD + n for n in ("integer", "decimal", "float", "double", "int", "long", "short", "byte", "nonNegativeInteger",
                              "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
                              "unsignedShort", "unsignedByte")}
_INTEGER = _NUMERIC - {XSD + "decimal", XSD + "float", XSD + "double"}
_KINDS = {SH + "IRI": "I", SH + "BlankNode": "B", SH + "Literal": "L", SH + "BlankNodeOrIRI": "BI",
          SH + "IRIOrLiteral": "IL", SH + "BlankNodeOrLiteral": "BL"}

Result = tuple[str, str, str, str | None]
_EMPTY: dict = {}


class Unsupported(Exception):
    """The shapes or the data ask for something this evaluator does not judge exactly: use pySHACL."""


def key(term: Term) -> str:
    """A term as pySHACL's report gives it as text: an IRI itself, a blank node its label, a literal its lexical form."""
    if isinstance(term, Lit):
        return term.value
    return term.label if isinstance(term, BNode) else term


class Graph:
    """A unit's triples indexed by subject and predicate, with the class hierarchy rdfs:subClassOf gives."""

    def __init__(self, triples: Iterable[Triple]):
        self.spo: dict[Term, dict[Term, dict[Term, None]]] = {}
        self.by_pred: dict[Term, dict[Term, None]] = {}
        for s, p, o in triples:
            self.spo.setdefault(s, {}).setdefault(p, {})[o] = None
            self.by_pred.setdefault(p, {})[s] = None
        self._supers: dict[Term, set[Term]] = {}
        self._classes: dict[Term, frozenset] = {}
        self._instances: dict[Term, list[Term]] | None = None

    def objects(self, s: Term, p: str) -> list[Term]:
        return list(self.spo.get(s, _EMPTY).get(p, ()))

    def classes(self, node: Term) -> frozenset:
        """Every class node is an instance of (its types and their superclasses), found once per node."""
        found = self._classes.get(node)
        if found is None:
            found = self._classes[node] = frozenset(c for t in self.spo.get(node, _EMPTY).get(TYPE, ()) for c in self.supers(t))
        return found

    def supers(self, cls: Term) -> set[Term]:
        """cls and every class it is a subclass of (rdfs:subClassOf*), as pySHACL's transitive_objects."""
        found = self._supers.get(cls)
        if found is None:
            found, todo = {cls}, [cls]
            while todo:
                for sup in self.objects(todo.pop(), SUBCLASS):
                    if sup not in found:
                        found.add(sup)
                        todo.append(sup)
            self._supers[cls] = found
        return found

    def is_instance(self, node: Term, cls: Term) -> bool:
        return not isinstance(node, Lit) and cls in self.classes(node)

    def instances(self, cls: Term) -> list[Term]:
        if self._instances is None:  # every class's instances, in one pass over the typed subjects
            self._instances = {}
            for s in self.by_pred.get(TYPE, ()):
                if not isinstance(s, Lit):
                    for c in self.classes(s):
                        self._instances.setdefault(c, []).append(s)
        return self._instances.get(cls, [])


class Shapes:
    """The shapes graph, read once into shapes and their constraints; `validate(triples)` gives the violations."""

    def __init__(self, triples: Iterable[Triple]):
        g = Graph(triples)
        self.g = g
        for s, props in g.spo.items():
            for p, objs in props.items():
                if isinstance(p, str) and p.startswith(SH) and p not in _SHAPE_TERMS:
                    raise Unsupported(f"{p} on {key(s)}")
                if p == TYPE and {RDFS + "Class", "http://www.w3.org/2002/07/owl#Class"} & set(objs):
                    raise Unsupported(f"{key(s)} is a shape and a class (implicit class target)")
                if p in _SHAPE_TERMS and len(objs) > 1 and p not in (SH + "targetClass", SH + "targetSubjectsOf", SH + "property", SH + "class"):
                    raise Unsupported(f"{key(s)} has {len(objs)} values of {p}")
        self._paths: dict[Term, tuple] = {}
        self._infos: dict[Term, tuple] = {}
        self._lists: dict[Term, list[Term]] = {}
        self._args: dict[tuple[Term, str], list[Term]] = {}
        self.targeted = [s for s in g.spo if g.objects(s, SH + "targetClass") or g.objects(s, SH + "targetSubjectsOf")]
        # The shapes whose violations are reported: the targeted ones and their sh:property shapes (those
        # inside sh:not, sh:or … only decide whether a value conforms).
        reporting, todo = set(self.targeted), list(self.targeted)
        while todo:
            for prop in g.objects(todo.pop(), SH + "property"):
                if prop not in reporting:
                    reporting.add(prop)
                    todo.append(prop)
        for s in reporting:
            if self._constraints(s) and len(g.objects(s, SH + "message")) != 1:
                raise Unsupported(f"{key(s)} has no single sh:message (pySHACL's own wording is not reproduced)")
        # Whether every result names the focus node it was validated for: no reporting shape with a path has sh:property
        # shapes (those judge the path's values as focus nodes of their own). Then a focus node's results are its own only.
        self.flat = not any(g.objects(s, SH + "path") and g.objects(s, SH + "property") for s in reporting)

    def _info(self, shape: Term) -> tuple:
        """What validating against a shape reads of it, found once: (active, reports violations, constraints, sh:property shapes, path, name, message)."""
        found = self._infos.get(shape)
        if found is None:
            g = self.g
            path = g.objects(shape, SH + "path")
            message = g.objects(shape, SH + "message")
            found = self._infos[shape] = (
                self._active(shape), self._violation(shape), self._constraints(shape), g.objects(shape, SH + "property"),
                self._path(path[0]) if path else None,
                shape.rsplit("#", 1)[-1] if isinstance(shape, str) and "#" in shape else "shape",
                (message[0].value if isinstance(message[0], Lit) else key(message[0])) if message else "")
        return found

    def _active(self, shape: Term) -> bool:
        found = self.g.objects(shape, SH + "deactivated")
        if found and found != [Lit("true", datatype=XSD + "boolean")] and found != [Lit("false", datatype=XSD + "boolean")]:
            raise Unsupported(f"sh:deactivated on {key(shape)} is not plain true or false")
        return found != [Lit("true", datatype=XSD + "boolean")]

    def _violation(self, shape: Term) -> bool:
        """Whether the shape's results are violations (kg.rdf.validate reports no others)."""
        return self.g.objects(shape, SH + "severity") in ([], [SH + "Violation"])

    def _constraints(self, shape: Term) -> list[str]:
        return [p for p in self.g.spo.get(shape, {}) if p in _PARAMS and p != SH + "property"]

    def _list(self, node: Term) -> list[Term]:
        found = self._lists.get(node)
        if found is None:
            found = self._lists[node] = self._read_list(node)
        return found

    def _read_list(self, node: Term) -> list[Term]:
        out: list[Term] = []
        while node != NIL:
            first, rest = self.g.objects(node, FIRST), self.g.objects(node, REST)
            if len(first) != 1 or len(rest) != 1 or len(out) > 10_000:
                raise Unsupported(f"a malformed RDF list at {key(node)}")
            out.append(first[0])
            node = rest[0]
        return out

    def _path(self, node: Term) -> tuple:
        found = self._paths.get(node)
        if found is not None:
            return found
        g = self.g
        if isinstance(node, str):
            found = ("p", node)
        elif g.objects(node, FIRST):
            found = ("seq", [self._path(n) for n in self._list(node)])
        elif g.objects(node, SH + "alternativePath"):
            found = ("alt", [self._path(n) for n in self._list(g.objects(node, SH + "alternativePath")[0])])
        else:
            kinds = [(k, g.objects(node, SH + name)) for k, name in (("*", "zeroOrMorePath"), ("+", "oneOrMorePath"), ("?", "zeroOrOnePath"))]
            kinds = [(k, v) for k, v in kinds if v]
            if len(kinds) != 1 or len(kinds[0][1]) != 1:
                raise Unsupported(f"a path at {key(node)}")
            found = (kinds[0][0], self._path(kinds[0][1][0]))
        self._paths[node] = found
        return found

    # --- evaluation -------------------------------------------------------------------------------

    def validate(self, triples: Iterable[Triple], own: Collection[str] | None = None) -> list[Result]:
        """(shape name, focus, message, value) for each violation, as kg.rdf.validate.shacl_results gives them as text.

        `own`: only the results whose focus is one of these (as `key` gives it) are asked for: when every result names
        the focus it was validated for (`flat`), no other target is validated (a unit's nodes of other units, which are
        there for their types, are hundreds of concepts a claim file)."""
        data = Graph(triples)
        skip = own is not None and self.flat
        out: dict[Result, None] = {}
        for shape in self.targeted:
            focus: dict[Term, None] = {}
            for cls in self.g.objects(shape, SH + "targetClass"):
                focus.update(dict.fromkeys(data.instances(cls)))
            for p in self.g.objects(shape, SH + "targetSubjectsOf"):
                focus.update(dict.fromkeys(data.by_pred.get(p, ())))
            for f in focus:
                if skip and key(f) not in own:  # type: ignore[operator]
                    continue
                self._check(shape, f, data, out)
        return list(out) if own is None else [r for r in out if r[1] in own]

    def _values(self, path: tuple, node: Term, data: Graph) -> list[Term]:
        kind, arg = path
        if kind == "p":
            return data.objects(node, arg)
        if kind == "seq":
            nodes = [node]
            for step in arg:
                nodes = list(dict.fromkeys(v for n in nodes for v in self._values(step, n, data)))
            return nodes
        if kind == "alt":
            return list(dict.fromkeys(v for step in arg for v in self._values(step, node, data)))
        seen: dict[Term, None] = {node: None} if kind in "*?" else {}
        todo = [node]
        while todo:
            for v in self._values(arg, todo.pop(), data):
                if v not in seen:
                    seen[v] = None
                    if kind != "?":
                        todo.append(v)
        return list(seen)

    def _check(self, shape: Term, focus: Term, data: Graph, out: dict[Result, None]) -> None:
        """Validate focus against a reporting shape: its own violations and those of its sh:property shapes."""
        active, violation, constraints, props, path, name, text = self._info(shape)
        if not active:
            return
        values = self._values(path, focus, data) if path else [focus]
        if violation:
            for p in constraints:
                for v in self._violations(shape, p, values, data):
                    out[(name, key(focus), text, None if v is None else key(v))] = None
        for prop in props:
            for v in values:
                self._check(prop, v, data, out)

    def conforms(self, node: Term, shape: Term, data: Graph) -> bool:
        active, _, constraints, props, path, _, _ = self._info(shape)
        if not active:
            return True
        values = self._values(path, node, data) if path else [node]
        if any(self._violations(shape, p, values, data) for p in constraints):
            return False
        return all(self.conforms(v, prop, data) for prop in props for v in values)

    def _violations(self, shape: Term, param: str, values: list[Term], data: Graph) -> list[Term | None]:
        """The value nodes that break one constraint (None for a count that is wrong)."""
        g, name = self.g, param[len(SH):]
        arg = self._args.get((shape, param))
        if arg is None:
            arg = self._args[(shape, param)] = g.objects(shape, param)
        if name == "class":
            return [v for cls in arg for v in values if not data.is_instance(v, cls)]
        one = arg[0]
        if name == "datatype":
            return [v for v in values if not _has_datatype(v, one)]
        if name == "nodeKind":
            kinds = _KINDS.get(one) if isinstance(one, str) else None
            if kinds is None:
                raise Unsupported(f"sh:nodeKind {key(one)}")
            return [v for v in values if _kind(v) not in kinds]
        if name in ("minCount", "maxCount"):
            n = _int(one)
            return [None] if (len(values) < n if name == "minCount" else len(values) > n) else []
        if name == "in":
            allowed = self._list(one)
            return [v for v in values if v not in allowed]
        if name == "languageIn":
            langs = {_string(x).lower() for x in self._list(one)}
            return [v for v in values if not _lang_in(v, langs)]
        if name == "uniqueLang":
            if one != Lit("true", datatype=XSD + "boolean"):
                if one == Lit("false", datatype=XSD + "boolean"):
                    return []
                raise Unsupported("sh:uniqueLang other than true or false")
            seen: set[str] = set()
            dup: dict[str, None] = {}
            for v in values:
                if isinstance(v, Lit) and v.lang:
                    (dup.__setitem__(v.lang.lower(), None) if v.lang.lower() in seen else seen.add(v.lang.lower()))
            return [None] * len(dup)
        if name == "not":
            return [v for v in values if self.conforms(v, one, data)]
        if name == "or":
            members = self._list(one)
            return [v for v in values if not any(self.conforms(v, s, data) for s in members)]
        if name == "and":
            members = self._list(one)
            return [v for v in values if not all(self.conforms(v, s, data) for s in members)]
        if name == "qualifiedValueShape":
            if g.objects(shape, SH + "qualifiedValueShapesDisjoint"):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            count = sum(1 for v in values if self.conforms(v, one, data))
            low, high = g.objects(shape, SH + "qualifiedMinCount"), g.objects(shape, SH + "qualifiedMaxCount")
            return [None] * ((bool(low) and count < _int(low[0])) + (bool(high) and count > _int(high[0])))
        if name in ("qualifiedMinCount", "qualifiedMaxCount"):
            if not g.objects(shape, SH + "qualifiedValueShape"):
                raise Unsupported(f"sh:{name} without sh:qualifiedValueShape")
            return []  # judged with sh:qualifiedValueShape
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            bound = _number(one)
            if bound is None:
                raise Unsupported(f"sh:{name} of a value that is not a number")
            return [v for v in values if not _in_range(name, v, bound)]
        raise Unsupported(param)


@functools.lru_cache(maxsize=256)
def _int(term: Term) -> int:
    if isinstance(term, Lit) and term.datatype in _INTEGER:
        return int(term.value)
    raise Unsupported(f"a count that is not an integer: {key(term)}")


def _string(term: Term) -> str:
    if isinstance(term, Lit) and not term.lang and term.datatype in ("", XSD + "string"):
        return term.value
    raise Unsupported(f"a language that is not a string: {key(term)}")


def _kind(v: Term) -> str:
    return "L" if isinstance(v, Lit) else "B" if isinstance(v, BNode) else "I"


def _lang_in(v: Term, langs: set[str]) -> bool:
    """pySHACL's sh:languageIn: the tag, or its first subtag, is one of the list (lowercased); '*' admits any tag."""
    if not isinstance(v, Lit) or not v.lang:
        return False
    return "*" in langs or v.lang.lower() in langs or v.lang.split("-")[0].lower() in langs


def _has_datatype(v: Term, dt: Term) -> bool:
    """pySHACL's sh:datatype, on literals the loader has checked are well-typed (kg.inputs.turtle refuses others)."""
    if not isinstance(v, Lit):
        return False
    if dt == RDFS + "Literal":
        return True
    if v.datatype and v.datatype == dt:
        if dt in _NUMERIC or dt in (XSD + "string", XSD + "boolean", XSD + "date", XSD + "dateTime", XSD + "time"):
            return True
        raise Unsupported(f"sh:datatype {key(dt)}")  # pySHACL's test of other datatypes is not reproduced
    if dt == RDFS + "Datatype":
        return bool(v.datatype)
    if dt == XSD + "string":
        return not v.datatype and not v.lang
    if dt == RDF + "langString":
        return bool(v.lang)
    return False


def _number(term: Term) -> Decimal | None:
    if isinstance(term, Lit) and term.datatype in _NUMERIC:
        try:
            return Decimal(term.value.strip())
        except InvalidOperation:
            return None
    return None


def _in_range(name: str, v: Term, bound: Decimal) -> bool:
    if not isinstance(v, Lit):
        return False
    if not v.datatype and not v.lang or v.datatype == XSD + "string" or v.lang:
        return False  # a string against a number: pySHACL lets neither pass
    n = _number(v)
    if n is None or not n.is_finite():
        raise Unsupported(f"a comparison of {v.value!r}^^{v.datatype}")
    return {"minInclusive": n >= bound, "maxInclusive": n <= bound, "minExclusive": n > bound, "maxExclusive": n < bound}[name]
