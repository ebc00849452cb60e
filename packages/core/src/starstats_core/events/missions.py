"""Missions events (see classify/missions.py for the lines they come from)."""
