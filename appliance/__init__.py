"""Balie: an on-premise AI receptionist that answers the office phone in Dutch, offline."""

__version__ = "0.1.0"
