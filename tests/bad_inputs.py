"""Every bad input the hardening tests try, run through govkg, written as the table docs/bad-inputs.md.

Run `python -m tests.bad_inputs > docs/bad-inputs.md` after adding a case; the inputs are the tests'
own tables, so the document lists what the tests check (tests/test_bad_inputs_doc.py checks it does).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

from kg.inputs.claims import load_claim_file
from kg.inputs.limits import MAX_FILE_BYTES, MAX_LITERAL_CHARS, MAX_NESTING
from kg.inputs.sources import load_source_record, load_works
from kg.inputs.turtle import load_turtle
from kg.rdf.dataset import dataset_of

from . import test_yaml_hazards as yh
from .conftest import make_mini

BAD_TURTLE = Path(__file__).resolve().parent / "fixtures" / "bad-turtle"


def _cell(text: str, limit: int = 90) -> str:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    text = text.replace("|", "\\|").replace("\n", "⏎").replace("\t", "⇥")
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", text)


def _answer(problems, root: Path) -> str:
    if not problems:
        return "accepted"
    return "<br>".join(_cell(str(p).replace(str(root) + os.sep, ""), 400) for p in problems)


def _claim(text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "claims").mkdir()
        path = root / "claims" / "s.yaml"
        path.write_text(text, encoding="utf-8")
        problems = []
        cf = load_claim_file(path, problems)
        if not problems and cf and cf.claims:
            c = cf.claims[0]
            return f"accepted: hedge {c.hedge!r}, note {c.note!r}, case {c.case!r}"
        return _answer(problems, root)


def _record(text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "s.yaml").write_text(text, encoding="utf-8")
        (root / "s.txt").write_text("text\n", encoding="utf-8")
        problems = []
        load_source_record(root / "s.yaml", problems)
        return _answer(problems, root)


def _works(text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "works.yaml").write_text(text, encoding="utf-8")
        problems = []
        load_works(root, problems)
        return _answer(problems, root)


def _turtle(path_or_text, name: str = "bad.ttl") -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / name
        if isinstance(path_or_text, Path):
            shutil.copy(path_or_text, path)
        else:
            path.write_text(path_or_text, encoding="utf-8")
        problems = []
        load_turtle(path, problems)
        return _answer(problems, root)


def _turtle_fixture(path: Path) -> tuple[str, str]:
    """(the fixture's name and the line its problem is on, govkg's answer)."""
    problems = []
    load_turtle(path, problems)
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    line = problems[0].line if problems and problems[0].line else len(lines)
    shown = lines[line - 1] if line <= len(lines) else f"(end of file after) {lines[-1]}"
    return f"{path.name} line {line}: {shown}", _answer(problems, path.parent)


def _lossless() -> str:
    """Build a project holding the typed literals rdflib's writers change; say whether each export kept them."""
    import pyoxigraph as ox

    from kg.model.project import load_kg
    from kg.output.build import build

    from .test_lossless import LITERALS, PREFIXES

    with tempfile.TemporaryDirectory() as tmp:
        root = make_mini(Path(tmp) / "mini")
        (root / "ontology" / "literals.ttl").write_text(PREFIXES + "ex:thing ex:value " + " , ".join(LITERALS) + " .\n", encoding="utf-8")
        kg, problems = load_kg(root)
        build(kg, root / "dist")
        want = {str(q.object) for q in ox.parse((root / "ontology" / "literals.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)}
        kept = []
        for name, fmt in (("govkg.ttl", ox.RdfFormat.TURTLE), ("govkg.trig", ox.RdfFormat.TRIG), ("govkg.jsonld", ox.RdfFormat.JSON_LD)):
            got = {str(q.object) for q in ox.parse((root / "dist" / name).read_bytes(), format=fmt)}
            kept.append(f"{name}: {len(want & got)} of {len(want)} kept exactly")
        return "; ".join(kept)


def _repeated_triple() -> str:
    from kg.model.project import load_kg

    with tempfile.TemporaryDirectory() as tmp:
        root = make_mini(Path(tmp) / "mini")
        (root / "ontology" / "repeat.ttl").write_text(
            "@prefix gkc: <https://w3id.org/govkg/concept/> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            'gkc:pressure skos:prefLabel "压力"@zh .\n', encoding="utf-8")
        kg, _ = load_kg(root)
        from rdflib import Literal, URIRef

        triple = (URIRef("https://w3id.org/govkg/concept/pressure"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("压力", lang="zh"))
        graphs = sorted(str(c.identifier).rsplit("/graph/", 1)[-1] for c in dataset_of(kg).graphs(triple) if "/graph/" in str(c.identifier))
        return f"accepted; kept once per file, in the named graphs {', '.join(graphs)}"


def _oversized(rel: str) -> str:
    from kg.model.project import load_kg

    with tempfile.TemporaryDirectory() as tmp:
        root = make_mini(Path(tmp) / "mini")
        path = root / rel
        pad = ("" if rel.endswith(".txt") else "# ") + "x" * 1000 + "\n"
        path.write_text(path.read_text(encoding="utf-8") + pad * (MAX_FILE_BYTES // len(pad) + 2), encoding="utf-8")
        _, problems = load_kg(root)
        return _answer([p for p in problems if p.code == "too-large"], root)


def _failed_build() -> str:
    from typer.testing import CliRunner

    from kg.cli import app

    with tempfile.TemporaryDirectory() as tmp:
        root = make_mini(Path(tmp) / "mini")
        real = os.replace

        def full(*args, **kwargs):
            raise OSError(28, "No space left on device")

        os.replace = full
        try:
            result = CliRunner().invoke(app, ["--root", str(root), "build"])
        finally:
            os.replace = real
        return _cell(f"exit {result.exit_code}: {result.output.strip().replace(str(root) + os.sep, '')}", 300)


# The v2 fields (relation, subject/object, certainty, modality, …): (input as shown, text replaced, replacement).
_CAUSE = "    cause: pressure\n    effect: shirking\n    polarity: positive\n"
V2_CASES = [
    ("relation: kind-of", _CAUSE, "    relation: kind-of\n" + _CAUSE),
    ("certainty: probably", "    evidence:", "    certainty: probably\n    evidence:"),
    ("modality: must", "    evidence:", "    hedge: 必须\n    modality: must\n    evidence:"),
    ("hedge: 越……越 (not in the table), no certainty", "    evidence:", "    hedge: 越……越\n    evidence:"),
    ("subject: on a causal claim", "    cause: pressure\n", "    subject: pressure\n"),
    ("relation: form-of with cause and effect", _CAUSE, "    relation: form-of\n    cause: pressure\n    effect: shirking\n"),
    ("relation: part-of, no object", _CAUSE, "    relation: part-of\n    subject: pressure\n"),
    ("relation: definition with an object", _CAUSE, "    relation: definition\n    subject: pressure\n    object: shirking\n"),
    ("relation: form-of with a polarity", _CAUSE, "    relation: form-of\n    subject: pressure\n    object: shirking\n    polarity: positive\n"),
    ("replaces: [Old_Id]", "    evidence:", "    replaces: [Old_Id]\n    evidence:"),
    ("agent: {id: x}", "    evidence:", "    agent: {id: x}\n    evidence:"),
]


def _query(text: str) -> str:
    """What `kg sparql` answers a query, on any backend (the check comes before the engine)."""
    from kg.errors import KGError
    from kg.stores.store import check_query

    try:
        check_query(text)
    except KGError as exc:
        return _cell(f"exit {exc.exit_code}: {exc}", 300)
    return "accepted"


def _served(cases) -> list[str]:
    """What a fresh `kg serve` answers each (query or form body, headers) request: status and message."""
    import threading
    import urllib.error
    import urllib.request

    from kg.model.project import load_kg
    from kg.stores.serve import make_server
    from kg.stores.store import open_store

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        kg, _ = load_kg(make_mini(Path(tmp) / "mini"))
        server = make_server(open_store(kg, "rdflib"), timeout=5)
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        try:
            for data, headers in cases:
                req = urllib.request.Request(server.url, data=data, headers=headers)
                try:
                    with urllib.request.urlopen(req, timeout=30) as resp:
                        status, body = resp.status, resp.read()
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, exc.read()
                out.append(_cell(f"HTTP {status}: " + body.decode("utf-8").strip(), 300))
        finally:
            server.shutdown()
            server.server_close()
    return out


def _bodies():
    from .test_serve_load import BODIES

    return BODIES


def _raw_served(cases) -> list[str]:
    """What a fresh `kg serve` answers to each raw POST (headers, body): status line and message."""
    import threading

    from kg.model.project import load_kg
    from kg.stores.serve import make_server
    from kg.stores.store import open_store

    from .test_serve_load import _post

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        kg, _ = load_kg(make_mini(Path(tmp) / "mini"))
        server = make_server(open_store(kg, "rdflib"), timeout=5, socket_timeout=3)
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        try:
            for headers, body, _, _ in cases:
                answer = _post(server, headers, body).decode("utf-8", "replace")
                status = answer.split(" ", 2)[1] if answer else "no answer"
                out.append(_cell(f"HTTP {status}: " + answer.partition("\r\n\r\n")[2].strip(), 300))
        finally:
            server.shutdown()
            server.server_close()
    return out


def iter_cases():
    """(area, input as shown, a function giving govkg's answer) for every bad input."""
    claim = yh.CLAIM
    for word in ("NO", "yes", "on"):
        yield "claim file (YAML)", f"hedge: {word} / certainty: possibly / note: {word} / scope: {{case: {word}}}", _claim(
            claim + f"    hedge: {word}\n    certainty: possibly\n    note: {word}\n    scope: {{case: {word}}}\n")
    for key, value, _ in yh.NOT_TEXT.values():
        text = claim.replace("    gloss: Pressure leads to shirking.\n", "") + f"    {key}: {value}\n"
        if key != "gloss":
            text += "    gloss: Pressure leads to shirking.\n"
        yield "claim file (YAML)", f"{key}: {value}", _claim(text)
    for old, new, _ in yh.WRONG_TYPES.values():
        yield "claim file (YAML)", new.strip(), _claim(claim.replace(old, new))
    for old, new, _, _ in yh.FILE_SHAPES.values():
        yield "claim file (YAML)", new.strip(), _claim(claim.replace(old, new, 1))
    yield "claim file (YAML)", "a second `quote:` in one claim", _claim(claim + "    quote: 压力\n")
    for shown, old_text, new_text in V2_CASES:
        yield "claim file (YAML), v2 fields", shown, _claim(claim.replace(old_text, new_text, 1))
    bomb = ["lol0: &l0 lol"] + [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    yield "claim file (YAML)", "billion laughs (9 levels of 9 aliases)", _claim(claim + "\n".join(bomb) + "\n")
    for value in ("!!str 0755", "!!python/object:os.system echo", "!custom x", "!!binary aGk="):
        yield "claim file (YAML)", f"note: {value}", _claim(claim + f"    note: {value}\n")
    yield "claim file (YAML)", "<<: {cause: pressure}", _claim(claim.replace("    cause: pressure\n", "    <<: {cause: pressure}\n"))
    for escape in ("\\0", "\\x07", "\\ud800", "\\uFFFE", "\\x85"):
        yield "claim file (YAML)", f'note: "a{escape}b"', _claim(claim + f'    note: "a{escape}b"\n')
    yield "claim file (YAML)", "note: a<BEL>b (a raw control character)", _claim(claim + "    note: a\x07b\n")
    yield "claim file (YAML)", f"note: <{MAX_LITERAL_CHARS + 1:,} characters>", _claim(claim + f"    note: {'长' * (MAX_LITERAL_CHARS + 1)}\n")
    yield "claim file (YAML)", "note: <a 5,000-digit number>", _claim(claim + f"    note: {'9' * 5000}\n")
    yield "claim file (YAML)", "note: [[[…]]] nested 3,000 deep", _claim(claim + "    note: " + "[" * 3000 + "]" * 3000 + "\n")
    yield "claim file (YAML)", f"note: lists nested {MAX_NESTING + 1} deep", _claim(claim + "    note: " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "\n")
    yield "claim file (YAML)", "a second document (---)", _claim(claim + "---\nsource: t\n")
    for old, new, _, _ in yh.RECORD_CASES.values():
        yield "source record (YAML)", new.strip(), _record(yh.RECORD.replace(old, new))
    for text in ("id: w\nkind: book\n", "- just text\n", "- {id: w, kind: book, title: 书, autor: [甲]}\n"):
        yield "works.yaml", text.strip(), _works(text)
    for path in sorted(BAD_TURTLE.glob("*.ttl")):
        yield "ontology file (Turtle)", *_turtle_fixture(path)
    prefix = "@prefix ex: <http://example.org/> .\n"
    yield "ontology file (Turtle)", f'a literal of {MAX_LITERAL_CHARS + 1:,} characters', _turtle(prefix + 'ex:a ex:b "' + "长" * (MAX_LITERAL_CHARS + 1) + '" .\n')
    yield "ontology file (Turtle)", f"an IRI of {MAX_LITERAL_CHARS + 19:,} characters", _turtle(prefix + "ex:a ex:b <http://example.org/" + "x" * MAX_LITERAL_CHARS + "> .\n")
    yield "ontology file (Turtle)", "( ( ( … ) ) ) nested 5,000 deep (rdflib: RecursionError)", _turtle(prefix + "ex:a ex:b " + "( " * 5000 + ")" * 5000 + " .\n")
    for rel in ("claims/mini-b.yaml", "sources/mini-b.yaml", "sources/mini-b.txt", "ontology/concepts.ttl"):
        yield "any input file", f"{rel} padded to over 10 MB", _oversized(rel)
    yield "kg build", "the disk fills up while dist/ is written", _failed_build()
    yield "ontology file (Turtle)", "the same triple in two files", _repeated_triple()
    from . import test_query_escapes as qe
    from . import test_serve as ts
    from .test_lossless import LITERALS

    for name, form in qe.FORMS.items():
        for q in qe.QUOTES if name == "issue-13" else ["u8"]:
            text = form.format(url="http://127.0.0.1:9/sparql", port=9, q=qe.QUOTES[q])
            yield "kg sparql", f"{name}: {text}", _query(text)
    requests = [(ts.CHAIN.encode() if "form" not in h["Content-Type"] else b"query=ASK%7B%7D", h) for h, _ in ts.CROSS_SITE]
    for (_data, headers), answer in zip(requests, _served(requests), strict=True):
        yield "kg serve", f"POST {headers}", answer
    from typer.testing import CliRunner

    from . import test_timeouts as tt

    with tempfile.TemporaryDirectory() as tmp:
        root = make_mini(Path(tmp) / "mini")
        for name in tt.CASES:
            result, _ = tt.run_case(CliRunner(), root, name)
            lines = [line.strip(" │╭╮╰╯─") for line in result.output.splitlines()]
            said = [line for line in lines if re.search(r"[a-z]{3}", line)]
            yield "kg sparql", name, _cell(f"exit {result.exit_code}: " + said[-1], 300)
    from . import test_exit_codes as ec

    for name, value in ec.INVISIBLE.items():
        yield "claim file (YAML)", f"note: <{name}>", _claim(claim + f"    note: {value}\n")
    for name in ec.SERVE_OPTIONS:
        code, output = ec.serve_answer(name)
        said = [line.strip(" │╭╮╰╯─") for line in output.splitlines() if re.search(r"[a-z]{3}", line)]
        yield "kg serve", name, _cell(f"exit {code}: {said[-1] if said else ''}", 300)
    from . import test_line_breaks as lb

    for name, ch in lb.BREAKS.items():
        out = lb.cleaned(ch)
        kept = "keeps every other line whole" if out.count("\n") == 3 and "line 3" not in out else f"gives {out!r}"
        yield "source text (cleaning)", f"seed line 2 holds a {name}; recipe drop: lines 3", f"accepted: drops 'line 3 to drop', {kept}"
    from . import test_bad_names as bn

    for name in bn.CASES:
        with tempfile.TemporaryDirectory() as tmp:
            root, problems = bn.case_problems(name, Path(tmp))
            yield "file and id names", name, _answer([p for p in problems if p.code in ("bad-name", "bad-id")], root)
    from . import test_special_files as sf

    for name in sf.CASES:
        with tempfile.TemporaryDirectory() as tmp:
            yield "special file", name, _cell(sf.describe_case(name, Path(tmp)), 300)
    from . import test_empty_files as ef

    for name, text in ef.EMPTY.items():
        yield "claim file (YAML)", f"{name}: {text!r}", _claim(text)
        yield "source record (YAML)", f"{name}: {text!r}", _record(text)
    from . import test_ontology_scope as os_

    for name in os_.FORGED:
        with tempfile.TemporaryDirectory() as tmp:
            yield "ontology file (Turtle)", name, _answer(os_.forged_problems(name, Path(tmp)), Path(tmp) / "mini")
    bodies = _bodies()
    for (headers, body, _, _), answer in zip(bodies, _raw_served(bodies), strict=True):
        shown = headers.strip().replace("\r\n", "; ") or "no Content-Length"
        yield "kg serve", f"POST {shown}, {len(body)} bytes of body", answer
    from . import test_symlinks as sl

    for name in sl.CASES:
        with tempfile.TemporaryDirectory() as tmp:
            yield "project folder", name, _cell(sl.describe_case(name, Path(tmp)).replace(tmp + os.sep, ""), 300)
    yield "exports", f'{len(LITERALS)} literals: "1", "1.0", "1."^^xsd:decimal; "1"^^xsd:boolean; "1", "1E0"^^xsd:double …', _lossless()


HEAD = """# Bad inputs and what govkg answers

Every bad input the hardening tests (issue 8) try, and govkg's answer, as `path:line:column: message
[code]`. Paths are relative to the project (or to the folder of the single file tried). Generated by
`python -m tests.bad_inputs > docs/bad-inputs.md` from the tests' own case tables; the tests check
each answer (file, line, column, code) exactly. Turtle fixtures are in `tests/fixtures/bad-turtle/`,
with the line and column of each mistake in its README.

What is *kept*, not refused, is listed too: YAML 1.2 reads `NO`, `yes`, `on` as text, and typed
literals such as `"1"^^xsd:decimal` and `"1.0"^^xsd:decimal` reach every export unchanged
(`tests/test_lossless.py`).

| area | input | govkg answers |
|---|---|---|
"""


def main() -> None:
    out = io.StringIO()
    with redirect_stdout(io.StringIO()):  # nothing the loaders might print reaches the document
        rows = [f"| {area} | `{_cell(shown)}` | {answer} |" for area, shown, answer in iter_cases()]
    out.write(HEAD + "\n".join(rows) + "\n")
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
