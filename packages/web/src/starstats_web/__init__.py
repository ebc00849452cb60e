"""StarStats web app (filled in by the web issue)."""
