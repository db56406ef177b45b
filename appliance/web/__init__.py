"""The local web server: health and status now; the admin page builds on it."""
