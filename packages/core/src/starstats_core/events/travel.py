"""Travel events (see classify/travel.py for the lines they come from)."""
