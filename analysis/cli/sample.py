"""``mfa-migrate sample``: write a synthetic MFA Server datafile and tenant snapshot."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sample`` command."""
    p = sub.add_parser(
        "sample",
        help="write a synthetic PhoneFactor.pfdata and tenant snapshot",
        description="Write DIR/PhoneFactor.pfdata and DIR/tenant/ with a realistic synthetic MFA Server "
        "estate and Entra tenant in which every sync-rule branch occurs. "
        "The same --seed gives the same files.",
    )
    p.add_argument("--users", type=int, default=500, help="number of MFA Server users (default 500)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    from analysis.sample import generate

    generate(args.out, args.users, args.seed, console)
    return 0
