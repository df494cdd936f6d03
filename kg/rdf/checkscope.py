"""What of the graph a quality check (ontology/checks/*.rq) can read, so that it runs on each named graph's small slice instead of the whole graph.

A SPARQL query's rows depend on the data only through the triples that match its triple patterns
(each alone, variables as wildcards): run on any part of the graph that holds those triples, it
gives the same rows. `scope` reads a query (rdflib's SPARQL parser and algebra) and says, for each
of its triple patterns, which triples can matter, more narrowly where the query itself says so:
- a variable that a FILTER's top-level conjunct STRSTARTS(STR(?v), "…") holds to a prefix, or a
  VALUES table joined with the pattern holds to a set of IRIs, matters only with those values in
  the patterns that the filter's or join's solutions are made of (never through OPTIONAL's or
  MINUS's right side, an aggregate, or a subquery); inside the filter's own [NOT] EXISTS, where
  the variable is already bound, too;
- a variable used once in the whole query text and never projected is no part of any row: of the
  triples that match such a pattern, one for each value of its other positions is enough (the
  rows are then the same set, not the same multiset; the caller keeps a set of problems). Not in a
  query with an aggregate (COUNT counts the triples), LIMIT or OFFSET.
Whatever it does not understand (GRAPH, SERVICE, FROM,
LIMIT, zero-length paths (`*`, `?`: they match the graph's nodes), any other algebra node) gives None: that query runs on the whole graph.

`slice_lines` keeps of one named graph's record (kg.rdf.graphs) the N-Triples lines the scopes of
every check need, and `SliceCache` keeps them by the record's digest: after one edit only the
edited file's slice is made again, and the checks load the union of the slices (the ontology, a
few lines per claim file) rather than the whole graph. tests/test_checks.py compares every check's
rows both ways on the real graph and on projects with faults planted.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator

from kg.atomic import KeptPickles

FORMAT = 1

# A position of a pattern: ("const", N-Triples form), ("in", frozenset of N-Triples forms),
# ("prefix", text the value starts with), ("free",) any value, ("hidden",) any value, not seen.
Position = tuple
Pattern = tuple[Position, Position, Position]
FREE: Position = ("free",)
HIDDEN: Position = ("hidden",)


class Unsupported(Exception):
    """A part of a query this module does not reason about: the query runs on the whole graph."""


def scope(query: str) -> list[Pattern] | None:
    """The patterns whose matching triples the query's rows depend on (see the module docstring), or None."""
    try:
        from rdflib.plugins.sparql import prepareQuery

        algebra = prepareQuery(query).algebra
    except Exception:  # a query rdflib cannot read: the whole graph (and pyoxigraph says what is wrong)
        return None
    try:
        return _Scope(query, algebra).patterns
    except Unsupported:
        return None
    except Exception:  # an algebra shape not foreseen: the whole graph, never a wrong slice
        return None


