"""Commerce events (see classify/commerce.py for the lines they come from)."""
