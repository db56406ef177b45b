"""ONNX speech recognizers run by sherpa-onnx, for production models such as Whisper small / large-v3-turbo
or NVIDIA Parakeet-TDT-0.6B-v3 (which covers Dutch).

The model directory decides the model family by the files it holds (an int8 variant, `*.int8.onnx`, is
preferred over the float one when both are present; a name prefix such as `small-encoder.onnx` is fine):
- Whisper:    `*encoder*.onnx`, `*decoder*.onnx`, `*tokens.txt`, and no joiner. The language is set per
              utterance; None lets Whisper detect it.
- Transducer: `*encoder*.onnx`, `*decoder*.onnx`, `*joiner*.onnx`, `*tokens.txt`. sherpa-onnx reads the
              encoder's metadata to tell a NeMo transducer (Parakeet-TDT) from an icefall zipformer; the
              language is the model's own (Parakeet-TDT v3 detects it), so `language` is only recorded.
Neither family takes an initial prompt, so `prompt` is ignored. sherpa-onnx reports no no-speech
probability: `no_speech_prob` is 0.0, and `avg_logprob` is the mean of the token log-probabilities when the
model provides them (else 0.0).

sherpa-onnx ends the whole process (exit(-1)) on some malformed inputs instead of raising: a tokens file
that is not "symbol id" lines is checked here first; an ONNX file that parses but is not the expected kind of
model is not, so production models must pass the manifest's sha256 check before they are loaded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import sherpa_onnx

from appliance.speech.asr import SAMPLE_RATE, AsrModelError, Transcript, check_audio, empty_transcript

MIN_SAMPLES = SAMPLE_RATE // 10


def pick_file(model_dir: Path, role: str, suffix: str = ".onnx") -> Path | None:
    """The single file for `role` (e.g. "encoder"), int8 first; None if absent; error if ambiguous."""
    found = sorted(path for path in model_dir.glob(f"*{role}*{suffix}") if path.is_file())
    preferred = [path for path in found if ".int8." in path.name] or found
    if len(preferred) > 1:
        names = ", ".join(path.name for path in preferred)
        raise AsrModelError(f"{model_dir} has several {role} files ({names}); keep one")
    return preferred[0] if preferred else None


def check_tokens(path: Path) -> None:
    """Raises AsrModelError unless every line is "symbol id" (or just "id", the symbol being a space)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AsrModelError(f"cannot read {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if line.strip() and (len(fields) > 2 or not fields[-1].lstrip("-").isdigit()):
            raise AsrModelError(f"{path}:{number} is not a 'symbol id' line: {line[:40]!r}")


class SherpaTranscriber:
    backend = "sherpa-onnx"

    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        files = {role: pick_file(model_dir, role) for role in ("encoder", "decoder", "joiner")}
        files["tokens"] = pick_file(model_dir, "tokens", ".txt")
        missing = [role for role in ("encoder", "decoder", "tokens") if files[role] is None]
        if missing:
            raise AsrModelError(
                f"{model_dir} is not a sherpa-onnx model: no {', '.join(missing)} file "
                "(expected *encoder*.onnx, *decoder*.onnx, [*joiner*.onnx,] *tokens.txt)"
            )
        check_tokens(files["tokens"])
        self.family = "transducer" if files["joiner"] else "whisper"
        paths = {role: str(path) for role, path in files.items() if path}
        try:
            if self.family == "whisper":
                self._recognizer = sherpa_onnx.OfflineRecognizer.from_whisper(
                    paths["encoder"], paths["decoder"], paths["tokens"], language="", num_threads=threads
                )
            else:
                self._recognizer = sherpa_onnx.OfflineRecognizer.from_transducer(
                    paths["encoder"], paths["decoder"], paths["joiner"], paths["tokens"],
                    num_threads=threads, model_type="",
                )
        except (RuntimeError, ValueError) as error:
            raise AsrModelError(f"sherpa-onnx cannot load the {self.family} model in {model_dir}: {error}") from error
        self._lock = threading.Lock()
        self.transcribe(np.random.default_rng(0).normal(0.0, 0.01, SAMPLE_RATE).astype(np.float32), "en")

    def transcribe(
        self,
        samples16k: np.ndarray,
        language: str | None = "nl",
        prompt: str | None = None,
        *,
        choose_language: Callable[[dict[str, float]], str] | None = None,
        prompts: Mapping[str, str] | None = None,
    ) -> Transcript:
        """sherpa-onnx reports no language probabilities and takes no prompt: `language=None` lets a Whisper
        model detect it, a transducer is language-agnostic; `choose_language` and `prompts` are not used."""
        audio = check_audio(samples16k)
        if language is not None and (not isinstance(language, str) or not language.isalpha()):
            raise ValueError(f"language must be a language code like 'nl', or None; got {language!r}")
        duration = audio.size / SAMPLE_RATE
        if audio.size < MIN_SAMPLES:
            return empty_transcript(language, duration)
        started = time.perf_counter()
        with self._lock:
            stream = self._recognizer.create_stream()
            if self.family == "whisper" and language:
                stream.set_option("language", language)
            stream.accept_waveform(SAMPLE_RATE, audio)
            self._recognizer.decode_stream(stream)
            result = stream.result
        elapsed = time.perf_counter() - started
        log_probs = list(result.ys_log_probs)
        return Transcript(
            text=result.text.strip(),
            language=(result.lang or language or "").strip("<|>"),
            no_speech_prob=0.0,
            avg_logprob=float(np.mean(log_probs)) if log_probs else 0.0,
            duration_s=duration,
            elapsed_s=elapsed,
        )
