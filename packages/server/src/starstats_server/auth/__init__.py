"""First-party authentication: the RS256 signing key, JWTs, and password hashing."""
