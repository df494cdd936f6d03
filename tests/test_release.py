"""`kg release` and `kg diff`: two releases cut from two git revisions of the mini graph, and the known changes between them."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.version import __version__

from .conftest import invoke, make_mini
from .edit_mini import append_claims

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT = ["git", "-c", "user.name=govkg test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]

# The second revision, as edits of the first: each line of the expected diff below comes from one of them.
NEW_CONCEPT = """
gkc:overtime a skos:Concept , gkv:Outcome ;
    skos:inScheme gkc: ;
    skos:prefLabel "加班"@zh , "overtime"@en ;
    skos:definition "下班后还要工作。"@zh , "Work after hours."@en ;
    dcterms:source gks:mini-b .
"""
TRACES = """gkc:leaving-traces a skos:Concept , gkv:Mechanism ;
    skos:inScheme gkc: ;
    skos:prefLabel "留痕"@zh , "leaving traces"@en ;
    skos:definition "为免责而留下工作记录。"@zh , "Keeping records of work to be covered against blame."@en ;
    dcterms:source gks:mini-b ."""
TRACES_MERGED = """gkc:leaving-traces a skos:Concept , gkv:Mechanism ;
    owl:deprecated true ;
    dcterms:isReplacedBy gkc:paperwork ;
    skos:prefLabel "留痕"@zh , "leaving traces"@en ."""
DEFINITION = """  - id: b-define-shirking
    relation: definition
    subject: shirking
    evidence: argument
    quote: 所谓推诿,就是把责任推给别人
    gloss: Shirking means pushing responsibility onto others.
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def second_revision(root: Path) -> None:
    concepts, claims = root / "ontology" / "concepts.ttl", root / "claims" / "mini-b.yaml"
    _edit(concepts, TRACES, TRACES_MERGED)  # merged: the id stays, pointing on
    _edit(concepts, '"A reform that lightens subordinates\' load."@en', '"A reform that lightens the load of subordinates."@en')
    concepts.write_text(concepts.read_text(encoding="utf-8") + NEW_CONCEPT, encoding="utf-8")
    _edit(claims, "    subject: leaving-traces\n", "    subject: paperwork\n")  # the merged concept's claim follows it
    _edit(claims, "    conditions: [incentive]\n", "    conditions: [incentive, workload]\n")
    _edit(claims, "  - id: b-pressure-shirking\n    cause: pressure\n    effect: shirking\n    polarity: positive\n",
          "  - id: b-pressure-shirking\n    cause: pressure\n    effect: shirking\n    polarity: negative\n")
    _edit(claims, "    quote: 改革可以减少推诿\n", "    quote: 改革可以减少推诿。\n")
    _edit(claims, "  - id: b-workload-staffing\n", "  - id: b-workload-more-staff\n    replaces: [b-workload-staffing]\n")
    _edit(claims, DEFINITION, "")
    append_claims(root, "mini-b", "加码会带来加班。", """  - id: b-escalation-overtime
    cause: escalation
    effect: overtime
    polarity: positive
    evidence: argument
    hedge: 会
    quote: 加码会带来加班
    gloss: Escalation brings overtime.
""")


