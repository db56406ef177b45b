"""Downloads production models from the URLs in the manifest (image build only, never at call time).

Each file streams into `<name>.partial` (resumed after an interruption when the server supports ranges),
is checked against the manifest's size and sha256, and only then renamed into place.
"""

from __future__ import annotations

import http.client
import os
import re
import sys
import time
from pathlib import Path, PurePosixPath
from typing import TextIO
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from appliance.models.manifest import Manifest, ModelEntry, ModelFile
from appliance.models.store import ModelMissingError, sha256_of

CHUNK = 1024 * 1024
TIMEOUT_SECONDS = 60
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


class DownloadError(ModelMissingError):
    """A model file could not be downloaded or did not match the manifest."""


class Progress:
    """One line per file: percentage, megabytes, speed and time left; redrawn in place on a terminal."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, interval: float = 0.5) -> None:
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.interval = interval if self.interactive else 10.0
        self.done = 0
        self._started = self._last = time.monotonic()
        self._start_bytes = 0

    def resume_from(self, done: int) -> None:
        self.done = self._start_bytes = done

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._draw(final=False)

    def finish(self) -> None:
        self._draw(final=True)

    def _draw(self, final: bool) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        speed = (self.done - self._start_bytes) / elapsed
        percent = 100.0 * self.done / self.total if self.total else 100.0
        left = (self.total - self.done) / speed if speed > 0 else float("inf")
        eta = "" if final or left == float("inf") else f", {int(left) // 60}:{int(left) % 60:02d} left"
        line = (f"{self.label}: {percent:5.1f}% {self.done / 1e6:,.1f}/{self.total / 1e6:,.1f} MB "
                f"at {speed / 1e6:.1f} MB/s{eta}")
        if self.interactive:
            self.stream.write("\r\033[K" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def check_downloadable(model: ModelEntry) -> None:
    """Refuses a model before any byte is fetched if a file lacks a URL or a pinned sha256."""
    for spec in model.files:
        where = f"{model.name}: {spec.path}"
        if not spec.url:
            raise DownloadError(f"{where} has no url in the manifest")
        if not spec.url.startswith(("https://", "http://", "file://")):
            raise DownloadError(f"{where}: unsupported url {spec.url!r} (https, http or file only)")
        if not SHA256_PATTERN.fullmatch(spec.sha256):
            raise DownloadError(f"{where}: refusing to download without a pinned sha256 in the manifest")
        if spec.size <= 0:
            raise DownloadError(f"{where}: the manifest must give the file's size in bytes")
        relative = PurePosixPath(spec.path)
        if relative.is_absolute() or ".." in relative.parts:
            raise DownloadError(f"{where}: the file path must stay inside the model's folder")


def download(manifest: Manifest, model: ModelEntry, *, attempts: int = 3, retry_pause: float = 2.0,
             stream: TextIO | None = None) -> Path:
    """Fetches every file of `model` into its store folder; files already there and intact are kept.

    Network failures are retried `attempts` times, pausing `retry_pause` seconds, doubling each time."""
    check_downloadable(model)
    store = manifest.store_dir(model)
    for spec in model.files:
        target = store / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() and target.stat().st_size == spec.size and sha256_of(target) == spec.sha256:
            continue
        _fetch_with_retries(model, spec, target, attempts, retry_pause, stream)
    return store


def _fetch_with_retries(model: ModelEntry, spec: ModelFile, target: Path, attempts: int, retry_pause: float,
                        stream: TextIO | None) -> None:
    partial = target.with_name(target.name + ".partial")
    for attempt in range(1, attempts + 1):
        try:
            _fetch(model, spec, partial, stream)
            break
        except HTTPError as exc:
            if exc.code < 500 or attempt == attempts:
                raise DownloadError(f"{model.name}: {spec.url}: HTTP {exc.code} {exc.reason}") from exc
        except (URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            if attempt == attempts:
                raise DownloadError(f"{model.name}: {spec.url}: {exc} (after {attempts} attempts)") from exc
        time.sleep(min(retry_pause * 2 ** (attempt - 1), 60))
    _verify_and_install(model, spec, partial, target)


def _fetch(model: ModelEntry, spec: ModelFile, partial: Path, stream: TextIO | None) -> None:
    """Streams the file into `partial`, continuing where an earlier attempt stopped if the server allows."""
    have = partial.stat().st_size if partial.is_file() else 0
    if have > spec.size:
        partial.unlink()
        have = 0
    if have == spec.size:
        return
    request = Request(spec.url, headers={"User-Agent": "balie-image-build"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    with urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        resumed = have > 0 and getattr(response, "status", None) == 206
        start = have if resumed else 0
        announced = response.headers.get("Content-Length")
        if announced is not None and announced.isdigit() and start + int(announced) != spec.size:
            raise DownloadError(f"{model.name}: {spec.url} has {start + int(announced)} bytes, the manifest "
                                f"says {spec.size}; the manifest or the server is wrong")
        progress = Progress(f"{model.name}/{spec.path}", spec.size, stream)
        progress.resume_from(start)
        with partial.open("ab" if resumed else "wb") as out:
            written = start
            while chunk := response.read(CHUNK):
                written += len(chunk)
                if written > spec.size:
                    raise DownloadError(f"{model.name}: {spec.url} is larger than the {spec.size} bytes "
                                        f"the manifest gives; the manifest or the server is wrong")
                out.write(chunk)
                progress.advance(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if written < spec.size:
            raise ConnectionError(f"the connection closed after {written} of {spec.size} bytes")
        progress.finish()


def _verify_and_install(model: ModelEntry, spec: ModelFile, partial: Path, target: Path) -> None:
    size = partial.stat().st_size
    if size != spec.size:
        partial.unlink()
        raise DownloadError(f"{model.name}: {spec.path}: got {size} bytes, the manifest says {spec.size}")
    digest = sha256_of(partial)
    if digest != spec.sha256:
        partial.unlink()
        raise DownloadError(f"{model.name}: {spec.path}: sha256 {digest} does not match the manifest's "
                            f"{spec.sha256} (corrupt or tampered download)")
    os.replace(partial, target)