class _Scope:
    def __init__(self, text: str, algebra):
        if getattr(algebra, "datasetClause", None):
            raise Unsupported("FROM")
        self.text = text
        self.projected: set[str] = set()
        self.collapse = True
        self._survey(algebra)
        total = _count(algebra)
        # how often each variable occurs where the pattern being walked sits (see _walk's Union): never fewer than the text says
        self.uses = Counter({v: max(n, self._in_text(v)) for v, n in total.items()})
        self.patterns: list[Pattern] = []
        self._walk(algebra.p, {})
        self.patterns = list(dict.fromkeys(self.patterns))

    def _survey(self, node) -> None:
        """Projected variables anywhere, and whether the query aggregates or slices (no collapsing then)."""
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(node, CompValue):
            if node.name in ("Group", "AggregateJoin") or node.name.startswith("Aggregate_"):
                self.collapse = False
            if node.name == "Slice":
                raise Unsupported("LIMIT/OFFSET")
            if node.name in ("Graph", "ServiceGraphPattern", "GraphGraphPattern", "ServiceGraphPatternSub"):
                raise Unsupported(node.name)
            for var in node.get("PV") or ():
                self.projected.add(str(var))
            for value in node.values():
                self._survey(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                self._survey(value)
        elif isinstance(node, dict):
            for value in node.values():
                self._survey(value)

    def _in_text(self, name: str) -> int:
        return len(re.findall(rf"[?$]{re.escape(name)}(?![\w\u00B7\u0300-\u036F\u203F-\u2040])", self.text))

    def _hidden(self, var) -> bool:
        name = str(var)
        return self.collapse and name not in self.projected and self.uses[name] <= 1

    # --- the patterns ----------------------------------------------------------------------

    def _position(self, term, cons: dict) -> Position:
        from rdflib import URIRef, Variable

        if isinstance(term, Variable):
            if str(term) in cons:
                return cons[str(term)]
            return HIDDEN if self._hidden(term) else FREE
        if isinstance(term, URIRef):
            return ("const", f"<{term}>")
        return FREE  # a literal (rdflib may rewrite its lexical form) or a blank node: any value

    def _triple(self, s, p, o, cons: dict) -> None:
        from rdflib.paths import AlternativePath, InvPath, Path

        if isinstance(p, AlternativePath):  # the union of one pattern per branch, between the same ends
            for arg in p.args:
                self._triple(s, arg, o, cons)
        elif isinstance(p, InvPath):
            self._triple(o, p.arg, s, cons)
        elif isinstance(p, Path):
            for pred in self._predicates(p, s, o):
                self.patterns.append((FREE, pred, FREE))
        else:
            self.patterns.append((self._position(s, cons), self._position(p, cons), self._position(o, cons)))

    def _predicates(self, path, s, o) -> list[Position]:
        """The predicates a property path can follow (its ends kept free: never narrowed, never collapsed)."""
        from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

        if isinstance(path, MulPath):
            if path.mod in ("*", "?"):  # a zero-length path matches a node of the graph: which nodes there are
                raise Unsupported("zero-length path")
            return self._predicates(path.path, None, None)
        if isinstance(path, (AlternativePath, SequencePath)):
            return [p for arg in path.args for p in self._predicates(arg, None, None)]
        if isinstance(path, InvPath):
            return self._predicates(path.arg, None, None)
        if isinstance(path, NegatedPath):
            return [FREE]
        if isinstance(path, str):  # an IRI
            return [("const", f"<{path}>")]
        raise Unsupported(type(path).__name__)

    # --- the algebra -----------------------------------------------------------------------

    def _walk(self, node, cons: dict) -> None:
        """Collect the patterns under `node`; `cons`: what every solution that counts holds each variable to (see the module docstring)."""
        name = node.name
        slots: dict = {}  # each sub-pattern and the constraints it is walked with
        if name in ("BGP", "TriplesBlock"):
            for s, p, o in node.triples:
                self._triple(s, p, o, cons)
        elif name == "Filter":
            own = _prefixes(node.expr)
            slots["p"] = {**cons, **own}
            bound = {**_guarantees(node.p), **own}
            for expr in _conjuncts(node.expr):
                self._expression(expr, bound if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS") else {})
        elif name == "Join":
            slots = {"p1": {**cons, **_guarantees(node.p2)}, "p2": {**cons, **_guarantees(node.p1)}}
        elif name == "Union":
            # A variable that occurs only in the two branches is two variables: a solution of one never meets the other's.
            here, counts = self.uses, (_count(node.p1), _count(node.p2))
            for branch, mine in zip((node.p1, node.p2), counts, strict=True):
                self.uses = Counter(here)
                for v in set(counts[0]) | set(counts[1]):
                    if here[v] == counts[0][v] + counts[1][v]:
                        self.uses[v] = mine[v]
                self._walk(branch, cons)
            self.uses = here
            return
        elif name in ("LeftJoin", "Minus"):
            slots = {"p1": cons, "p2": {}}
        elif name in ("Extend", "Distinct", "Reduced", "OrderBy"):
            slots["p"] = cons
        elif name in ("Project", "Group", "AggregateJoin", "ToMultiSet"):  # a subquery's own scope, or grouped rows: nothing narrowed below
            slots["p"] = {}
        elif name == "values":
            return
        elif name == "GroupGraphPatternSub":
            from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

            self._walk(translateGroupGraphPattern(node), cons)
            return
        else:
            raise Unsupported(name)
        for key, sub in slots.items():
            self._walk(node[key], sub)
        for key, value in node.items():  # every [NOT] EXISTS elsewhere (BIND, ORDER BY, OPTIONAL's filter …): not narrowed
            if key not in slots and key not in ("triples", "expr") or (key == "expr" and name != "Filter"):
                self._expression(value, {})

    def _expression(self, expr, cons: dict) -> None:
        """The patterns of every [NOT] EXISTS in an expression."""
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(expr, CompValue):
            if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                self._walk(expr.graph, cons)
                return
            for value in expr.values():
                self._expression(value, {})
        elif isinstance(expr, (list, tuple)):
            for value in expr:
                self._expression(value, {})


def _count(node, out: Counter | None = None) -> Counter:
    """How often each variable occurs in an algebra (or raw pattern) tree: in triples, expressions, VALUES, projections."""
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    out = Counter() if out is None else out
    if isinstance(node, Variable):
        out[str(node)] += 1
    elif isinstance(node, CompValue):
        for key, value in node.items():
            if key != "_vars":  # rdflib's own summary of the variables below, not an occurrence
                _count(value, out)
    elif isinstance(node, dict):
        for key, value in node.items():
            _count(key, out)
            _count(value, out)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            _count(value, out)
    return out


def _conjuncts(expr) -> list:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(expr, CompValue) and expr.name == "ConditionalAndExpression":
        return [c for part in [expr.expr, *(expr.other or ())] for c in _conjuncts(part)]
    return [expr] if isinstance(expr, CompValue) else []


def _prefixes(expr) -> dict[str, Position]:
    """The variables a filter's top-level conjuncts STRSTARTS(STR(?v), "…" or STR(<iri>)) hold to a prefix."""
    from rdflib import Literal, URIRef, Variable

    out: dict[str, Position] = {}
    for c in _conjuncts(expr):
        if c.name != "Builtin_STRSTARTS":
            continue
        a, b = c.arg1, c.arg2
        if not (getattr(a, "name", None) == "Builtin_STR" and isinstance(a.arg, Variable)):
            continue
        if getattr(b, "name", None) == "Builtin_STR" and isinstance(b.arg, URIRef):
            out[str(a.arg)] = ("prefix", str(b.arg))
        elif isinstance(b, Literal) and b.language is None and b.datatype is None:
            out[str(a.arg)] = ("prefix", str(b))
    return out


def _guarantees_of_values(node) -> dict[str, Position]:
    """A VALUES table's variables bound in every row, each to a set of IRIs."""
    from rdflib import URIRef, Variable

    if node.name != "ToMultiSet" or node.p.name != "values":
        return {}
    rows = node.p.res
    out: dict[str, Position] = {}
    for var in {v for row in rows for v in row}:
        values = [row.get(var) for row in rows]
        if rows and isinstance(var, Variable) and all(isinstance(v, URIRef) for v in values):
            out[str(var)] = ("in", frozenset(f"<{v}>" for v in values))
    return out


def _guarantees(node) -> dict[str, Position]:
    """What every solution of `node` holds a variable to (bound, with that value): for a filter's [NOT] EXISTS, where it is substituted."""
    name = node.name
    if name == "ToMultiSet":
        return _guarantees_of_values(node)
    if name == "Join":
        return {**_guarantees(node.p2), **_guarantees(node.p1)}
    if name == "Filter":
        return {**_guarantees(node.p), **_prefixes(node.expr)}
    if name in ("Extend", "Distinct", "Reduced", "OrderBy"):
        return _guarantees(node.p)
    if name in ("LeftJoin", "Minus"):
        return _guarantees(node.p1)
    return {}


# --- slices ------------------------------------------------------------------------------------


_ESCAPED = frozenset('\\"\n\r')


def _matches(pos: Position, form: bytes) -> bool:
    """Whether a term, in its N-Triples form, can stand at a position."""
    kind = pos[0]
    if kind == "const":
        return form == pos[1].encode("utf-8")
    if kind == "in":
        return form.decode("utf-8") in pos[1]
    if kind == "prefix":  # STR() of an IRI or a literal; a blank node has none
        prefix = pos[1]
        if form.startswith(b"<"):
            return form[1:].startswith(prefix.encode("utf-8"))
        if form.startswith(b'"'):  # a literal's escaped text starts with the prefix iff its text does, if the prefix has nothing to escape
            return not _ESCAPED.isdisjoint(prefix) or form[1:].startswith(prefix.encode("utf-8"))
        return False
    return True


def slice_lines(lines: bytes, graph: str, patterns: list[Pattern]) -> bytes:
    """The N-Triples lines of one named graph (its record's sorted N-Quads `lines`, kg.rdf.graphs) that some pattern needs:
    every match, or one per value of its seen positions.

    Subjects and predicates are IRIs or blank nodes, never with a space, so a line splits at its first two spaces.
    The lines of each predicate a pattern names are found by searching the text for it (`slice_by_search`); a
    pattern that names no predicate nor subject has every line looked at (`slice_by_line`): the same slice.
    """
    found = slice_by_search(lines, graph, patterns)
    return found if found is not None else slice_by_line(lines, graph, patterns)


_SAFE = re.compile(rb"[^ \n<>]*")  # text that may stand in a search for an IRI's start


def slice_by_search(lines: bytes, graph: str, patterns: list[Pattern]) -> bytes | None:
    """slice_lines by one search of the text (in C) for every predicate the patterns name, and one for each subject
    prefix or IRI a pattern of any predicate names; None when a pattern names neither (then every line is looked at).

    A line's subject has no space, so what follows its first space is its predicate (a name in a literal is never read as one).
    """
    tail = f" <{graph}> .".encode()
    names: set[bytes] = set()
    led: list[Pattern] = []  # patterns of any predicate, led by their subject
    for sp, pp, op in patterns:
        if pp[0] in ("const", "in"):
            names.update(x.encode("utf-8") for x in ([pp[1]] if pp[0] == "const" else pp[1]))
        elif pp[0] == "prefix" and _SAFE.fullmatch(pp[1].encode("utf-8")):
            # the IRIs between spaces that start with it (one in a literal finds no line below)
            names.update(re.findall(rb" (<" + re.escape(pp[1].encode("utf-8")) + rb"[^ \n>]*>) ", lines))
        elif sp[0] in ("const", "in", "prefix") and all(_SAFE.fullmatch(x.encode("utf-8").strip(b"<>"))
                                                         for x in ([sp[1]] if sp[0] != "in" else sp[1])):
            led.append((sp, pp, op))
        else:
            return None
    pairs: dict[bytes, list[tuple[bytes, bytes]]] = {}  # each predicate's (subject, object), in the order of the lines
    if names:  # each line (after a newline) whose predicate is one of them, in one pass
        alternatives = b"|".join(re.escape(n) for n in sorted(names))
        for s, p, o in re.findall(rb"\n([^ \n]++) (" + alternatives + rb") ([^\n]*)" + re.escape(tail) + rb"(?=\n)", b"\n" + lines):
            pairs.setdefault(p, []).append((s, o))
    kept: set[tuple[bytes, bytes, bytes]] = set()
    by_object: dict[bytes, dict[bytes, list[bytes]]] = {}
    for sp, pp, op in patterns:
        if (sp, pp, op) in led:
            firsts = sorted(x.encode("utf-8") + b" " for x in ([sp[1]] if sp[0] == "const" else sp[1])) if sp[0] != "prefix" \
                else [b"<" + sp[1].encode("utf-8")]
            text = b"\n" + lines
            found: dict[bytes, list[tuple[bytes, bytes]]] = {}
            for m in re.finditer(b"\n(?:" + b"|".join(re.escape(f) for f in firsts) + b")", text):
                s, p, rest = text[m.start() + 1 : text.find(b"\n", m.start() + 1)].split(b" ", 2)
                found.setdefault(p, []).append((s, rest[: -len(tail)]))
            for p, group in found.items():
                if _matches(pp, p):
                    _keep(kept, p, group, None, sp, op)
            continue
        for p, group in pairs.items():
            if _matches(pp, p):
                if p not in by_object:
                    index: dict[bytes, list[bytes]] = {}
                    for s, o in group:
                        index.setdefault(o, []).append(s)
                    by_object[p] = index
                _keep(kept, p, group, by_object[p], sp, op)
    return b"".join(sorted(b" ".join(t) + b" .\n" for t in kept))


def _keep(kept: set, p: bytes, group: list[tuple[bytes, bytes]], index: dict[bytes, list[bytes]] | None,
          sp: Position, op: Position) -> None:
    """What one pattern keeps of a predicate's (subject, object) pairs (in the order of the lines; `index`: their subjects by object)."""
    if sp == HIDDEN and op == HIDDEN:  # any one triple of this predicate
        kept.add((group[0][0], p, group[0][1]))
        return
    if index is not None and op != HIDDEN:  # by object: only the objects that may stand there
        if op[0] == "const":
            objects = [op[1].encode("utf-8")]
        elif op[0] == "in":
            objects = [x.encode("utf-8") for x in op[1]]
        else:
            objects = [o for o in index if op[0] != "prefix" or _matches(op, o)]
        check_s = sp not in (FREE, HIDDEN)
        for o in objects:
            subjects = index.get(o, ())
            for s in subjects[:1] if sp == HIDDEN else subjects:  # the first line of each object, or every line
                if not check_s or _matches(sp, s):
                    kept.add((s, p, o))
        return
    check_s = sp not in (FREE, HIDDEN)
    check_o = op not in (FREE, HIDDEN)
    seen: set[bytes] = set()
    for s, o in group:
        if (check_s and not _matches(sp, s)) or (check_o and not _matches(op, o)):
            continue
        if sp == HIDDEN or op == HIDDEN:  # one line for each value of the seen position
            key = o if sp == HIDDEN else s
            if key in seen:
                continue
            seen.add(key)
        kept.add((s, p, o))


def slice_by_line(lines: bytes, graph: str, patterns: list[Pattern]) -> bytes:
    """slice_lines by looking at every line."""
    tail = len(f" <{graph}> .")
    by_predicate: dict[bytes, list[tuple[bytes, bytes]]] = {}  # each predicate's (subject, object), in the order of the lines
    for line in lines.split(b"\n"):
        if line:
            s, p, rest = line.split(b" ", 2)  # subject, predicate, the object and the graph
            by_predicate.setdefault(p, []).append((s, rest[:-tail]))
    kept: set[tuple[bytes, bytes, bytes]] = set()
    for p, group in by_predicate.items():
        for sp, pp, op in patterns:
            if _matches(pp, p):
                _keep(kept, p, group, None, sp, op)
    return b"".join(sorted(b" ".join(t) + b" .\n" for t in kept))


def stands_for_itself(patterns: list[Pattern]) -> bool:
    """Whether a check's projection (with a new blank node at each hidden position) can be loaded in place of its
    slices: no position a pattern hides is a predicate, and no other pattern that can match the same triples reads
    that position freely (there it holds an IRI or a literal, or hides it too), so a new node matches nothing the
    graph's own term would not. The store then holds one triple for each thing the check can see, across graphs
    (unused-concept: each concept a claim names once, not once for each file that names it)."""
    def overlap(a: Position, b: Position) -> bool:
        sets = [set([x[1]]) if x[0] == "const" else set(x[1]) if x[0] == "in" else None for x in (a, b)]
        return sets[0] is None or sets[1] is None or bool(sets[0] & sets[1])

    for i in patterns:
        for k, pos in enumerate(i):
            if pos != HIDDEN:
                continue
            if k == 1:
                return False
            for j in patterns:
                if j[k] in (HIDDEN,) or j[k][0] in ("const", "in", "prefix"):
                    continue
                if all(overlap(i[m], j[m]) for m in range(3) if m != k):
                    return False
    return True


def loadable(projected: bytes, label: bytes = b"_:hidden") -> bytes:
    """Projected lines (kg.rdf.checkscope.projection) as N-Triples: each `?` a blank node of its own (`label` and a number:
    the caller picks a label no line holds)."""
    out = []
    for n, line in enumerate(projected.split(b"\n")):
        if line:
            s, p, o = line.split(b" ", 2)
            out.append(b" ".join((label + b"s%d" % n if s == b"?" else s, p, label + b"o%d" % n if o == b"?" else o)) + b" .\n")
    return b"".join(out)


def patterns_key(patterns: list[Pattern]) -> str:
    """The sha256 of a set of patterns (what a slice is kept under, with the record's digest)."""
    def show(pos: Position) -> str:
        return pos[0] + ("" if len(pos) == 1 else " " + (" ".join(sorted(pos[1])) if pos[0] == "in" else pos[1]))

    text = "\n".join(sorted("\t".join(show(pos) for pos in pattern) for pattern in patterns))
    return hashlib.sha256(f"govkg check slices {FORMAT}\n{text}".encode()).hexdigest()


class SliceCache(KeptPickles):
    """Each named graph's slice (N-Triples bytes) by its record's digest and the patterns; entries not used by the last run are removed by `prune`."""

    def get(self, key: str) -> bytes | None:
        found = super().get(key)
        return found if isinstance(found, bytes) else None

    def get_kept(self, kind: str, key: str):
        """A value kept as (kind, value) (kg.rdf.checkrows: a check's rows, a graph's projections), or None."""
        found = super().get(key)
        return found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == kind else None

    def get_scope(self, key: str) -> tuple | None:
        """A check's kept scope, as (patterns or None,)."""
        found = super().get(key)
        return found if isinstance(found, tuple) and len(found) == 1 and (found[0] is None or isinstance(found[0], list)) else None


def graph_slices(records: list, patterns: list[Pattern], cache: SliceCache | None = None) -> list[bytes]:
    """Each record's slice (kg.rdf.graphs records), from `cache` when the record's content was sliced before with the same patterns."""
    return list(iter_slices(records, patterns, cache))


def iter_slices(records: list, patterns: list[Pattern], cache: SliceCache | None = None, prune: bool = True) -> Iterator[bytes]:
    """graph_slices one at a time (a store loads them in turn, never all held); the cache is pruned once the last is given (if `prune`)."""
    pkey = patterns_key(patterns)
    for r in records:
        yield record_slice(r, patterns, cache, pkey)
    if cache is not None and prune:
        cache.prune()


def slice_key(pkey: str, record) -> str:
    """What a record's slice by the patterns of `pkey` (patterns_key) is kept under."""
    return hashlib.sha256(f"{pkey} {record.name} {record.digest}".encode()).hexdigest()


def record_slice(record, patterns: list[Pattern], cache: SliceCache | None = None, pkey: str | None = None) -> bytes:
    """One record's slice (kg.rdf.graphs), from `cache` when its content was sliced before with the same patterns."""
    key = slice_key(pkey or patterns_key(patterns), record)
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = slice_lines(record.lines, record.name, patterns)
        if cache is not None:
            cache.put(key, found)
    return found


def narrower_slice(ntriples: bytes, graph: str, patterns: list[Pattern]) -> bytes:
    """The slice by `patterns` of a graph's slice (N-Triples lines) by patterns that include them: what slice_lines gives
    of the whole graph, up to which line of a hidden position's matches is kept (any one serves)."""
    return slice_lines(ntriples.replace(b" .\n", f" <{graph}> .\n".encode()), graph, patterns)


def projection(ntriples: bytes, patterns: list[Pattern]) -> bytes:
    """What a check's rows can depend on in a slice (N-Triples lines) by its patterns: each pattern's matches, with
    its hidden positions written `?` (a variable used once and never projected: which term stands there is no part of
    any row). Two graphs with the same projection give the check the same rows (kg.rdf.checkrows keeps them by it);
    the seen positions are kept whole, so an edit of a term a check does not read leaves its projection as it was."""
    by_predicate: dict[bytes, list[tuple[bytes, bytes]]] = {}
    for line in ntriples.split(b"\n"):
        if line:
            s, p, rest = line.split(b" ", 2)  # subject, predicate, "object ."
            by_predicate.setdefault(p, []).append((s, rest[:-2]))
    out: set[bytes] = set()
    for sp, pp, op in patterns:
        for p, group in by_predicate.items():
            if not _matches(pp, p):
                continue
            shown = b"?" if pp == HIDDEN else p
            for s, o in group:
                if _matches(sp, s) and _matches(op, o):
                    out.add(b" ".join((b"?" if sp == HIDDEN else s, shown, b"?" if op == HIDDEN else o)) + b"\n")
    return b"".join(sorted(out))


__all__ = ["SliceCache", "graph_slices", "iter_slices", "loadable", "narrower_slice", "patterns_key", "projection", "record_slice", "scope", "slice_by_line",
           "slice_by_search", "slice_key", "slice_lines", "stands_for_itself"]
