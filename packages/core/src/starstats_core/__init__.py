"""StarStats shared core: event types, the two-pass Game.log parser, wire format, validators.

Pure: no files, clock, network, database or logging configuration. Client, server and web
all depend on it so that they can never disagree about what a line means.
"""
