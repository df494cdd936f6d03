"""Content negotiation for the site's IRIs: the .htaccess for w3id.org's redirect, and the rules for a plain nginx or Apache server.

Each IRI `https://w3id.org/govkg/<kind>/<id>` answers a browser with the page `<kind>/<id>.html`, a
client asking for Turtle with `<kind>/<id>.ttl`, and one asking for JSON-LD with `<kind>/<id>.jsonld`
(303 See Other, as the W3C's "Cool URIs for the Semantic Web" recommends for non-document resources).
An IRI below a resource (`claim/<id>/evidence`) goes to the resource's page. docs/publishing.md tells
how to register the redirect.
"""

from __future__ import annotations

from kg.output.site.paths import KINDS as PAGE_KINDS

KINDS = "|".join(PAGE_KINDS)  # the IRI kinds that have a page each


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


NGINX_HTTP = "# --- in the http { } block ---"
NGINX_SERVER = "# --- in the server { } block ---"


def nginx(prefix: str = "/govkg/") -> str:
    """nginx configuration serving the site folder at `prefix` with the same negotiation: a map for the http block
    (an `if` inside the location would hand the request to a nested location without try_files), and a location."""
    p = prefix if prefix.endswith("/") else prefix + "/"
    return f"""# govkg site on nginx: the server's root holds the site folder as {p.strip('/')}/, served at {p}
# Written by `kg site` (docs/publishing.md).
{NGINX_HTTP}
map $http_accept $govkg_ext {{
    default html;
    "~*text/turtle" ttl;
    "~*application/ld\\+json" jsonld;
}}
{NGINX_SERVER}
location {p} {{
    types {{ text/html html; text/turtle ttl; application/ld+json jsonld; application/json json; text/plain txt; }}
    add_header X-Content-Type-Options nosniff;
    add_header Vary Accept;
    rewrite ^{p}({KINDS})/([^/]+)/.+$ {p}$1/$2 redirect;
    rewrite ^{p}vocab/.+$ {p}vocab redirect;
    try_files $uri.$govkg_ext $uri $uri.html $uri/index.html =404;
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
# An IRI below a resource (claim/<id>/evidence …) is described on the resource's page: first, or the
# rules below would append an extension to it (Apache takes claim/<id> as the file, the rest as path info).
RewriteRule ^({KINDS})/([^/]+)/.+$ $1/$2.html [R=303,L]
RewriteRule ^vocab/.+$ vocab.html [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} text/turtle
RewriteCond %{{REQUEST_FILENAME}}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json
RewriteCond %{{REQUEST_FILENAME}}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{{REQUEST_FILENAME}}.html -f
RewriteRule ^(.+)$ $1.html [L]
</IfModule>
"""
