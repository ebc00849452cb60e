"""Authorization: the `Authorizer` port (port.py), its SpiceDB adapter (spicedb.py) and an
in-memory twin (memory.py) that answers exactly as SpiceDB does for our schema (schema.zed);
the permission-matrix tests hold the two equal."""
