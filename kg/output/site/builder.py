"""`kg site`: the whole static site for a graph, written at once."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError
from kg.output.pieces import render_rdf
from kg.output.site.conneg import apache, htaccess, nginx
from kg.output.site.pages import MAP, Pages
from kg.output.site.write import write_tree
from kg.rdf.emit import iter_quads
from kg.rdf.serialize import jsonld_context, ox_quads

# Where w3id.org/govkg redirects to until the real host is given (--site-url): docs/publishing.md
PLACEHOLDER_URL = "https://SITE-HOST.example/govkg/"


@dataclass
class Site:
    """What build_site wrote: the folder, its pages and files, and how long it took."""

    path: Path
    pages: int
    files: int
    seconds: float
    release: dict


_URL = re.compile(r"https?://[^\s\"'<>\\]+")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]*")


def check_inputs(release: dict, site_url: str) -> str:
    """The site URL ending in /, or KGError: both go into files (a path, the .htaccess) and must be what they say."""
    version = str(release.get("version", ""))
    if not _VERSION.fullmatch(version) or ".." in version:
        raise KGError(f"release version {version!r} cannot name a page: use letters, digits and . _ + - (e.g. 0.3.0)")
    if site_url and not _URL.fullmatch(site_url):
        raise KGError(f"--site-url {site_url!r} is not an http(s) URL without spaces or quotes, e.g. https://example.org/govkg/")
    return site_url if not site_url or site_url.endswith("/") else site_url + "/"


def site_files(model, *, release: dict | None = None, history: dict | None = None, site_url: str = "",
               with_map: bool = True) -> dict[str, bytes]:
    """Every file of the site but the map (`with_map`: the pages link to map.html), by path in the site, in memory."""
    from kg.output.build import release_metadata

    release = release or release_metadata(model)
    site_url = check_inputs(release, site_url)
    quads = ox_quads(model)
    files = Pages(model, release, history, quads, with_map).build()
    files["govkg.ttl"], _, files["govkg.jsonld"] = render_rdf(list(iter_quads(model)), None)  # the bytes of `kg build`'s
    files["context.jsonld"] = (json.dumps({"@context": {**jsonld_context()["@context"], "schema": "https://schema.org/"}}, indent=1) + "\n").encode()
    files["release.json"] = (json.dumps(release, ensure_ascii=False, indent=2) + "\n").encode()
    files["conneg/w3id.htaccess"] = htaccess(site_url or PLACEHOLDER_URL).encode()
    files["conneg/nginx.conf"] = nginx().encode()
    files[".htaccess"] = apache().encode()
    files["robots.txt"] = b"User-agent: *\nAllow: /\n"
    files[".nojekyll"] = b""  # GitHub Pages: serve the files as they are
    return files


def build_site(model, out_dir: Path, *, release: dict | None = None, history: dict | None = None,
               site_url: str = "", with_map: bool = True) -> Site:
    """Write the static site of `model` (a kg.model.project.KG) to out_dir, replacing the previous one whole.

    `release`: the release record (version, content_sha256, date …; default: this version, hashed now).
    `history`: claim id → the releases it appears in, each {"version", "change", "changes": [...], "date"},
    shown on the claim's page. `site_url`: where the site will be hosted, for the w3id redirect.
    A failed build leaves out_dir as it was (kg.output.site.write). KGError when out_dir holds
    files govkg did not write.
    """
    from kg.output.build import release_metadata

    start = time.perf_counter()
    release = release or release_metadata(model)
    files = site_files(model, release=release, history=history, site_url=site_url, with_map=with_map)

    def add_map(stage: Path) -> None:
        if with_map:
            from kg.output.render import render

            render(model, stage / MAP, lang="both")

    try:
        path = write_tree(files, Path(out_dir), add_map)
    except OSError as exc:
        raise KGError(f"could not write the site to {out_dir}: {exc.strerror or exc}; the previous site is unchanged") from exc
    pages = sum(1 for n in files if n.endswith(".html")) + (1 if with_map else 0)
    return Site(path, pages, len(files) + (1 if with_map else 0), time.perf_counter() - start, release)
