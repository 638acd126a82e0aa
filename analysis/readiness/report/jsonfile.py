"""The JSON report: the stable, documented shape (docs/report-schema.md) other tools and ``--baseline`` read.

Findings are written check by check with pandas' C encoder rather than one giant ``json.dumps``, so a
report with a million findings is written in seconds without holding a second copy in memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from analysis.readiness.checks import FINDING_COLUMNS, Report
from analysis.readiness.report import shown

#: Each user's entry in ``users``: who, their priority tier and what they will have (no phone numbers).
USER_COLUMNS: tuple[str, ...] = (
    "user_id",
    "username",
    "upn",
    "tier",
    "methods_after_plan",
    "methods_after_date",
    "default_after",
)


def head(report: Report, reveal_phones: bool = False) -> dict[str, Any]:
    """Everything in the report except the checks (small; the dashboard can show it as is)."""
    return {
        "schema_version": report.schema_version,
        "generated_at": report.generated_at,
        "tool": {"name": "mfa-migrate", "version": report.tool_version},
        "workspace": report.workspace,
        "settings": report.settings,
        "settings_summary": report.settings_summary,
        "status": report.score.status,
        "score": {
            "formula": report.score.formula,
            "tenant": report.score.tenant,
            "groups": _records(report.score.groups),
            "entra_groups": _records(report.score.entra_groups),
            "gates": report.score.gates,
        },
        "summary": report.summary(),
        "runbook": _records(report.runbook),
        "retirement": report.retirement,
        "phones": "revealed" if reveal_phones else "masked",
    }


def baseline_section(report: Report, reveal_phones: bool = False) -> dict[str, Any] | None:
    diff = report.baseline
    if diff is None:
        return None
    return {
        "source": Path(diff.source).name,
        "generated_at": diff.generated_at,
        "totals": diff.totals(),
        "checks": [
            {"id": r.check_id, "new": int(r.new), "fixed": int(r.fixed), "still_open": int(r.still_open)}
            for r in diff.counts.itertuples()
        ],
        "fixed_findings": _records(shown.findings(diff.fixed, reveal_phones)[["check_id", *FINDING_COLUMNS]]),
    }


def write(report: Report, path: Path, reveal_phones: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        dump(report, out, reveal_phones)


def dump(report: Report, out: TextIO, reveal_phones: bool = False) -> None:
    """Write the report as JSON to a text stream (key order as documented)."""
    out.write("{")
    for key, value in head(report, reveal_phones).items():
        out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}, ")
    status = report.baseline.status if report.baseline is not None else None
    users = report.tiers[list(USER_COLUMNS)] if len(report.tiers) else None
    out.write('"users": ')
    out.write(users.to_json(orient="records", force_ascii=False) if users is not None else "[]")
    out.write(', "checks": [')
    for i, result in enumerate(report.results):
        c = result.check
        meta = {
            "id": c.id,
            "title": c.title,
            "severity": c.severity,
            "why": c.why,
            "remediation": c.remediation,
            "count": result.count,
            "users": result.users,
        }
        findings = shown.findings(result.findings[list(FINDING_COLUMNS)], reveal_phones)
        if status is not None:
            mine = status[status["check_id"] == c.id][["subject_type", "subject_id", "baseline"]]
            findings = findings.merge(mine, on=["subject_type", "subject_id"], how="left")
        out.write(("," if i else "") + json.dumps(meta, ensure_ascii=False)[:-1] + ', "findings": ')
        out.write(findings.to_json(orient="records", force_ascii=False) if len(findings) else "[]")
        out.write("}")
    out.write("], ")
    out.write(f'"baseline": {json.dumps(baseline_section(report, reveal_phones), ensure_ascii=False)}')
    out.write("}\n")


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A small frame as JSON-ready records (numpy scalars and NA become plain values)."""
    return json.loads(df.to_json(orient="records", force_ascii=False)) if len(df) else []
