"""Telemetry every StarStats process sets up the same way (the apps may not import each
other, and core does no I/O): the tracer provider, JSON log lines carrying the active trace,
and the per-request observation of the two HTTP servers."""
