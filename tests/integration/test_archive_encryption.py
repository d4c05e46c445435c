"""Personal data at rest, on a real PostgreSQL: demo certificate registers and dossier pages land
with their originals encrypted, so no citizen id is found anywhere in the archive while raw holds
only pseudonyms; `dti archive get` gives an original back byte for byte, and a changed byte or a
wrong key is refused with a reason; a key rotation keeps every original readable."""

from __future__ import annotations

import re
import stat
from io import StringIO
from pathlib import Path

import psycopg
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from dti import cli, settings, warehouse
from dti.archive import key_id, read_original
from dti.demo import certificates as demo
from dti.demo.dossiers import DossierPlan, generate_dossiers
from dti.demo.sandbox_api import create_app, serve_in_background
from dti.landing import pseudonymize
from dti.landing.certificates import land_certificate_files, land_population_files, province_ward_codes
from dti.landing.dossiers import sync_dossiers
from dti.sources import certificates
from dti.sources.inbox import InboxFile
from dti.sources.procedure_api import RetryPolicy
from dti.trace import check_archived_file
from tests.helpers import PROVINCE

pytestmark = pytest.mark.integration
PERIOD = "2026-Q3"
LIMIT = 10_000_000
KEY, NEW_KEY, PSEUDONYM_KEY = "11" * 32, "22" * 32, "pseudonym-key-of-this-test"
CERTIFICATES = demo.CertificateDemoPlan(period=PERIOD, seed=7, ward_codes=("07228", "09187"), population_scale=0.2)
DOSSIERS = DossierPlan(period="2026-07", seed=7, scale=0.01)  # 600 dossiers
TOKEN = "sandbox-token"
# Anything written like a citizen id (12 digits) or a tax code (10 or 13): what must not be found in clear.
IDENTIFIER_LIKE = re.compile(rb"(?<![0-9])[0-9]{10,13}(?![0-9])")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def landed(database_url, tmp_path, monkeypatch):
    """The demo's certificate registers, population file and dossier pages landed into this test's
    warehouse, archived under the first province's archive folder; returns what was sent."""
    monkeypatch.setenv("DTI_ARCHIVE_KEY", KEY)
    monkeypatch.delenv("DTI_ARCHIVE_OLD_KEY", raising=False)
    monkeypatch.setenv("DTI_PSEUDONYM_KEY", PSEUDONYM_KEY)
    archive = tmp_path / "archive"
    warehouse.ensure_schemas(database_url)
    registers = demo.generate_certificate_files(tmp_path / "inbox" / "certificates", CERTIFICATES, PROVINCE)
    population = demo.generate_population_file(tmp_path / "inbox" / "population", CERTIFICATES, PROVINCE)
    ward_codes = province_ward_codes(PROVINCE)
    outcomes = land_certificate_files(database_url, [InboxFile.from_path(path) for path in registers], PERIOD,
                                      archive, LIMIT, ward_codes)
    land_population_files(database_url, [InboxFile.from_path(population)], PERIOD, archive, LIMIT, ward_codes)
    assert [outcome.status for outcome in outcomes] == ["landed"] * len(registers)
    records = generate_dossiers(DOSSIERS, PROVINCE)
    with serve_in_background(create_app(records, TOKEN)) as base_url:
        synced = sync_dossiers(database_url, base_url, TOKEN, archive, page_size=200,
                               retry=RetryPolicy(attempts=2, first_wait_seconds=0, max_wait_seconds=0))
    assert synced.pages_landed == 3
    holders = {row["holder_id"] for path in registers
               for row in certificates.read_certificate_file(path.read_bytes(), path.name, LIMIT, ward_codes).rows}
    return {"archive": archive, "registers": registers, "population": population,
            "citizen_ids": holders | {record["citizen_id"] for record in records}}


@pytest.fixture()
def cli_output(landed, tmp_path, monkeypatch):
    """The CLI on a provinces.yml whose first province's archive is the one landed into."""
    document = yaml.safe_load(settings.PROVINCES_FILE.read_text(encoding="utf-8"))
    document["provinces"][0]["archive"] = str(landed["archive"])
    provinces_file = tmp_path / "provinces.yml"
    provinces_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(settings, "PROVINCES_FILE", provinces_file)
    printed = StringIO()
    monkeypatch.setattr(cli, "console", Console(file=printed, width=400, color_system=None))
    return printed


def archived_files(database_url: str) -> dict[str, tuple[str, Path]]:
    """sha256 -> (source, archived path) of every file registered as received."""
    with psycopg.connect(database_url) as conn:
        return {sha: (source, Path(path)) for sha, source, path in conn.execute(
            "select file_sha256, source, archived_path from raw.landed_files "
            "union all select file_sha256, source, archived_path from quarantine.rejected_files")}


def get(sha: str, out: Path, *extra: str):
    return CliRunner().invoke(cli.app, ["archive", "get", sha, "--out", str(out), *extra])


