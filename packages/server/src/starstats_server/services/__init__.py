"""Use cases: each function checks, acts and records in one place. Services raise
`errors.ServiceError`s; they never build HTTP responses."""
