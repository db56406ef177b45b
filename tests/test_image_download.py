"""Production model download against a local HTTP server: checksums, resume, refusals, progress."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from appliance.models.download import DownloadError, Progress, download
from appliance.models.manifest import load_manifest

PAYLOAD = os.urandom(3 * 1024 * 1024 + 123)
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class Server:
    """Serves PAYLOAD at /model.bin (with ranges), /drop.bin (cuts the first response in half), and 404s."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str | None]] = []
        self.dropped = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Range")))
                if self.path not in ("/model.bin", "/drop.bin", "/norange.bin"):
                    self.send_error(404, "no such model")
                    return
                start = 0
                ranged = self.headers.get("Range") and self.path != "/norange.bin"
                if ranged:
                    start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
                body = PAYLOAD[start:]
                self.send_response(206 if ranged else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path == "/drop.bin" and not server.dropped:
                    server.dropped = True
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    server = Server()
    yield server
    server.close()


def manifest_with(tmp_path, url: str, sha256: str = SHA, size: int = len(PAYLOAD)):
    (tmp_path / "manifest.toml").write_text(f"""
[[model]]
name = "tiny-prod"
role = "llm"
backend = "llama-cpp"
format = "gguf"
license = "Apache-2.0"
profile = "production"
source = {{ kind = "url" }}
files = [ {{ path = "model.bin", size = {size}, sha256 = "{sha256}", url = "{url}" }} ]
""")
    manifest = load_manifest(tmp_path)
    return manifest, manifest.get("tiny-prod")


def test_downloads_and_verifies(tmp_path, server):
    manifest, model = manifest_with(tmp_path, f"{server.url}/model.bin")
    output = io.StringIO()
    store = download(manifest, model, stream=output)
    assert (store / "model.bin").read_bytes() == PAYLOAD
    assert not list(store.glob("*.partial"))
    assert "tiny-prod/model.bin: 100.0%" in output.getvalue()
    before = len(server.requests)
    download(manifest, model, stream=io.StringIO())  # intact file: no second download
    assert len(server.requests) == before


def test_a_dropped_connection_is_resumed(tmp_path, server):
    manifest, model = manifest_with(tmp_path, f"{server.url}/drop.bin")
    store = download(manifest, model, retry_pause=0.01, stream=io.StringIO())
    assert (store / "model.bin").read_bytes() == PAYLOAD
    drops = [r for r in server.requests if r[0] == "/drop.bin"]
    assert drops[0][1] is None and drops[1][1] == f"bytes={len(PAYLOAD) // 2}-"


def test_a_server_without_ranges_restarts_the_file(tmp_path, server):
    manifest, model = manifest_with(tmp_path, f"{server.url}/norange.bin")
    store = manifest.store_dir(model)
    store.mkdir(parents=True)
    (store / "model.bin.partial").write_bytes(b"x" * 1000)  # from an earlier, interrupted build
    download(manifest, model, stream=io.StringIO())
    assert (store / "model.bin").read_bytes() == PAYLOAD


def test_checksum_mismatch_leaves_nothing(tmp_path, server):
    manifest, model = manifest_with(tmp_path, f"{server.url}/model.bin", sha256="0" * 64)
    with pytest.raises(DownloadError, match="does not match"):
        download(manifest, model, stream=io.StringIO())
    assert not list(manifest.store_dir(model).iterdir())


def test_wrong_size_is_refused(tmp_path, server):
    manifest, model = manifest_with(tmp_path, f"{server.url}/model.bin", size=1000)
    with pytest.raises(DownloadError, match="manifest says 1000"):
        download(manifest, model, stream=io.StringIO())
    assert not (manifest.store_dir(model) / "model.bin").exists()


def test_missing_file_is_not_retried(tmp_path, server):
    manifest, model = manifest_with(tmp_path, f"{server.url}/gone.bin")
    before = len(server.requests)
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(manifest, model, retry_pause=0.01, stream=io.StringIO())
    assert len(server.requests) == before + 1


def test_unreachable_server_fails_after_retries(tmp_path):
    manifest, model = manifest_with(tmp_path, "http://127.0.0.1:9/model.bin")
    with pytest.raises(DownloadError, match="after 2 attempts"):
        download(manifest, model, attempts=2, retry_pause=0.01, stream=io.StringIO())


@pytest.mark.parametrize(("url", "sha", "message"), [
    ("http://x/model.bin", "", "without a pinned sha256"),
    ("http://x/model.bin", "abc", "without a pinned sha256"),
    ("", SHA, "no url"),
    ("ftp://x/model.bin", SHA, "unsupported url"),
])
def test_refuses_before_fetching(tmp_path, url, sha, message):
    manifest, model = manifest_with(tmp_path, url, sha256=sha)
    with pytest.raises(DownloadError, match=message):
        download(manifest, model, stream=io.StringIO())
    assert not manifest.store_dir(model).exists()


def test_balie_models_fetch_uses_the_downloader(tmp_path, server, monkeypatch, capsys):
    from appliance.cli import build_parser

    manifest_with(tmp_path, f"{server.url}/model.bin")
    monkeypatch.setenv("BALIE_MODELS_DIR", str(tmp_path))
    args = build_parser().parse_args(["models", "fetch", "--profile", "production"])
    assert args.func(args) == 0
    assert "tiny-prod: ready" in capsys.readouterr().out
    assert (tmp_path / "store" / "tiny-prod" / "model.bin").stat().st_size == len(PAYLOAD)


def test_progress_on_a_terminal_redraws_one_line():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = Progress("m/f", 2_000_000, terminal, interval=0)
    progress.advance(1_000_000)
    progress.advance(1_000_000)
    progress.finish()
    text = terminal.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n")
    assert " 50.0% 1.0/2.0 MB" in text and "100.0%" in text
