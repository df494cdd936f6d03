"""The citable static site: a page per concept, claim, chain, source, work and release at the path of its IRI, with its RDF beside it."""

from kg.output.site.builder import Site, build_site, site_files

__all__ = ["Site", "build_site", "site_files"]
