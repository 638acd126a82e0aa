"""The README's command lines, run in order as a new administrator would type them (a README example is a
test: the first wave shipped `sample --seed 1` crashing because no test ran the README's own seed).

Every ``mfa-migrate`` line of the README's ``sh`` blocks and every inline ``mfa-migrate ...`` example is
run on a copy of the bundled sample, in a fresh directory, against the local Graph emulator. Only the
README's placeholders are replaced, each by a rule below (file names by the sample's files, ``URL``/``ID``/
``VAR``/``CA.pem``/``...`` by the emulator's connection, the real Microsoft authority by the emulator's);
a placeholder the rules do not know fails the test, so a new README line cannot go untried. The approval
lines run as a second OS account, as the README says. Each command must exit 0 without a traceback.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from os_identity import other_os_user_argv, subprocess_env

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SECRET_VAR = "README_TEST_CLIENT_SECRET"
pytestmark = pytest.mark.slow


def readme_commands() -> list[tuple[int, list[str]]]:
    """(line number, argv without ``mfa-migrate``) for every command the README shows, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found: list[tuple[int, list[str]]] = []
    in_sh, pending, start = False, "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            in_sh = line.strip() == "```sh"
            continue
        if in_sh:
            code = line.split("  #")[0].split(" # ")[0].rstrip()
            if pending:
                pending += " " + code.strip()
            elif code.startswith("mfa-migrate "):
                pending, start = code, number
            if pending and not pending.endswith("\\"):
                found.append((start, shlex.split(pending.rstrip("&").strip())[1:]))
                pending = ""
            elif pending:
                pending = pending[:-1].rstrip()
        else:
            for inline in re.findall(r"`(mfa-migrate [^`]+)`", line):
                found.append((number, shlex.split(inline)[1:]))
    return found


def connection(emu: EmulatorInfo) -> list[str]:
    return [
        "--graph-url", emu.graph_url, "--authority", emu.authority, "--client-id", emu.client_id,
        "--client-secret-env", SECRET_VAR, "--ca-file", emu.ca_file,
    ]  # fmt: skip


def realise(argv: list[str], emu: EmulatorInfo, work: Path) -> list[str]:
    """The README's argv with its placeholders replaced; fails on a placeholder no rule knows."""
    out: list[str] = []
    previous = ""
    for token in argv:
        if token == "...":  # "the same options as above": the workspace and the Graph connection
            out += ([] if "--workspace" in argv else ["--workspace", "ws.duckdb"]) + connection(emu)
        elif token == "PhoneFactor.pfdata":
            out.append(str(SAMPLE / "PhoneFactor.pfdata"))
        elif token in ("tenant/", "sample_data/tenant"):
            out.append(str(work / "snapshot") if argv[0] == "snapshot" else str(SAMPLE / "tenant"))
        elif token.startswith("https://login.microsoftonline.com/"):
            out.append(emu.authority)
        elif token == "URL":
            out.append(emu.graph_url if previous == "--graph-url" else emu.authority)
        elif token in ("ID", "<app-id>"):
            out.append(emu.client_id)
        elif token == "VAR":
            out.append(SECRET_VAR)
        elif token == "CA.pem":
            out.append(emu.ca_file)
        else:
            unknown = re.fullmatch(r"<[^>]+>|[A-Z][A-Z.]+", token)
            assert not unknown, f"README placeholder {token!r} has no rule in tests/test_readme.py"
            out.append(token)
        previous = token
    if argv[0] == "snapshot":  # a real tenant's Graph is the default; here it is the emulator
        out += ["--graph-url", emu.graph_url, "--ca-file", emu.ca_file]
    return out


def run(argv: list[str], work: Path, emu: EmulatorInfo, *, other_admin: bool = False) -> str:
    cmd = other_os_user_argv(*argv) if other_admin else [sys.executable, "-m", "analysis", *argv]
    env = subprocess_env(**{SECRET_VAR: emu.client_secret})
    done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=600)
    shown = f"$ mfa-migrate {' '.join(argv)}\n{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, shown
    assert "Traceback" not in shown, shown
    return shown


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorInfo]:
    with start_emulator(SAMPLE / "tenant") as emu:
        yield emu


def test_the_readme_commands_work_as_written(emulator: EmulatorInfo, tmp_path: Path) -> None:
    (tmp_path / "now.toml").write_text("", encoding="utf-8")
    (tmp_path / "proposed.toml").write_text(
        '[migrate]\nmethods = ["backup_phone", "mobile_app", "oath_token"]\n', encoding="utf-8"
    )
    commands = readme_commands()
    assert len(commands) >= 15, commands  # the parser still finds the README's examples
    ran: list[str] = []
    for line, argv in commands:
        if argv[0] == "emulator":  # started by the fixture with the same --tenant, --port 0 and ready file
            assert argv[1:3] == ["--tenant", "sample_data/tenant"], f"README line {line}: {argv}"
            continue
        real = realise(argv, emulator, tmp_path)
        approve = argv[:2] == ["batch", "approve"]
        shown = run(real, tmp_path, emulator, other_admin=approve)
        ran.append(" ".join(argv[:2]))
        if argv[:2] == ["batch", "create"] and "--campaign" in argv:
            # the README's comment: "then approve, run --tap-out passes.csv"
            name = argv[argv.index("--name") + 1]
            run(["batch", "approve", name, "--workspace", "ws.duckdb"], tmp_path, emulator, other_admin=True)
            tap = ["batch", "run", name, "--workspace", "ws.duckdb", *connection(emulator)]
            run([*tap, "--tap-out", "passes.csv"], tmp_path, emulator)
            assert (tmp_path / "passes.csv").stat().st_mode & 0o777 == 0o600
        if argv[:2] == ["batch", "verify"]:
            assert "Users fully migrated:" in shown, shown
    for expected in ("load", "readiness --workspace", "snapshot --authority", "batch run", "batch rollback"):
        assert any(r.startswith(expected.split()[0]) for r in ran), (expected, ran)
    assert (tmp_path / "readiness.html").stat().st_size > 0
    assert (tmp_path / "snapshot" / "users.jsonl").exists()
    assert (tmp_path / "data" / "PhoneFactor.pfdata").exists()
