"""The web app's version, reported by /healthz and in the page footer."""

__version__ = "0.1.0"
