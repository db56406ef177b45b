"""Benchmarks: voice-to-voice latency and concurrency over real SIP calls, and the brain's scenario suite."""
