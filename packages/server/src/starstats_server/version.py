"""The server's version, reported by /healthz and the OpenAPI document."""

__version__ = "0.1.0"
