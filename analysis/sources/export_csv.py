"""Read the MFA Server console's Export Users CSV (docs/workspace.md) into the loader's staging columns.

Windows writes these files in several ways, so the reader accepts UTF-8 with or without a BOM and UTF-16
(with a BOM, or without one when the zero bytes give it away), ``;`` or ``,`` separators, and headers in
any case and spacing with the aliases below. Columns it does not know are kept (``mfa_user_extra``), not
fatal; a column whose name looks secret is not kept. The CSV carries no devices or secrets, so the users
it yields have ``details_known = false`` and the simulator reports what needs them as *unknown*.

Python's ``csv`` module does the parsing (in C) because exact line numbers matter for the rejects table;
rows are transposed to Arrow columns in chunks so a large export never sits in memory as Python objects.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import UserError
from analysis.sources.fingerprint import REDACTED

CHUNK_ROWS = 100_000

# The loader's staging columns, in order (the same names as the datafile mapping's JSON rows).
STAGE_COLUMNS = (
    "source_line", "user_id", "username", "object_sid", "first_name", "last_name", "email", "user_group",
    "enabled", "country_code", "phone", "extension", "backup_country_code", "backup_phone",
    "backup_extension", "method", "phone_mode", "text_mode", "text_direction", "app_mode", "pin_hash",
    "language", "oath_serial", "oath_secret", "oath_kind", "oath_time_step", "created_at", "modified_at",
    "last_migrated_at", "migrated_selection",
)  # fmt: skip

# Header spellings per staging column, compared after lower-casing and turning punctuation into spaces.
ALIASES: dict[str, tuple[str, ...]] = {
    "username": ("username", "user name", "user", "upn", "user principal name", "userprincipalname", "login"),
    "object_sid": ("sid", "object sid", "objectsid", "security identifier", "user sid"),
    "first_name": ("first name", "firstname", "given name"),
    "last_name": ("last name", "lastname", "surname"),
    "email": ("email", "e mail", "email address", "e mail address", "mail"),
    "user_group": ("user group", "group"),
    "enabled": ("enabled", "is enabled", "user enabled"),
    "country_code": ("country code", "primary country code", "phone country code"),
    "phone": ("phone", "primary phone", "phone number", "primary phone number"),
    "extension": ("extension", "primary extension", "phone extension", "primary phone extension"),
    "backup_country_code": ("backup country code", "secondary country code"),
    "backup_phone": ("backup phone", "backup phone number", "secondary phone"),
    "backup_extension": ("backup extension", "backup phone extension", "secondary extension"),
    "method": ("method", "default method", "authentication method", "mfa method"),
    "phone_mode": ("phone mode", "phone call mode", "mode"),
    "text_mode": ("text mode", "text message mode", "sms mode"),
    "text_direction": ("text direction", "text message direction", "sms direction"),
    "app_mode": ("app mode", "mobile app mode"),
    "language": ("language", "default language"),
    "oath_serial": ("oath serial", "oath serial number", "oath token serial", "oath token serial number",
                    "token serial", "token serial number", "serial number"),
    "oath_kind": ("oath kind", "oath type", "oath token type", "token type"),
    "oath_time_step": ("oath time step", "time step", "time interval", "oath time interval"),
    "created_at": ("created", "created at", "date created", "creation date"),
    "modified_at": ("modified", "modified at", "last modified", "date modified"),
    "last_migrated_at": ("last migrated", "last migrated at", "migrated at"),
    "migrated_selection": ("migrated selection", "migration selection"),
    # secrets: read only to fingerprint (OATH) or to know one exists (PIN); never kept as text
    "oath_secret": ("oath secret", "oath secret key", "oath token secret", "secret key", "secret"),
    "pin_hash": ("pin", "pin hash"),
}  # fmt: skip
REQUIRED = ("username", "method")
SECRET_COLUMNS = ("oath_secret", "pin_hash")
_SECRET_LOOKING = re.compile(r"secret|token|\bpin\b|password|hash|salt|key")


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", name.lower()).split())


_ALIAS_OF = {_norm(alias): column for column, aliases in ALIASES.items() for alias in aliases}


@dataclass
class CsvChunk:
    """One batch: the staging frame, the unknown columns in long form, and rows that were unusable."""

    stage: pa.Table
    extra: pa.Table  # (user_id BIGINT, column VARCHAR, value VARCHAR)
    rejects: list[tuple[int, str | None, str, str]]  # (line, column, reason, raw)


class _Reader(Protocol):
    """What :func:`csv.reader` returns, as far as this module uses it."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...
    def __next__(self) -> list[str]: ...


