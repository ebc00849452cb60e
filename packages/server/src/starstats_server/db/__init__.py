"""Database access: tables, engine construction and migrations (SQLite or PostgreSQL)."""
