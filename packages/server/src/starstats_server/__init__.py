"""StarStats API server: FastAPI app, services, database, auth."""

from starstats_server.version import __version__

__all__ = ["__version__", "create_app"]


def __getattr__(name: str) -> object:
    # Lazy so that `import starstats_server` stays cheap (the CLI imports it before parsing).
    if name == "create_app":
        from starstats_server.app import create_app

        return create_app
    raise AttributeError(name)
