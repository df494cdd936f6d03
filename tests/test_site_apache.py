"""The content negotiation `kg site` writes for Apache, in a real Apache on loopback: w3id.org's redirect (conneg/w3id.htaccess,
as w3id.org's Apache runs it) leading to the site, and the site's own .htaccess.

Needs Apache with mod_rewrite and mod_headers (Debian: apt-get install apache2); without it the test skips and says why.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import rdflib

MODULES = Path("/usr/lib/apache2/modules")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def apache(mini_ro):
    exe = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").exists() else None)
    if exe is None or not (MODULES / "mod_rewrite.so").exists():
        pytest.skip("Apache with mod_rewrite is not installed (apt-get install apache2)")
    from kg.model.project import load_kg
    from kg.output.site import build_site

    kg, _ = load_kg(mini_ro)
    w3id, host = _free_port(), _free_port()
    # Apache's workers run as another user when started as root: a folder they may read.
    with tempfile.TemporaryDirectory(prefix="govkg-apache-") as tmp_name:
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o755)
        build_site(kg, tmp / "host" / "govkg", with_map=False, site_url=f"http://127.0.0.1:{host}/govkg/")
        (tmp / "w3id" / "govkg").mkdir(parents=True)
        shutil.copy(tmp / "host" / "govkg" / "conneg" / "w3id.htaccess", tmp / "w3id" / "govkg" / ".htaccess")
        user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
        modules = "".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so\n"
                          for m in ("mpm_event", "authz_core", "dir", "mime", "rewrite", "headers") if (MODULES / f"mod_{m}.so").exists())
        conf = tmp / "httpd.conf"
        conf.write_text(f"""ServerRoot {tmp}
{modules}{user}PidFile {tmp}/httpd.pid
ErrorLog {tmp}/error.log
Mutex file:{tmp}
ServerName 127.0.0.1
TypesConfig /etc/mime.types
DirectoryIndex index.html
Listen 127.0.0.1:{w3id}
Listen 127.0.0.1:{host}
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {tmp}/w3id>
    AllowOverride All
    Options +FollowSymLinks
    Require all granted
</Directory>
<Directory {tmp}/host>
    AllowOverride FileInfo
    Options +FollowSymLinks
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:{w3id}>
    DocumentRoot {tmp}/w3id
</VirtualHost>
<VirtualHost 127.0.0.1:{host}>
    DocumentRoot {tmp}/host
</VirtualHost>
""", encoding="utf-8")
        for p in tmp.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        env = {**os.environ, "APACHE_RUN_DIR": tmp_name, "APACHE_LOCK_DIR": tmp_name, "APACHE_LOG_DIR": tmp_name}
        proc = subprocess.Popen([exe, "-f", str(conf), "-DFOREGROUND"], env=env, stderr=subprocess.PIPE)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", host), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"Apache did not start: {proc.stderr.read().decode(errors='replace') if proc.stderr else ''}")
                time.sleep(0.05)
        yield w3id, host, tmp
        proc.terminate()
        proc.wait(timeout=20)


def log(tmp: Path) -> str:
    return (tmp / "error.log").read_text(errors="replace")[-2000:]


def get(port: int, path: str, accept: str = "text/html") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept": accept})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def test_the_w3id_redirect_sends_each_client_to_what_it_asks_for(apache):
    w3id, host, tmp = apache
    site = f"http://127.0.0.1:{host}/govkg/"
    for accept, suffix in (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"), ("text/html,*/*;q=0.8", ".html")):
        status, headers, _ = get(w3id, "/govkg/claim/b-pressure-shirking", accept)
        assert status == 303, (accept, status, (tmp / "error.log").read_text(errors="replace")[-2000:])
        assert headers["location"] == f"{site}claim/b-pressure-shirking{suffix}"
        status, headers, body = get(host, headers["location"][len(f"http://127.0.0.1:{host}"):], accept)
        assert status == 200
    assert rdflib.Graph().parse(data=get(host, "/govkg/concept/shirking.ttl")[2].decode(), format="turtle")
    assert get(w3id, "/govkg/claim/a-chain/steps/2")[1]["location"] == f"{site}claim/a-chain.html"
    assert get(w3id, "/govkg/vocab")[1]["location"] == f"{site}vocab.html"
    assert get(w3id, "/govkg/")[1]["location"] == f"{site}index.html"


def test_the_sites_own_htaccess_negotiates_on_apache(apache):
    _, host, tmp = apache
    status, headers, body = get(host, "/govkg/claim/b-pressure-shirking", "text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle"), (tmp / "error.log").read_text(errors="replace")[-2000:]
    assert len(rdflib.Graph().parse(data=body.decode(), format="turtle")) > 10
    status, headers, body = get(host, "/govkg/concept/shirking", "application/ld+json")
    assert status == 200 and headers["content-type"].startswith("application/ld+json"), log(tmp)
    status, headers, body = get(host, "/govkg/concept/shirking")
    assert status == 200 and headers["content-type"].startswith("text/html") and "推诿".encode() in body, log(tmp)
    assert "Accept" in headers.get("vary", "")
    status, headers, _ = get(host, "/govkg/claim/a-discount-escalation/evidence")
    assert status == 303 and headers["location"].endswith("/govkg/claim/a-discount-escalation.html"), (status, headers, log(tmp))
