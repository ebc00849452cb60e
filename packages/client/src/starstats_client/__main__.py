"""`python -m starstats_client`."""

from starstats_client import early_stop

early_stop.install()  # before the imports below, which take most of a start-up

from starstats_client.cli import main  # noqa: E402 - after the early stop, on purpose

main()
