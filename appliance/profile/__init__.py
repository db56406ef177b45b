"""The owner's business profile: schema, loading and opening-hours logic."""

from appliance.profile.loader import ProfileError, load_profile, parse_profile
from appliance.profile.schema import BusinessProfile

__all__ = ["BusinessProfile", "ProfileError", "load_profile", "parse_profile"]
