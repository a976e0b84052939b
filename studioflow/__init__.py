"""studioflow: a keyboard-driven terminal workflow app for solo practitioners."""

__version__ = "0.1.0"
