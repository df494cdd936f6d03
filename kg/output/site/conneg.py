"""Content negotiation for the site's IRIs: the .htaccess for w3id.org's redirect, and the rules for a plain nginx or Apache server.

Each IRI `https://w3id.org/govkg/<kind>/<id>` answers a browser with the page `<kind>/<id>.html`, a
client asking for Turtle with `<kind>/<id>.ttl`, and one asking for JSON-LD with `<kind>/<id>.jsonld`
(303 See Other, as the W3C's "Cool URIs for the Semantic Web" recommends for non-document resources).
An IRI below a resource (`claim/<id>/evidence`) goes to the resource's page. docs/publishing.md tells
how to register the redirect.
"""

from __future__ import annotations

KINDS = "concept|claim|source|work|release"


def htaccess(site_url: str) -> str:
    """The .htaccess to put in w3id.org's repository as govkg/.htaccess (site_url: where the site is hosted, ending in /)."""
    u = site_url if site_url.endswith("/") else site_url + "/"
    return f"""# w3id.org/govkg: permanent identifiers of govkg (https://w3id.org/govkg/), redirected to the site at {u}
# Written by `kg site`. Maintainers: see docs/publishing.md in the govkg repository.
Options +FollowSymLinks
RewriteEngine on

# Turtle, for clients that ask for it
RewriteCond %{{HTTP_ACCEPT}} text/turtle
RewriteRule ^({KINDS})/([^/]+)(/.*)?$ {u}$1/$2.ttl [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} text/turtle
RewriteRule ^vocab(/.*)?$ {u}vocab.ttl [R=303,L]

# JSON-LD
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json
RewriteRule ^({KINDS})/([^/]+)(/.*)?$ {u}$1/$2.jsonld [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json
RewriteRule ^vocab(/.*)?$ {u}vocab.jsonld [R=303,L]

# Everyone else: the page (a fragment such as vocab#cause is kept by the browser)
RewriteRule ^({KINDS})/([^/]+)(/.*)?$ {u}$1/$2.html [R=303,L]
RewriteRule ^({KINDS})/?$ {u}$1/index.html [R=303,L]
RewriteRule ^vocab(/.*)?$ {u}vocab.html [R=303,L]
RewriteRule ^$ {u}index.html [R=303,L]
"""


def nginx(prefix: str = "/govkg/") -> str:
    """An nginx server block part that serves the site folder at `prefix` with the same negotiation."""
    p = prefix if prefix.endswith("/") else prefix + "/"
    return f"""# govkg site on nginx: put inside a server {{ }} block; the site folder is served at {p}
# Written by `kg site` (docs/publishing.md).
location {p} {{
    types {{ text/html html; text/turtle ttl; application/ld+json jsonld; application/json json; text/css css; }}
    add_header X-Content-Type-Options nosniff;
    add_header Vary Accept;
    set $govkg_ext html;
    if ($http_accept ~* "text/turtle") {{ set $govkg_ext ttl; }}
    if ($http_accept ~* "application/ld\\+json") {{ set $govkg_ext jsonld; }}
    rewrite ^{p}({KINDS})/([^/]+)/.+$ {p}$1/$2 redirect;
    rewrite ^{p}vocab/.+$ {p}vocab redirect;
    try_files $uri $uri.$govkg_ext $uri/index.html =404;
}}
"""


def apache(prefix: str = "/govkg/") -> str:
    """An Apache .htaccess for the site folder itself, served at `prefix`: the same negotiation without w3id."""
    p = prefix if prefix.endswith("/") else prefix + "/"
    return f"""# govkg site on Apache: this .htaccess sits in the site folder, served at {p}
# Written by `kg site` (docs/publishing.md). Needs mod_rewrite and AllowOverride FileInfo.
AddType text/turtle .ttl
AddType application/ld+json .jsonld
<IfModule mod_headers.c>
Header set Vary Accept
</IfModule>
<IfModule mod_rewrite.c>
RewriteEngine on
RewriteBase {p}
RewriteCond %{{HTTP_ACCEPT}} text/turtle
RewriteCond %{{REQUEST_FILENAME}}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json
RewriteCond %{{REQUEST_FILENAME}}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{{REQUEST_FILENAME}}.html -f
RewriteRule ^(.+)$ $1.html [L]
RewriteRule ^({KINDS})/([^/]+)/.+$ $1/$2.html [R=303,L]
</IfModule>
"""
