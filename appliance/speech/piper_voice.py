"""A Piper voice (`<name>.onnx` + `<name>.onnx.json`) made loadable by sherpa-onnx.

sherpa-onnx's VITS runner needs two things a Piper release does not have:
- `tokens.txt`: one "symbol id" line per entry of the voice's `phoneme_id_map`;
- metadata inside the ONNX file (model_type=vits, comment=piper, language, voice, n_speakers, sample_rate).
Both are generated from the `.onnx.json` into a cache directory at load, deterministically: the metadata is
added by appending protobuf `metadata_props` entries (field 14 of ModelProto) to a copy of the model, which
is exactly what re-serializing with the `onnx` package would produce, without that dependency. A stamp file
records the source's identity so the 60 MB copy is made only once per voice version.

sherpa-onnx 2.x no longer phonemizes text itself: the caller passes IPA codepoints, which come from
eSpeak NG (`appliance.speech.espeak`, using Debian's espeak-ng-data) as Piper's own phonemizer does.

The cache is `<model_dir>/.sherpa-onnx/<name>/`, or `~/.cache/balie/sherpa-onnx/<name>/` when the model
directory is read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

CACHE_SUBDIR = ".sherpa-onnx"
USER_CACHE = Path.home() / ".cache" / "balie" / "sherpa-onnx"
STAMP = "source.stamp"
FORMAT_VERSION = "1"  # bump when the generated files change shape


class PiperVoiceError(ValueError):
    """A Piper voice is incomplete or its .onnx.json cannot be used."""


@dataclass(frozen=True)
class PiperVoice:
    name: str
    model: Path
    config: dict
    language: str  # two-letter family, e.g. "nl", "en"
    espeak_voice: str
    sample_rate: int
    speakers: int

    @classmethod
    def load(cls, model: Path) -> PiperVoice:
        config_path = model.with_name(model.name + ".json")
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise PiperVoiceError(f"Piper voice {model.name} has no {config_path.name} next to it") from error
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise PiperVoiceError(f"{config_path} is not readable JSON: {error}") from error
        try:
            espeak_voice = str(config["espeak"]["voice"])
            sample_rate = int(config["audio"]["sample_rate"])
            id_map = config["phoneme_id_map"]
            language = str(config.get("language", {}).get("family") or espeak_voice.split("-")[0])
            speakers = int(config.get("num_speakers", 1))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise PiperVoiceError(f"{config_path} lacks a Piper field: {error!r}") from error
        if config.get("phoneme_type", "espeak") != "espeak" or not isinstance(id_map, dict) or not id_map:
            raise PiperVoiceError(f"{config_path}: only eSpeak-phonemized Piper voices are supported")
        return cls(model.stem, model, config, language, espeak_voice, sample_rate, speakers)

    def prepare(self) -> tuple[Path, Path]:
        """Returns (model with metadata, tokens.txt), generating them into the cache if out of date."""
        cache = self._cache_dir()
        stamp = self._source_stamp()
        model, tokens = cache / "model.onnx", cache / "tokens.txt"
        stamp_path = cache / STAMP
        if stamp_path.is_file() and stamp_path.read_text() == stamp and model.is_file() and tokens.is_file():
            return model, tokens
        _write_atomically(tokens, self._tokens_text().encode("utf-8"))
        partial = model.with_name(model.name + ".partial")
        shutil.copyfile(self.model, partial)
        with partial.open("ab") as handle:
            handle.write(self._metadata_bytes())
        os.replace(partial, model)
        _write_atomically(stamp_path, stamp.encode())
        return model, tokens

    def _cache_dir(self) -> Path:
        for root in (self.model.parent / CACHE_SUBDIR, USER_CACHE):
            directory = root / self.name
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError:
                continue
            if os.access(directory, os.W_OK):
                return directory
        raise PiperVoiceError(f"no writable cache for {self.name} under {self.model.parent} or {USER_CACHE}")

    def _source_stamp(self) -> str:
        status = self.model.stat()
        config = json.dumps(self.config, sort_keys=True).encode()
        return f"{FORMAT_VERSION} {status.st_size} {status.st_mtime_ns} {hashlib.sha256(config).hexdigest()}\n"

    def _tokens_text(self) -> str:
        lines = []
        for symbol, ids in self.config["phoneme_id_map"].items():
            if symbol == "\n":  # cannot be written on one line; Piper never emits it
                continue
            lines.append(f"{symbol} {ids[0] if isinstance(ids, list) else ids}\n")
        return "".join(lines)

    def metadata(self) -> dict[str, str]:
        language = self.config.get("language", {}).get("name_english") or self.language
        return {
            "model_type": "vits",
            "comment": "piper",
            "language": str(language),
            "voice": self.espeak_voice,
            "has_espeak": "1",
            "n_speakers": str(self.speakers),
            "sample_rate": str(self.sample_rate),
        }

    def _metadata_bytes(self) -> bytes:
        entries = (
            _field(1, key.encode()) + _field(2, value.encode()) for key, value in self.metadata().items()
        )
        return b"".join(_field(14, entry) for entry in entries)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
