"""The reverse-proxy example in docs/ works: nginx accepts it, serves TLS, and every security
header and cookie flag it promises reaches the browser."""

import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docs" / "reverse-proxy" / "nginx.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(
    NGINX is None or shutil.which("openssl") is None, reason="nginx or openssl not installed"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.send_response(200)
        self.send_header("Set-Cookie", "_streamlit_xsrf=abc; Path=/")
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(self.headers.get("X-Forwarded-Proto", "").encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    upstream = http.server.HTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "desk.key"),
            "-out",
            str(tmp_path / "desk.crt"),
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    config = (
        CONFIG.read_text()
        .replace("@RUNTIME_DIR@", str(tmp_path))
        .replace("@CERT_DIR@", str(tmp_path))
        .replace("@HTTPS_PORT@", str(port))
        .replace("@UPSTREAM@", f"127.0.0.1:{upstream.server_address[1]}")
    )
    (tmp_path / "nginx.conf").write_text(config)
    nginx = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    tested = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    subprocess.run([*nginx, "-g", "daemon on;"], check=True, capture_output=True)
    try:
        yield f"https://localhost:{port}/"
    finally:
        subprocess.run([*nginx, "-s", "stop"], capture_output=True)
        upstream.shutdown()


def test_the_nginx_example_adds_every_security_header(proxy):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    with urllib.request.urlopen(proxy, context=context, timeout=10) as response:
        headers = response.headers
        body = response.read().decode()
    assert body == "https"  # the app learns it is served over TLS
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "img-src 'self' data: blob:" in csp
    assert "default-src 'self'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = headers["Set-Cookie"].lower()
    assert "secure" in cookie and "samesite=strict" in cookie
