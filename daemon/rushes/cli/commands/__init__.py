"""CLI commands: one module each, discovered by rushes.cli.main."""