def test_no_citizen_id_is_found_in_the_archive_and_raw_holds_only_pseudonyms(database_url, landed):
    citizen_ids = landed["citizen_ids"]
    assert len(citizen_ids) > 100
    # the ids are in what was sent, so not finding them in the archive means something
    sent = b"".join(path.read_bytes() for path in landed["registers"])
    assert {match.decode() for match in IDENTIFIER_LIKE.findall(sent)} & citizen_ids

    stored = [path for path in landed["archive"].rglob("*") if path.is_file()]
    assert len(stored) == len(landed["registers"]) + 1 + 3
    for path in stored:
        content = path.read_bytes()
        assert not {match.decode() for match in IDENTIFIER_LIKE.findall(content)} & citizen_ids, path
    some_id = sorted(citizen_ids)[0]
    assert not any(some_id.encode() in path.read_bytes() for path in stored)

    with psycopg.connect(database_url) as conn:
        holders = [row[0] for row in conn.execute("select holder_pseudonym from raw.signature_certificates")]
        citizens = [row[0] for row in conn.execute("select citizen_pseudonym from raw.dossier_records")]
    assert len(holders) > 0 and len(citizens) == 600
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in holders + citizens)
    assert not set(holders + citizens) & citizen_ids
    assert set(holders + citizens) <= {pseudonymize(citizen_id, PSEUDONYM_KEY.encode()) for citizen_id in citizen_ids}


def test_originals_with_personal_data_are_encrypted_owner_only_and_the_others_kept_as_received(database_url,
                                                                                               landed):
    files = archived_files(database_url)
    assert {source for source, _ in files.values()} == {"certificate_provider", "population", "procedure_api"}
    for sha, (source, path) in files.items():
        if source == "population":
            assert not path.name.endswith(".enc") and path.read_bytes() == landed["population"].read_bytes()
            continue
        assert path.name.endswith(".enc") and path.name.startswith(sha)
        assert mode(path) == 0o600 and mode(path.parent) == 0o700, path
        assert read_original(path, sha) != path.read_bytes()
    assert mode(landed["archive"]) == 0o700
    assert not [path for path in landed["archive"].rglob("*") if path.name.endswith(".partial")]


def test_dti_archive_get_gives_back_the_original_byte_for_byte(database_url, landed, cli_output, tmp_path):
    files = archived_files(database_url)
    for register in landed["registers"]:
        sha = next(sha for sha, (source, path) in files.items()
                   if source == "certificate_provider" and read_original(path, sha) == register.read_bytes())
        out = tmp_path / "got" / register.name
        result = get(sha, out, "--province", PROVINCE.code)
        assert result.exit_code == 0, (result.output, cli_output.getvalue())
        assert out.read_bytes() == register.read_bytes() and mode(out) == 0o600
    page_sha = next(sha for sha, (source, _) in files.items() if source == "procedure_api")
    result = get(page_sha, tmp_path / "page.json")
    assert result.exit_code == 0, (result.output, cli_output.getvalue())
    assert b'"citizen_id"' in (tmp_path / "page.json").read_bytes()
    assert f"decrypted from {files[page_sha][1]}, sha256 {page_sha} checked" in cli_output.getvalue()


def test_a_changed_byte_makes_get_and_the_trace_check_fail_clearly(database_url, landed, cli_output, tmp_path):
    sha, (_, path) = next((sha, entry) for sha, entry in archived_files(database_url).items()
                          if entry[0] == "certificate_provider")
    assert check_archived_file(str(path), sha).matches
    stored = bytearray(path.read_bytes())
    stored[len(stored) // 2] ^= 0x20
    path.write_bytes(bytes(stored))

    result = get(sha, tmp_path / "tampered.csv")

    assert result.exit_code == 1 and not (tmp_path / "tampered.csv").exists()
    assert f"the encrypted original {sha} fails its authentication check" in cli_output.getvalue()
    check = check_archived_file(str(path), sha)
    assert check.status == "unreadable" and "fails its authentication check" in check.problem


def test_a_wrong_key_is_refused_by_name_and_the_old_key_still_reads_during_a_rotation(database_url, landed,
                                                                                     cli_output, tmp_path,
                                                                                     monkeypatch):
    files = archived_files(database_url)
    sha, (_, path) = next((sha, entry) for sha, entry in files.items() if entry[0] == "procedure_api")
    monkeypatch.setenv("DTI_ARCHIVE_KEY", NEW_KEY)

    result = get(sha, tmp_path / "wrong-key.json")

    assert result.exit_code == 1 and not (tmp_path / "wrong-key.json").exists()
    assert (f"was encrypted with archive key {key_id(bytes.fromhex(KEY))}, and the key given is "
            f"{key_id(bytes.fromhex(NEW_KEY))}") in cli_output.getvalue()
    assert check_archived_file(str(path), sha).status == "unreadable"

    monkeypatch.setenv("DTI_ARCHIVE_OLD_KEY", KEY)
    assert get(sha, tmp_path / "old-key.json").exit_code == 0
    result = CliRunner().invoke(cli.app, ["archive", "rotate-key", "--province", PROVINCE.code])
    assert result.exit_code == 0, (result.output, cli_output.getvalue())
    encrypted = sum(source != "population" for source, _ in files.values())
    assert f"{PROVINCE.code}: {encrypted} re-encrypted, 0 already under key" in cli_output.getvalue()

    monkeypatch.delenv("DTI_ARCHIVE_OLD_KEY")
    for file_sha, (_, archived) in files.items():
        assert check_archived_file(str(archived), file_sha).matches, archived
    assert get(sha, tmp_path / "new-key.json").exit_code == 0
    assert (tmp_path / "new-key.json").read_bytes() == (tmp_path / "old-key.json").read_bytes()
