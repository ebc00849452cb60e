"""Inventory events (see classify/inventory.py for the lines they come from)."""
