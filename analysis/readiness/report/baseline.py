"""Compare a readiness report with an earlier one (``--baseline OLD.json``): new, fixed, still open.

Findings are matched on ``(check_id, subject_type, subject_id)``; subject ids are stable across runs
(MFA Server user id, ``user_id/phone``, Entra object ids, ...), so a finding whose detail changed
but whose subject did not is "still open". A finding of a check that no longer exists counts as fixed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import UserError
from analysis.readiness.checks import FINDING_COLUMNS, SCHEMA_VERSION, Report

KEY: list[str] = ["check_id", "subject_type", "subject_id"]
STATES: tuple[str, ...] = ("new", "still_open", "fixed")


@dataclass
class BaselineDiff:
    """What changed since the baseline report."""

    source: str  # the baseline file as given
    generated_at: str | None  # when the baseline report was made
    counts: pd.DataFrame  # check_id, new, fixed, still_open (every check in either report)
    status: pd.DataFrame  # KEY + baseline ('new' | 'still_open') for each current finding
    fixed: pd.DataFrame  # the baseline's findings that are gone: check_id, severity, title, FINDING_COLUMNS

    def totals(self) -> dict[str, int]:
        return {s: int(self.counts[s].sum()) for s in ("new", "fixed", "still_open")}


def load(path: str | Path) -> dict[str, Any]:
    """Read an earlier JSON report; anything else is a UserError naming the file and what to give."""
    p = Path(path)
    hint = "give a JSON report written earlier by `mfa-migrate readiness --out REPORT.json`"
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"baseline {p} does not exist; {hint}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"baseline {p} is not a readable JSON report ({exc}); {hint}") from None
    except RecursionError:  # Python's JSON parser gives up on deep nesting; no report nests like that
        raise UserError(f"baseline {p} is nested too deeply to be a readiness report; {hint}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("checks"), list):
        raise UserError(f"baseline {p} is JSON but not a readiness report (no 'checks' list); {hint}")
    version = doc.get("schema_version")
    if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        raise UserError(
            f"baseline {p} has schema_version {version!r}, this tool reads 1 to {SCHEMA_VERSION}; "
            "compare with a report written by this version of mfa-migrate (or newer baseline support)"
        )
    return doc


def baseline_findings(doc: dict[str, Any]) -> pd.DataFrame:
    """The baseline's findings as one frame (check_id, severity, title, FINDING_COLUMNS)."""
    frames = []
    for check in doc["checks"]:
        rows = check.get("findings") or []
        if rows:
            df = pd.DataFrame.from_records(rows)
            for col in FINDING_COLUMNS:
                if col not in df:
                    df[col] = None
            frames.append(
                df[list(FINDING_COLUMNS)].assign(
                    check_id=check.get("id"), severity=check.get("severity"), title=check.get("title")
                )
            )
    cols = ["check_id", "severity", "title", *FINDING_COLUMNS]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out = pd.concat(frames, ignore_index=True)[cols]
    out["user_id"] = pd.to_numeric(out["user_id"]).astype("Int64")
    out["subject_id"] = out["subject_id"].astype(str)
    return out


def compare(report: Report, doc: dict[str, Any], source: str = "") -> BaselineDiff:
    """Diff the report's findings against a loaded baseline document."""
    now = report.findings()
    old = baseline_findings(doc)
    merged = now[KEY].merge(old[KEY].drop_duplicates(), on=KEY, how="outer", indicator=True)
    merged["state"] = merged["_merge"].map({"left_only": "new", "both": "still_open", "right_only": "fixed"})
    ids = [r.check.id for r in report.results]
    ids += sorted(set(old["check_id"].dropna()) - set(ids))
    counts = (
        pd.crosstab(merged["check_id"], merged["state"])
        .reindex(index=ids, columns=["new", "fixed", "still_open"], fill_value=0)
        .rename_axis(index="check_id", columns=None)
        .reset_index()
    )
    status = now[KEY].merge(merged.loc[merged["state"] != "fixed", [*KEY, "state"]], on=KEY, how="left")
    status = status.rename(columns={"state": "baseline"})
    gone = merged.loc[merged["state"] == "fixed", KEY]
    fixed = old.merge(gone, on=KEY, how="inner").drop_duplicates(KEY).reset_index(drop=True)
    generated = doc.get("generated_at")
    return BaselineDiff(source, generated if isinstance(generated, str) else None, counts, status, fixed)


def apply(report: Report, path: str | Path) -> Report:
    """Load the baseline at ``path`` and attach the diff to the report (returned for chaining)."""
    report.baseline = compare(report, load(path), str(path))
    return report