@dataclass
class ExportCsv:
    """An opened Export Users CSV: header mapping decided, rows read lazily by :meth:`chunks`."""

    path: Path
    encoding: str
    separator: str
    header: list[str]
    mapping: dict[str, int]  # staging column -> field index
    extra: dict[str, int]  # kept unknown header -> field index
    dropped: list[str]  # unknown headers not kept because they look secret
    reader: _Reader
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0

    def chunks(self, chunk_rows: int = CHUNK_ROWS) -> Iterator[CsvChunk]:
        """Batches of rows; each row's line is where its record starts (quoted newlines span lines)."""
        reader = self.reader
        prev_end = reader.line_num
        width = len(self.header)
        while True:
            try:
                batch = [(row, reader.line_num) for row in islice(reader, chunk_rows)]
            except csv.Error as exc:
                raise UserError(
                    f"The CSV {self.path} cannot be read at line {reader.line_num}: {exc}. "
                    "Fix the quoting on that line (or export the users again) and load it again."
                ) from None
            if not batch:
                return
            starts: list[int] = []
            good: list[list[str]] = []
            rejects: list[tuple[int, str | None, str, str]] = []
            for row, end in batch:
                start, prev_end = prev_end + 1, end
                if not any(cell.strip() for cell in row):
                    continue  # a blank line carries no user
                if len(row) != width:
                    rejects.append(
                        (
                            start,
                            None,
                            f"row has {len(row)} fields but the header has {width}; the row is left out",
                            self._raw(row),
                        )
                    )
                    continue
                starts.append(start)
                good.append(row)
            self.rows_read += len(good) + len(rejects)
            yield CsvChunk(self._stage(starts, good), self._extra(starts, good), rejects)

    def _raw(self, row: list[str]) -> str:
        secret = {self.mapping[c] for c in SECRET_COLUMNS if c in self.mapping} | {
            i for i, name in enumerate(self.header) if name in self.dropped
        }
        shown = [REDACTED if i in secret and cell else cell for i, cell in enumerate(row)]
        return self.separator.join(shown)[:2000]

    def _stage(self, starts: list[int], rows: list[list[str]]) -> pa.Table:
        n = len(rows)
        by_index = list(zip(*rows, strict=True)) if rows else []
        lines = pa.array(starts, pa.int64()).cast(pa.string())
        columns: dict[str, pa.Array] = {}
        for name in STAGE_COLUMNS:
            if name in ("source_line", "user_id"):
                columns[name] = lines
            elif name in self.mapping:
                columns[name] = _nullify(pa.array(by_index[self.mapping[name]], pa.string()))
            elif name == "enabled":
                columns[name] = pa.array(["1"] * n, pa.string())
            else:
                columns[name] = pa.nulls(n, pa.string())
        return pa.table(columns)

    def _extra(self, starts: list[int], rows: list[list[str]]) -> pa.Table:
        parts = []
        by_index = list(zip(*rows, strict=True)) if rows else []
        ids = pa.array(starts, pa.int64())
        for name, index in self.extra.items():
            values = pa.array(by_index[index], pa.string())
            keep = pc.not_equal(values, "")
            part = pa.table(
                {"user_id": ids, "column": pa.array([name] * len(rows), pa.string()), "value": values}
            )
            parts.append(part.filter(keep))
        if not parts:
            return pa.table(
                {
                    "user_id": pa.array([], pa.int64()),
                    "column": pa.array([], pa.string()),
                    "value": pa.array([], pa.string()),
                }
            )
        return pa.concat_tables(parts)


