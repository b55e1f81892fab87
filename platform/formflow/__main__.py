"""``python -m formflow`` runs the ``formflow`` command."""

from formflow.cli import main

main()
