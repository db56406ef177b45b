"""The box itself: status LEDs and button, systemd notifications, first boot and maintenance jobs."""