def _nullify(values: pa.Array) -> pa.Array:
    """An empty CSV cell is an absent value."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _decode(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(
            f"The datafile {path} cannot be read ({exc.strerror}). Check its permissions."
        ) from None
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        sample = data[:4096]
        zeros_odd, zeros_even = sample[1::2].count(0), sample[0::2].count(0)
        if len(sample) >= 4 and zeros_odd > len(sample) // 4 and zeros_even == 0:
            encoding = "utf-16-le"
        elif len(sample) >= 4 and zeros_even > len(sample) // 4 and zeros_odd == 0:
            encoding = "utf-16-be"
        elif b"\x00" in sample:
            raise UserError(
                f"{path} is neither a SQLite datafile nor a CSV export: it contains binary data. Give a copy "
                "of PhoneFactor.pfdata, or the CSV the MFA Server console writes with File > Export Users."
            )
        else:
            encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, "replace").count("\n") + 1
        raise UserError(
            f"The CSV {path} cannot be read: line {line} is not valid "
            f"{encoding.upper().replace('-SIG', '')} text. Save the export as UTF-8 (Excel: 'CSV UTF-8') or "
            "UTF-16 ('Unicode Text') and load it again."
        ) from None
    if "\x00" in text:
        raise UserError(
            f"{path} is neither a SQLite datafile nor a CSV export: it contains binary data. Give a copy "
            "of PhoneFactor.pfdata, or the CSV the MFA Server console writes with File > Export Users."
        )
    return text, encoding


def open_csv(path: Path) -> ExportCsv:
    """Decode, pick the separator and map the header; UserErrors say what is wrong with the file."""
    text, encoding = _decode(path)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise UserError(
            f"{path} does not look like the console's Export Users CSV: its first line is empty, and the "
            "first line must be the header (Username, Method, ...). Export the users again "
            "(File > Export Users)."
        )
    separator = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise UserError(f"The CSV {path} cannot be read: its header line is malformed ({exc}).") from None
    mapping: dict[str, int] = {}
    extra: dict[str, int] = {}
    dropped: list[str] = []
    for index, name in enumerate(header):
        column = _ALIAS_OF.get(_norm(name))
        if column is None:
            if _SECRET_LOOKING.search(_norm(name)):
                dropped.append(name)
            elif name.strip():
                extra[name.strip()] = index
            continue
        if column in mapping:
            raise UserError(
                f"The CSV {path} has two columns that both mean {column}: '{header[mapping[column]]}' and "
                f"'{name}'. Remove one of them and load it again."
            )
        mapping[column] = index
    if not mapping:
        raise UserError(
            f"{path} does not look like the console's Export Users CSV: its header has none of the expected "
            "columns (Username, Method, Primary Phone, Enabled, ...). Give that export, or a copy of "
            "PhoneFactor.pfdata."
        )
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        names = ", ".join(ALIASES[c][0].title() for c in missing)
        raise UserError(
            f"The CSV {path} lacks required column(s) {names}. Its header has: {', '.join(header)[:300]}. "
            "Export the users again with those columns (or rename the header) and load it again."
        )
    export = ExportCsv(path, encoding, separator, header, mapping, extra, dropped, reader)
    if "enabled" not in mapping:
        export.warnings.append(f"{path.name} has no Enabled column: every user is treated as enabled")
    if extra:
        export.warnings.append(f"{path.name}: unknown column(s) kept in mfa_user_extra: {', '.join(extra)}")
    if dropped:
        export.warnings.append(f"{path.name}: column(s) that look secret were not kept: {', '.join(dropped)}")
    return export
