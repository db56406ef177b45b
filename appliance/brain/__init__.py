"""The conversation engine: understands a caller's words, answers from the profile, keeps the lead record."""
