"""`python -m starstats_client`."""

from starstats_client.cli import main

main()
