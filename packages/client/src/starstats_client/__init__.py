"""StarStats desktop client: reads Game.log files; later tails, stores and syncs them."""
