"""The nginx configuration `kg site` writes (conneg/nginx.conf), run in a real nginx on loopback: content negotiation as documented.

Needs nginx (Debian: apt-get install nginx-light); without it the test skips and says why.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import rdflib


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory, mini_ro):
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if exe is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    from kg.model.project import load_kg
    from kg.output.site import build_site

    kg, _ = load_kg(mini_ro)
    tmp = tmp_path_factory.mktemp("nginx")
    build_site(kg, tmp / "www" / "govkg", with_map=False)
    port = _free_port()
    from kg.output.site.conneg import NGINX_SERVER

    http_part, server_part = (tmp / "www" / "govkg" / "conneg" / "nginx.conf").read_text(encoding="utf-8").split(NGINX_SERVER)
    conf = tmp / "nginx.conf"
    conf.write_text(f"""{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
{http_part}
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
{server_part}
    }}
}}
""", encoding="utf-8")
    proc = subprocess.Popen([exe, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"nginx did not start: {proc.stderr.read().decode(errors='replace') if proc.stderr else ''}")
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def get(port: int, path: str, accept: str = "text/html") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def test_an_iri_path_gives_the_page_turtle_or_json_ld_by_the_accept_header(nginx):
    page = get(nginx, "/govkg/claim/b-pressure-shirking")
    assert page.status == 200 and page.getheader("Content-Type").startswith("text/html")
    assert "在激励强的时候".encode() in page.body
    ttl = get(nginx, "/govkg/claim/b-pressure-shirking", "text/turtle")
    assert ttl.status == 200 and ttl.getheader("Content-Type").startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=ttl.body.decode(), format="turtle")) > 10
    jsonld = get(nginx, "/govkg/concept/shirking", "application/ld+json, */*;q=0.1")
    assert jsonld.status == 200 and jsonld.getheader("Content-Type").startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jsonld.body.decode(), format="json-ld")) > 3
    assert "Accept" in (page.getheader("Vary") or "")


def test_an_iri_below_a_resource_redirects_to_it_and_lists_answer(nginx):
    below = get(nginx, "/govkg/claim/a-discount-escalation/evidence/target-1")
    assert below.status in (301, 302, 303) and below.getheader("Location").endswith("/govkg/claim/a-discount-escalation")
    assert get(nginx, "/govkg/").status == 200
    assert get(nginx, "/govkg/concept/").status == 200
    assert get(nginx, "/govkg/vocab").status == 200
    assert get(nginx, "/govkg/claim/no-such-claim").status == 404
