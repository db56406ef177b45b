"""Measures the speech backends on this machine: `python -m appliance.speech.bench [--json]`.

VAD cost per 20 ms frame, ASR latency and real-time factor on a 2 s phone-band utterance, TTS time to first
audio for a two-sentence reply (eSpeak NG and Piper), and the resident memory each backend adds while its
model loads (libraries are imported first and counted in `process_rss_mb` instead).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from appliance.models.manifest import load_manifest
from appliance.models.store import model_path
from appliance.speech.asr import create_transcriber
from appliance.speech.resample import resample
from appliance.speech.tts import create_synthesizer
from appliance.speech.vad import SpeechDetector

REPLY = ("We are open from nine to five on weekdays.", "Would you like to make an appointment?")
UTTERANCE = "I would like to make an appointment for tomorrow."
FRAME = 320


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def loaded(load: Callable[[], object]) -> tuple[object, float, float]:
    """(object, seconds to load, MB of RSS it added)."""
    before, started = rss_mb(), time.perf_counter()
    thing = load()
    return thing, time.perf_counter() - started, rss_mb() - before


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return durations


def bench_vad(audio16k: np.ndarray) -> dict:
    path = model_path(load_manifest(), "silero-vad", "silero_vad.onnx")
    detector, load_s, memory = loaded(lambda: SpeechDetector(path))
    frames = [audio16k[i : i + FRAME] for i in range(0, audio16k.size - FRAME + 1, FRAME)] * 5
    costs = []
    for frame in frames:
        started = time.perf_counter()
        detector.feed(frame)
        costs.append(time.perf_counter() - started)
    return {
        "load_s": load_s,
        "rss_mb": memory,
        "frame_mean_ms": statistics.fmean(costs) * 1000,
        "frame_p99_ms": float(np.percentile(costs, 99)) * 1000,
        "frames": len(costs),
    }


def bench_asr(utterance16k: np.ndarray, threads: int) -> dict:
    directory = model_path(load_manifest(), "whisper-base")
    transcriber, load_s, memory = loaded(lambda: create_transcriber("faster-whisper", directory, threads))
    latencies = timed(lambda: transcriber.transcribe(utterance16k, language="en"), 5)
    duration = utterance16k.size / 16000
    return {
        "load_s": load_s,
        "rss_mb": memory,
        "utterance_s": duration,
        "latency_median_s": statistics.median(latencies),
        "latency_max_s": max(latencies),
        "rtf": statistics.median(latencies) / duration,
        "text": transcriber.transcribe(utterance16k, language="en").text,
    }


def bench_tts(backend: str, threads: int) -> dict:
    model_dir = model_path(load_manifest(), "piper-en-joe") if backend == "sherpa-onnx" else None
    synthesizer, load_s, memory = loaded(lambda: create_synthesizer(backend, model_dir=model_dir, threads=threads))
    synthesizer.synthesize("Warm up.", "en")
    whole = timed(lambda: synthesizer.synthesize(" ".join(REPLY), "en"), 5)
    first = timed(lambda: synthesizer.synthesize(REPLY[0], "en"), 5)
    audio = synthesizer.synthesize(" ".join(REPLY), "en")
    return {
        "load_s": load_s,
        "rss_mb": memory,
        "sample_rate": synthesizer.sample_rate,
        "reply_audio_s": audio.size / synthesizer.sample_rate,
        "whole_reply_median_s": statistics.median(whole),
        "first_sentence_median_s": statistics.median(first),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    imports_rss = rss_mb()
    tts_espeak = bench_tts("espeak-ng", args.threads)
    espeak_tts = create_synthesizer("espeak-ng")
    spoken = espeak_tts.synthesize(UTTERANCE, "en")
    utterance = resample(resample(spoken, espeak_tts.sample_rate, 8000), 8000, 16000)
    utterance = utterance[: 2 * 16000] if utterance.size > 2 * 16000 else utterance
    silence = np.zeros(16000, np.float32)
    results = {
        "vad": bench_vad(np.concatenate([silence, utterance, silence])),
        "tts_espeak": tts_espeak,
        "tts_piper": bench_tts("sherpa-onnx", args.threads),
        "asr_faster_whisper": bench_asr(utterance, args.threads),
    }
    results["process_rss_mb"] = {"after_imports": imports_rss, "at_end": rss_mb()}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, figures in results.items():
            shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
            print(f"{name}: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
