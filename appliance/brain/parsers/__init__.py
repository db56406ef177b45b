"""Deterministic Dutch (and English) parsers for what rules read better than a model: numbers, phone
numbers, postcodes, e-mail addresses, names, spelled letters, dates and times, amounts."""
