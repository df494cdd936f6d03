"""Ready-to-copy citations for a page: the writers of kg.output.citations, naming the release and the IRI, and a formatted reference in Chinese and English."""

from __future__ import annotations

from dataclasses import replace

from kg.output.citations import Record, get_claim_records, record_of_source, release_note, to_bibtex, to_csl_json, to_ris
from kg.rdf.release import content_hash_once


def _hashed(kg, release: dict) -> dict:
    """The version and content hash a citation names (a release record without a hash is hashed now)."""
    sha = release.get("content_sha256") or content_hash_once(kg)
    return {"version": release["version"], "content_sha256": sha}


def reference(r: Record, lang: str, iri: str, release: dict) -> str:
    """One line to put in a bibliography: author, title, container, issue, date, pinpoint, then where in govkg."""
    zh = lang.startswith("zh")
    parts: list[str] = []
    if zh:
        head = "、".join(r.authors)
        title = f"〈{r.title}〉" if r.container else f"《{r.title}》"
        body = "，".join(x for x in (title, f"《{r.container}》" if r.container else "", r.issue, r.issued, r.locator) if x)
        parts.append(f"{head}：{body}" if head else body)
        return "".join(parts) + f"。govkg {release['version']}：{iri}"
    head = ", ".join(r.authors)
    title = f"“{r.title}”" + (f" [{r.title_en.strip('[]')}]" if r.title_en else "")
    where = ", ".join(x for x in (f"in {r.container}" if r.container else "", r.issue, r.issued or "n.d.", r.locator) if x)
    return (f"{head}. " if head else "") + f"{title}. {where[:1].upper() + where[1:]}. govkg {release['version']}: {iri}"


def _styles(r: Record, iri: str, release: dict) -> list[tuple[str, str, str]]:
    """(name, language of the text, text) for each way of citing the record."""
    return [
        ("Reference (English)", "en", reference(r, "en", iri, release)),
        ("参考文献（中文）", "zh", reference(r, "zh", iri, release)),
        ("BibTeX", "", to_bibtex([r])),
        ("CSL-JSON", "", to_csl_json([r])),
        ("RIS", "", to_ris([r])),
    ]


def claim_citations(kg, claim_id: str, iri: str, release: dict) -> list[tuple[str, str, str]]:
    """A claim (or a chain, cited whole) with its quote and pinpoint, naming the release (as `kg cite` does) and its IRI."""
    r = get_claim_records(kg, [claim_id], release=_hashed(kg, release))[0]
    return _styles(replace(r, note=iri), iri, release)


def source_citations(kg, source_id: str, iri: str, release: dict) -> list[tuple[str, str, str]]:
    r = record_of_source(kg.sources[source_id], kg.works)
    return _styles(replace(r, note=iri, release=release_note(**_hashed(kg, release))), iri, release)
