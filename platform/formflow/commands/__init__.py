"""The subcommands of ``formflow``, one module per area; formflow.cli assembles them."""
