"""``mfa-migrate notices``: per-user notices (Awareness, Action, Reminder) for a batch or a priority tier,
and the helpdesk forecast per wave (docs/notices.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis import settingsfile
from analysis.cli.common import add_reveal_arg, workspace_connection
from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``notices`` command."""
    p = sub.add_parser(
        "notices",
        help="write per-user notices (Awareness, Action, Reminder) and a helpdesk forecast",
        description=(
            "One CSV row per user of a batch or a priority tier: UPN, language, what changes for them "
            "(phones written, devices to set up again, default method), what they must do and by when, "
            "and the three phase notices rendered from editable templates. Prints the helpdesk forecast "
            "per wave and the assumption it rests on (docs/notices.md)."
        ),
    )
    p.add_argument("--workspace", type=Path, metavar="FILE", required=True, help="the workspace")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--batch", metavar="N", help="the users of batch N (number or name)")
    who.add_argument("--tier", choices=("P1", "P2", "P3"), help="the users of one priority tier")
    p.add_argument("--out", type=Path, required=True, metavar="NOTICES.csv", help="the notices (CSV)")
    p.add_argument(
        "--forecast", type=Path, metavar="FORECAST.csv", help="also write the helpdesk forecast (CSV)"
    )
    p.add_argument(
        "--templates", type=Path, metavar="DIR", help="your own templates (default: the shipped ones)"
    )
    p.add_argument("--settings", type=Path, metavar="FILE", help="settings file (TOML); else the defaults")
    add_reveal_arg(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    from analysis.notices.scope import notices_for
    from analysis.output import csvfile
    from analysis.output.masking import MASKED_NOTE, REVEALED_NOTE
    from analysis.output.tables import check_path

    loaded = settingsfile.read(args.settings)
    out = check_path(args.out, "--out", (".csv",))
    forecast_out = check_path(args.forecast, "--forecast", (".csv",)) if args.forecast else None
    with workspace_connection(args, console) as con:
        notices = notices_for(
            con,
            loaded,
            batch=args.batch,
            tier=args.tier,
            templates=args.templates,
            reveal_phones=args.reveal_phones,
        )
    n = csvfile.write(notices.rows, out)
    must = int(notices.rows["must_register"].sum()) if n else 0
    console.info(f"wrote {out}: {n:,} notices for {notices.scope} ({must:,} users must register a method)")
    if not n:
        console.warn(f"{notices.scope} has no user with an Entra UPN to address: {out} holds only its header")
    if forecast_out is not None:
        csvfile.write(notices.forecast, forecast_out)
        console.info(f"wrote {forecast_out}")
    console.table(
        ["wave", "users", "must register", "contacts expected", "from", "to", "per day"],
        [
            [r.wave, r.users, r.must_register, r.contacts_expected, r["from"], r.to, r.contacts_per_day]
            for _, r in notices.forecast.iterrows()
        ],
        title="Helpdesk forecast",
    )
    console.info(notices.assumption)
    if args.reveal_phones:
        console.warn(REVEALED_NOTE)
    else:
        console.info(MASKED_NOTE)
    return 0
