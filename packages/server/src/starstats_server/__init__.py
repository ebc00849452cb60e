"""StarStats API server: FastAPI app, services, database, auth."""

__version__ = "0.1.0"

__all__ = ["__version__", "create_app"]


def __getattr__(name: str) -> object:
    # Lazy so that `import starstats_server` stays cheap (the CLI imports it before parsing).
    if name == "create_app":
        from starstats_server.app import create_app

        return create_app
    raise AttributeError(name)
