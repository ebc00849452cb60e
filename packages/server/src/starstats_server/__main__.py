"""`python -m starstats_server` = `starstats-server`."""

from starstats_server.cli import main

main()
