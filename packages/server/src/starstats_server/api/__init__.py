"""HTTP layer: routes, dependencies and the mapping of errors to responses. Routes call
services; they never touch the database."""
