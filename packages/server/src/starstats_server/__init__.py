"""StarStats API server (filled in by the API server issue)."""
