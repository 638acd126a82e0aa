"""CLI commands for this area (filled in by its issue)."""

import argparse


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this area's subcommands to the parser."""