@pytest.fixture
def repo(tmp_path) -> Path:
    """The mini graph in a git repository: tag r1, then tag r2 with the edits of second_revision."""
    root = make_mini(tmp_path / "mini")

    def git(*args):
        subprocess.run([*GIT, "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first")
    git("tag", "r1")
    second_revision(root)
    git("add", "-A")
    git("commit", "-qm", "second")
    git("tag", "r2")
    return root


# `kg release` as a user runs it, in a fresh process whose kg/version.py names `version` (as after raising it):
# the version is set before any other govkg module is imported, so every module reads the same one.
RELEASE_AS = """
import sys
import kg.version as v
v.RELEASES = tuple(sys.argv[1].split(","))
v.__version__ = v.RELEASES[-1]
v.PRIOR_VERSION = v.RELEASES[-2] if len(v.RELEASES) > 1 else None
from kg.cli import main
sys.argv = ["kg", *sys.argv[2:]]
main()
"""


def _release_at(root: Path, rev: str, version: str, out: Path) -> dict:
    """Check out `rev` in a worktree of the repository and cut release `version` from it."""
    import os
    import sys

    from .conftest import REPO

    tree = out.parent / f"tree-{rev}"
    subprocess.run([*GIT, "-C", str(root), "worktree", "add", "-q", "--detach", str(tree), rev], check=True, capture_output=True)
    releases = ",".join(("0.1.0", "0.2.0")[: 1 + (version == "0.2.0")])
    run = subprocess.run([sys.executable, "-c", RELEASE_AS, releases, "--root", str(tree), "release", "--out", str(out),
                          "--date", f"2026-0{1 + (version == '0.2.0')}-15", "-f", "json"],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


EXPECTED = {
    "concepts": {
        "added": [{"id": "overtime", "name": "加班 (overtime)"}],
        "removed": [],
        "changed": [{"id": "reform", "name": "改革 (reform)", "changes": [
            {"field": "definition en", "old": "A reform that lightens subordinates' load.",
             "new": "A reform that lightens the load of subordinates."}]}],
        "deprecated": [{"id": "leaving-traces", "name": "留痕 (leaving traces)", "replaced_by": ["paperwork"]}],
    },
    "claims": {
        "added": [{"id": "b-escalation-overtime", "link": "加码 (escalation) → 加班 (overtime) [mini-b]"},
                  {"id": "b-workload-more-staff", "link": "工作量 (workload) → 人手 (staff) [mini-b]"}],
        "removed": [{"id": "b-define-shirking", "link": "推诿 (shirking) definition [mini-b]"}],
        "changed": [
            {"id": "b-pressure-shirking", "link": "压力 (pressure) ⊣ 推诿 (shirking) [mini-b]", "changes": [
                {"field": "conditions", "old": ["incentive"], "new": ["incentive", "workload"]},
                {"field": "polarity", "old": "positive", "new": "negative"}]},
            {"id": "b-reform-shirking", "link": "改革 (reform) ⊣ 推诿 (shirking) [mini-b]", "changes": [
                {"field": "quotes", "old": ["改革可以减少推诿"], "new": ["改革可以减少推诿。"]}]},
            {"id": "b-traces-form", "link": "文牍 (paperwork) form-of 推诿 (shirking) [mini-b]", "changes": [
                {"field": "subject", "old": "leaving-traces", "new": "paperwork"}]},
        ],
        "replaced": [{"id": "b-workload-staffing", "replaced_by": "b-workload-more-staff"}],
    },
}


def add_escalation_shirking(root) -> None:
    """One claim added to the mini graph (b-escalation-shirking), with its sentence in the source."""
    append_claims(root, "mini-b", "加码会导致推诿。", """  - id: b-escalation-shirking
    cause: escalation
    effect: shirking
    polarity: positive
    evidence: argument
    quote: 加码会导致推诿
    gloss: Escalation leads to shirking.
""")


def test_two_releases_and_the_diff_between_them(runner, repo, tmp_path):
    out = tmp_path / "releases"
    first = _release_at(repo, "r1", "0.1.0", out)
    second = _release_at(repo, "r2", "0.2.0", out)
    assert sorted(p.name for p in out.iterdir()) == ["0.1.0", "0.2.0"]  # no stage left behind
    # The release record: version, date, IRI, content hash, and the release before it.
    assert first["previous"] is None and first["date"] == "2026-01-15"
    assert second["previous"] == {"version": "0.1.0", "content_sha256": first["content_sha256"],
                                  "content_sha256_method": first["content_sha256_method"], "iri": "https://w3id.org/govkg/release/0.1.0"}
    assert second["iri"] == "https://w3id.org/govkg/release/0.2.0" and second["content_sha256"] != first["content_sha256"]
    record = json.loads((out / "0.2.0" / "release.json").read_text(encoding="utf-8"))
    assert record["content_sha256"] == second["content_sha256"]
    # The outputs of kg build are there, and every file's hash is recorded.
    for name in ("govkg.ttl", "govkg.trig", "govkg.jsonld", "sources.bib", "citations.bib", "citations.json"):
        import hashlib

        assert record["files"][name] == hashlib.sha256((out / "0.2.0" / name).read_bytes()).hexdigest()
    # The release's site keeps the merged concept's page, pointing on, and the retired claim's.
    stub = (out / "0.2.0" / "site" / "concept" / "leaving-traces.html").read_text(encoding="utf-8")
    assert "deprecated" in stub and 'href="paperwork.html"' in stub
    assert (out / "0.2.0" / "site" / "claim" / "b-workload-staffing.html").is_file()
    assert (out / "0.1.0" / "site" / "concept" / "leaving-traces.html").is_file()
    # The citations file cites every statement from this release.
    cites = json.loads((out / "0.2.0" / "citations.json").read_text(encoding="utf-8"))
    keys = {c["id"] for c in cites}
    assert {"mini-b:b-escalation-overtime", "mini-a:a-chain", "govkg"} <= keys and "mini-b:b-define-shirking" not in keys
    assert all(second["content_sha256"] in c["note"] for c in cites)

    by_folder = invoke(runner, repo, "diff", str(out / "0.1.0"), str(out / "0.2.0"), "-f", "json")
    assert by_folder.exit_code == 0, by_folder.output
    found = json.loads(by_folder.stdout)
    assert {k: found[k] for k in ("concepts", "claims")} == EXPECTED
    assert found["old"]["version"] == "0.1.0" and found["new"]["date"] == "2026-02-15"

    # The same changes between the two git revisions (read from the repository, the working tree untouched).
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True).stdout
    by_rev = invoke(runner, repo, "diff", "r1", "r2", "-f", "json")
    assert by_rev.exit_code == 0, by_rev.output
    assert {k: json.loads(by_rev.stdout)[k] for k in ("concepts", "claims")} == EXPECTED
    assert subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True).stdout == status

    text = invoke(runner, repo, "diff", str(out / "0.1.0"), "r2").stdout
    assert "Claims: 2 added, 1 removed, 3 changed, 1 replaced" in text
    assert "⇢ leaving-traces 留痕 (leaving traces): deprecated, merged into paperwork 文牍 (paperwork)" in text
    assert "      polarity: «positive» → «negative»" in text and "⇢ b-workload-staffing: replaced by b-workload-more-staff" in text
    md = invoke(runner, repo, "diff", "r1", "r2", "-f", "markdown").stdout
    assert md.startswith("# Changes from r1 (govkg") and "## Claims: 2 added, 1 removed, 3 changed, 1 replaced" in md
    assert "- ~ b-pressure-shirking 压力 (pressure) ⊣ 推诿 (shirking) \\[mini-b\\]" in md
    same = invoke(runner, repo, "diff", "r2", str(out / "0.2.0"))
    assert same.exit_code == 0 and "no differences" in same.stdout
    # The revision's content hash, read in the same pass as its claims, is the one its release recorded.
    # (The mini project has no kg/version.py of its own: its revision is read as the running govkg's version,
    # which the content hash covers, so the comparison runs as govkg 0.2.0, the version r2 was released as.)
    import os
    import sys

    from .conftest import REPO

    run = subprocess.run([sys.executable, "-c", RELEASE_AS, "0.1.0,0.2.0", "--root", str(repo), "diff", "r2", str(out / "0.2.0"),
                          "-f", "json"], capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stdout + run.stderr
    both = json.loads(run.stdout)
    assert both["old"]["content_sha256"] == both["new"]["content_sha256"] == second["content_sha256"]


def test_each_claims_releases(repo, tmp_path):
    from kg.query.diff import claim_history
    from kg.query.snapshot import find_releases

    out = tmp_path / "releases"
    _release_at(repo, "r1", "0.1.0", out)
    _release_at(repo, "r2", "0.2.0", out)
    history = claim_history(find_releases(out))

    def statuses(cid):
        return [(h.version, h.status) for h in history[cid]]

    assert statuses("b-shirking-paperwork") == [("0.1.0", "added"), ("0.2.0", "unchanged")]
    assert statuses("b-escalation-overtime") == [("0.2.0", "added")]
    assert statuses("b-define-shirking") == [("0.1.0", "added"), ("0.2.0", "removed")]
    [_, replaced] = history["b-workload-staffing"]
    assert (replaced.status, replaced.replaced_by, replaced.released) == ("replaced", "b-workload-more-staff", "2026-02-15")
    [_, changed] = history["b-pressure-shirking"]
    assert changed.status == "changed" and [c.field for c in changed.changes] == ["conditions", "polarity"]
    assert changed.iri == "https://w3id.org/govkg/release/0.2.0"
    # The id retired before the first release (mini's own `replaces:`) is listed from it, pointing on.
    assert [(h.version, h.status, h.replaced_by) for h in history["b-caution-brings-shirking"]] == [("0.1.0", "replaced", "b-caution-shirking")]
    # The release's site shows the same history on the claim's page.
    page = (out / "0.2.0" / "site" / "claim" / "b-pressure-shirking.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "0.1.0 (2026-01-15) added" in text and "0.2.0 (2026-02-15) changed" in text
    assert "polarity: «positive» → «negative»" in html.unescape(text)


def test_a_release_is_never_rewritten(runner, mini, tmp_path):
    out = tmp_path / "releases"
    first = invoke(runner, mini, "release", "--out", str(out))
    assert first.exit_code == 0, first.output
    again = invoke(runner, mini, "release", "--out", str(out))
    assert again.exit_code == 0 and "released already with this content" in again.output
    add_escalation_shirking(mini)
    before = (out / __version__ / "release.json").read_bytes()
    changed = invoke(runner, mini, "release", "--out", str(out))
    assert changed.exit_code == 2 and "raise the version in kg/version.py" in changed.output
    assert (out / __version__ / "release.json").read_bytes() == before


def test_a_release_cut_by_0_4_0_is_compared_by_its_own_kind_of_hash(runner, mini, tmp_path):
    # A release.json without content_sha256_method holds 0.4.0's hash (all the sorted N-Quads in one sha256): cutting
    # that version again compares it with this graph's hash of that kind, never with the per-graph hash.
    from kg.model.project import load_kg
    from kg.rdf.nquads import iter_nquads
    from kg.rdf.release import HASH_METHOD, LEGACY_METHOD, content_hash, legacy_hash_of_lines

    out = tmp_path / "releases"
    assert invoke(runner, mini, "release", "--out", str(out)).exit_code == 0
    path = out / __version__ / "release.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    kg = load_kg(mini)[0]
    legacy = legacy_hash_of_lines(line.rstrip("\n") for line in iter_nquads(kg))
    assert record["content_sha256_method"] == HASH_METHOD and record["content_sha256"] == content_hash(kg) != legacy
    old = {k: v for k, v in record.items() if k != "content_sha256_method"}
    path.write_text(json.dumps({**old, "content_sha256": legacy}), encoding="utf-8")
    again = invoke(runner, mini, "release", "--out", str(out))
    assert again.exit_code == 0 and "released already with this content" in again.output
    # kg diff shows both hashes, each with its kind: the same graph, two hashes
    diff = invoke(runner, mini, "diff", str(out / __version__), str(mini), "-f", "json")
    assert diff.exit_code == 0, diff.output
    states = json.loads(diff.stdout)
    assert (states["old"]["content_sha256"], states["old"]["content_sha256_method"]) == (legacy, LEGACY_METHOD)
    assert (states["new"]["content_sha256"], states["new"]["content_sha256_method"]) == (content_hash(kg), HASH_METHOD)
    text = invoke(runner, mini, "diff", str(out / __version__), str(mini)).stdout
    assert f"sha256 {legacy[:12]} by 0.4.0's definition" in text and f"sha256 {content_hash(kg)[:12]})" in text
    path.write_text(json.dumps({**old, "content_sha256": content_hash(kg)}), encoding="utf-8")  # the new kind, unlabelled
    refused = invoke(runner, mini, "release", "--out", str(out))
    assert refused.exit_code == 2 and "raise the version in kg/version.py" in refused.output
    # the next release names this one's hash and its kind
    assert json.loads((out / __version__ / "release.json").read_text(encoding="utf-8")).get("content_sha256_method") is None
    from kg.output.release import previous_release

    assert previous_release(out, "99.0.0") == {"version": __version__, "content_sha256": content_hash(kg),
                                               "content_sha256_method": LEGACY_METHOD, "iri": f"https://w3id.org/govkg/release/{__version__}"}


def test_a_failed_release_leaves_nothing(runner, mini, tmp_path, monkeypatch):
    out = tmp_path / "releases"
    written = []
    real = Path.write_bytes

    def failing(self, data):
        written.append(self.name)
        if len(written) == 4:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    result = invoke(runner, mini, "release", "--out", str(out))
    assert result.exit_code == 2 and "No space left on device; nothing was released" in result.output
    assert len(written) == 4 and list(out.iterdir()) == []
    # The site failing half-way: the same.
    import kg.output.site

    def broken_site(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "write_bytes", real)
    monkeypatch.setattr(kg.output.site, "build_site", broken_site)
    result = invoke(runner, mini, "release", "--out", str(out))
    assert result.exit_code == 2 and "Input/output error; nothing was released" in result.output and list(out.iterdir()) == []
    monkeypatch.undo()
    # A stage a killed release left (its process gone) is swept by the next release.
    (out / ".release-999999999-x").mkdir()
    assert invoke(runner, mini, "release", "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [__version__]


def test_diff_names_what_it_cannot_read(runner, mini, tmp_path):
    result = invoke(runner, mini, "diff", "no-such-rev", str(mini))
    assert result.exit_code == 2 and "'no-such-rev' is no release folder" in result.output and "Traceback" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(runner, mini, "diff", str(empty), str(mini))
    assert result.exit_code == 2 and "neither a release" in result.output
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "release.json").write_text("{", encoding="utf-8")
    (broken / "govkg.trig").write_text("", encoding="utf-8")
    result = invoke(runner, mini, "diff", str(broken), str(mini))
    assert result.exit_code == 2 and "release.json: not a readable release record" in result.output


def test_every_key_diff_prints_is_documented(runner, repo):
    """docs/json.md documents the shape `kg diff --format json` prints, as for the query commands."""
    from .conftest import REPO

    doc = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
    data = json.loads(invoke(runner, repo, "diff", "r1", "r2", "-f", "json").stdout)
    keys: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                keys.add(k)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    fields = {c["field"] for part in ("concepts", "claims") for item in data[part]["changed"] for c in item["changes"]}
    missing = sorted(k for k in keys | fields if f"`{k}`" not in doc and f'"{k}"' not in doc)
    assert not missing, f"docs/json.md does not document {missing}"
    assert data["command"] == "diff" and data["version"] == 1


def test_a_revision_of_govkg_names_its_own_version(tmp_path):
    from kg.query.diff import version_in

    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "version.py").write_text('RELEASES = ("0.1.0", "0.2.0", "0.3.0")\n__version__ = RELEASES[-1]\n', encoding="utf-8")
    assert version_in(tmp_path) == "0.3.0"
    (tmp_path / "kg" / "version.py").write_text('__version__ = "0.0.9"\n', encoding="utf-8")
    assert version_in(tmp_path) == "0.0.9"
    assert version_in(tmp_path / "nowhere") is None


def test_diff_of_stubs_that_move_or_come_back():
    """A stub re-pointed (merged into a, then into b) is listed again; a stub made a concept again is added; an
    unchanged stub is not listed; a concept that vanishes without a stub is removed (its IRI no longer resolves)."""
    from kg.query.diff import diff
    from kg.query.snapshot import Snapshot

    def state(concepts, deprecated):
        return Snapshot("s", concepts={c: {"label en": c} for c in concepts}, deprecated=deprecated)

    old = state(["a", "b", "x", "y", "z", "gone"], {"x": ("a",), "y": ("a",), "z": ("a",)})
    new = state(["a", "b", "x", "y", "z"], {"x": ("b",), "y": ("a",)})
    d = diff(old, new)
    assert d.deprecated == {"x": ("b",)} and d.concepts_added == ["z"] and d.concepts_removed == ["gone"]
    assert not d.concepts_changed and not d.empty
    assert diff(new, new).empty


def test_the_projects_own_releases_by_version(runner, mini):
    """`kg release` puts the release in the project's releases/; `kg diff VERSION .` names it by its version."""
    first = invoke(runner, mini, "release")
    assert first.exit_code == 0 and (mini / "releases" / __version__ / "release.json").is_file(), first.output
    assert "no differences" in invoke(runner, mini, "diff", __version__, str(mini)).stdout
    add_escalation_shirking(mini)
    changed = invoke(runner, mini, "diff", __version__, str(mini))
    assert "Claims: 1 added, 0 removed, 0 changed, 0 replaced" in changed.stdout and "+ b-escalation-shirking" in changed.stdout


def test_no_release_through_a_link(runner, mini, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "releases").symlink_to(elsewhere, target_is_directory=True)
    result = invoke(runner, mini, "release", "--out", str(tmp_path / "releases"))
    assert result.exit_code == 2 and "symbolic link" in result.output and list(elsewhere.iterdir()) == []
    (mini / "releases").mkdir()
    (mini / "releases" / __version__).symlink_to(elsewhere, target_is_directory=True)
    result = invoke(runner, mini, "release")
    assert result.exit_code == 2 and "is a symbolic link, not a release" in result.output and list(elsewhere.iterdir()) == []


def test_markdown_diff_keeps_hostile_labels_as_text(runner, tmp_path):
    from .synthetic import PAYLOADS, make_hostile

    mini, hostile = make_mini(tmp_path / "m"), make_hostile(tmp_path / "h")
    result = invoke(runner, mini, "diff", str(mini), str(hostile), "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert "- ~ pressure 压力\\<script\\>alert('script')\\</script\\>" in result.stdout
    assert [p for p in PAYLOADS.values() if p in result.stdout] == []


def test_kg_site_lists_each_claims_releases(runner, mini, tmp_path):
    """`kg site` on a project with a release folder shows, on each claim page, the releases it appears in."""
    from .conftest import invoke

    bare = invoke(runner, mini, "site", "-o", str(tmp_path / "before"), "--no-map")
    assert bare.exit_code == 0, bare.output
    assert "added" not in (tmp_path / "before" / "claim" / "b-pressure-shirking.html").read_text(encoding="utf-8")
    cut = invoke(runner, mini, "release", "--date", "2026-01-15")
    assert cut.exit_code == 0, cut.output
    made = invoke(runner, mini, "site", "-o", str(tmp_path / "site"), "--no-map")
    assert made.exit_code == 0, made.output
    page = (tmp_path / "site" / "claim" / "b-pressure-shirking.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert f"{__version__} (" in text and "added" in text


def _readme_hash_recipe() -> str:
    """The Python block README gives under **The content hash**."""
    from .conftest import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    after = text[text.index("**The content hash**"):]
    return after[after.index("```python\n") + len("```python\n"):after.index("\n```\n")]


def test_the_readme_recipe_recomputes_the_content_hash_from_the_trig(runner, mini, tmp_path):
    # Awkward literals (a quote, a backslash, a tab, U+2028, a carriage return), a language tag, a datatype and
    # blank nodes: what the recipe must write as govkg's N-Quads write them.
    import sys

    gloss = mini / "claims" / "mini-b.yaml"
    gloss.write_text(gloss.read_text(encoding="utf-8").replace(
        "gloss: Reform can reduce shirking.", 'gloss: "Reform \\"can\\" \\\\ reduce\\tshirking\\u2028 \\r now."'), encoding="utf-8")
    concepts = mini / "ontology" / "concepts.ttl"
    concepts.write_text(concepts.read_text(encoding="utf-8") + """
<https://example.org/hash-test> <http://www.w3.org/2000/01/rdf-schema#seeAlso> [ <http://www.w3.org/2000/01/rdf-schema#comment> "x"@zh-Hant ; <http://www.w3.org/2000/01/rdf-schema#value> 42 ] , _:b .
_:b <http://www.w3.org/2000/01/rdf-schema#comment> "tab\\there" .
""", encoding="utf-8")
    built = invoke(runner, mini, "build", "--out", str(tmp_path / "dist"), "--format", "json")
    assert built.exit_code == 0, built.output
    trig = (tmp_path / "dist" / "govkg.trig").read_text(encoding="utf-8")
    assert "_:" in trig and "\\t" in trig and "\\r" in trig and "\\\\" in trig  # the awkward cases reached the output
    release = json.loads((tmp_path / "dist" / "release.json").read_text(encoding="utf-8"))
    code = _readme_hash_recipe()
    assert code.count("dist/govkg.trig") == 1
    run = subprocess.run([sys.executable, "-c", code.replace("dist/govkg.trig", str(tmp_path / "dist" / "govkg.trig"))],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == release["content_sha256"] == json.loads(built.stdout)["content_sha256"]
