"""StarStats web app: server-rendered pages that read everything from the API over HTTP."""

from starstats_web.version import __version__

__all__ = ["__version__", "create_app"]


def __getattr__(name: str) -> object:
    # Lazy so that `import starstats_web` stays cheap (the CLI imports it before parsing).
    if name == "create_app":
        from starstats_web.app import create_app

        return create_app
    raise AttributeError(name)
