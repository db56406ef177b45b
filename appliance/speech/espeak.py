"""In-process eSpeak NG through ctypes (libespeak-ng.so.1): waveform synthesis and IPA phonemization.

The library keeps one global state (current voice, callback), so every call goes through one process-wide
lock. Synthesis runs in AUDIO_OUTPUT_SYNCHRONOUS mode: espeak_Synth returns when the text is spoken, having
handed 16-bit PCM at the library's native rate (22,050 Hz) to our callback.
"""

from __future__ import annotations

import ctypes
import threading
import unicodedata

import numpy as np

LIBRARY = "libespeak-ng.so.1"

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
CHARS_UTF8 = 1
PHONEMES_IPA = 0x02
EE_OK = 0
BUFFER_MS = 100

# The character just before a clause break decides which punctuation a Piper voice is given (as in
# piper-phonemize): sentence ends close a sentence, the others stay inside it followed by a space.
SENTENCE_END = {".": ".", "?": "?", "!": "!"}
CLAUSE_BREAK = {",": ", ", ":": ": ", ";": "; "}

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class EspeakError(RuntimeError):
    """eSpeak NG is missing, failed to start, or refused a request."""


class Espeak:
    """The process's single eSpeak NG instance; get it with `espeak()`."""

    def __init__(self) -> None:
        try:
            self._lib = ctypes.CDLL(LIBRARY)
        except OSError as error:
            raise EspeakError(
                f"cannot load {LIBRARY} (apt-get install libespeak-ng1 espeak-ng-data): {error}"
            ) from error
        self._declare()
        self._lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept referenced: the library holds the pointer
        rate = self._lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, None, INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EspeakError("espeak_Initialize failed (is espeak-ng-data installed?)")
        self.sample_rate: int = rate
        self._lib.espeak_SetSynthCallback(self._callback)

    def _declare(self) -> None:
        lib = self._lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
            ctypes.c_void_p, ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p

    def _collect(self, wav: ctypes.POINTER(ctypes.c_short), count: int, _events: int) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # 0 = go on synthesizing

    def _select_voice(self, voice: str) -> None:
        if self._lib.espeak_SetVoiceByName(voice.encode()) != EE_OK:
            raise EspeakError(f"eSpeak NG has no voice {voice!r} (see `espeak-ng --voices`)")

    def check_voice(self, voice: str) -> None:
        """Raises EspeakError if `voice` does not exist."""
        with self._lock:
            self._select_voice(voice)

    def synthesize(self, text: str, voice: str) -> np.ndarray:
        """Speaks plain `text` (SSML is not parsed) with `voice`; float32 samples at `sample_rate`."""
        data = ctypes.create_string_buffer(text.encode("utf-8"))
        with self._lock:
            self._select_voice(voice)
            self._chunks = []
            status = self._lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
            chunks, self._chunks = self._chunks, []
        if status != EE_OK:
            raise EspeakError(f"espeak_Synth failed with status {status}")
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32) / 32768.0

    def phonemize(self, text: str, voice: str) -> list[str]:
        """IPA phonemes of `text`, one string per sentence, with the punctuation Piper voices expect.

        Words that eSpeak marks as another language's, "(en)…(nl)", keep their phonemes; the flags are
        dropped. Characters are NFD-decomposed, as Piper's phoneme tables are.
        """
        data = ctypes.create_string_buffer(text.encode("utf-8"))
        start = ctypes.addressof(data)
        end = start + len(data)  # one past the terminating zero, like a finished pointer would be
        sentences: list[str] = []
        current: list[str] = []
        with self._lock:
            self._select_voice(voice)
            pointer = ctypes.c_void_p(start)
            while pointer.value is not None:
                clause = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), CHARS_UTF8, PHONEMES_IPA)
                current.append(_drop_language_flags(unicodedata.normalize("NFD", (clause or b"").decode())))
                consumed = (pointer.value if pointer.value is not None else end) - start
                terminator = _terminator(data.raw, consumed)
                if terminator in SENTENCE_END:
                    current.append(SENTENCE_END[terminator])
                    sentences.append("".join(current))
                    current = []
                elif terminator in CLAUSE_BREAK:
                    current.append(CLAUSE_BREAK[terminator])
        if current:
            sentences.append("".join(current))
        return [sentence for sentence in sentences if sentence.strip(" .?!,:;")]


def _terminator(raw: bytes, consumed: int) -> str:
    """The last non-space character before the clause boundary eSpeak stopped at."""
    for index in range(consumed - 2, -1, -1):
        char = raw[index : index + 1]
        if char not in (b" ", b"\x00"):
            return char.decode("latin-1")
    return ""


def _drop_language_flags(phonemes: str) -> str:
    kept: list[str] = []
    inside_flag = False
    for char in phonemes:
        if inside_flag:
            inside_flag = char != ")"
        elif char == "(":
            inside_flag = True
        else:
            kept.append(char)
    return "".join(kept)


_instance: Espeak | None = None
_instance_lock = threading.Lock()


def espeak() -> Espeak:
    """The process's eSpeak NG instance, started on first use (the library allows only one)."""
    global _instance
    with _instance_lock:
        if _instance is None:
            _instance = Espeak()
        return _instance
