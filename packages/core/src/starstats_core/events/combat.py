"""Combat events (see classify/combat.py for the lines they come from)."""
