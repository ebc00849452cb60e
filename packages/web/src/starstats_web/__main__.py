"""`python -m starstats_web` = `starstats-web`."""

from starstats_web.cli import main

main()
