"""The archive's encryption of originals that carry personal data: the format, the keys, tampering,
rotation, and writing that never leaves half a file."""

from __future__ import annotations

import base64
import os
import stat
from io import StringIO
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from dti import archive, cli, settings
from dti.archive import (
    ArchiveKeyMissing,
    OriginalDamaged,
    OriginalNotFound,
    archive_original,
    decrypt_original,
    encrypt_original,
    find_original,
    key_id,
    original_sha256,
    read_original,
    rotate_archive_key,
    sha256_hex,
)

KEY, OTHER_KEY, THIRD_KEY = bytes(range(32)), bytes(range(1, 33)), bytes(range(2, 34))
CITIZEN_ID = "001203004567"
REGISTER = f"Nhà cung cấp,Số CCCD,Họ tên\nVNPT-CA,{CITIZEN_ID},Nguyễn Văn An\n".encode()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def sealed() -> bytes:
    return encrypt_original(REGISTER, sha256_hex(REGISTER), KEY)


def test_an_encrypted_original_is_a_versioned_header_and_an_aes_gcm_message(sealed):
    assert sealed[:7] == b"DTIENC\x01"
    assert sealed[7:15].hex() == key_id(KEY) == sha256_hex(KEY)[:16]
    assert len(sealed) == 6 + 1 + 8 + 12 + len(REGISTER) + 16
    assert CITIZEN_ID.encode() not in sealed
    # a random nonce per file: the same bytes never encrypt the same way twice
    assert encrypt_original(REGISTER, sha256_hex(REGISTER), KEY)[15:] != sealed[15:]
    assert decrypt_original(sealed, sha256_hex(REGISTER), [OTHER_KEY, KEY]) == REGISTER


def test_every_changed_byte_fails_the_authentication_check(sealed):
    file_sha256 = sha256_hex(REGISTER)
    for position in (15, 26, 27, len(sealed) // 2, len(sealed) - 1):  # nonce, ciphertext, tag
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(OriginalDamaged, match="fails its authentication check"):
            decrypt_original(bytes(tampered), file_sha256, [KEY])
    with pytest.raises(OriginalDamaged, match="cut short"):
        decrypt_original(sealed[:30], file_sha256, [KEY])
    with pytest.raises(OriginalDamaged, match="format version 2"):
        decrypt_original(sealed[:6] + b"\x02" + sealed[7:], file_sha256, [KEY])


def test_an_original_moved_under_another_hash_fails_the_check(sealed):
    with pytest.raises(OriginalDamaged, match="another original's name"):
        decrypt_original(sealed, sha256_hex(b"another file"), [KEY])


def test_a_wrong_key_is_named_as_such_not_reported_as_damage(sealed):
    with pytest.raises(ArchiveKeyMissing) as raised:
        decrypt_original(sealed, sha256_hex(REGISTER), [OTHER_KEY])
    message = str(raised.value)
    assert f"encrypted with archive key {key_id(KEY)}" in message and key_id(OTHER_KEY) in message
    assert "DTI_ARCHIVE_KEY" in message and KEY.hex() not in message


def test_an_encrypted_original_is_written_owner_only_once_and_reads_back_whole(tmp_path):
    archive_dir = tmp_path / "archive" / "bac_ninh"
    file_sha256 = sha256_hex(REGISTER)
    path = archive_original(REGISTER, file_sha256, ".CSV", archive_dir, encryption_key=KEY)
    assert path == archive_dir / file_sha256[:2] / f"{file_sha256}.csv.enc"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700 and mode(archive_dir) == 0o700
    assert CITIZEN_ID.encode() not in path.read_bytes()
    assert sorted(os.listdir(path.parent)) == [path.name]  # no temporary file left beside it
    assert read_original(path, file_sha256, [KEY]) == REGISTER
    assert original_sha256(path, file_sha256, [KEY]) == file_sha256
    written = path.stat()
    assert archive_original(REGISTER, file_sha256, ".csv", archive_dir, encryption_key=KEY) == path
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)


def test_an_original_kept_as_received_reads_back_even_when_named_like_an_encrypted_one(tmp_path):
    received = b"DTIENC\x01 a unit's file that happens to start like an encrypted original"
    file_sha256 = sha256_hex(received)
    path = archive_original(received, file_sha256, ".enc", tmp_path)
    assert path.name == f"{file_sha256}.enc" and mode(path) == 0o444
    assert read_original(path, file_sha256, []) == received
    assert original_sha256(path, file_sha256, []) == file_sha256
    assert rotate_archive_key(tmp_path, OTHER_KEY, KEY).failed == []


def test_a_changed_original_is_reported_with_what_it_hashes_to(tmp_path):
    file_sha256 = sha256_hex(REGISTER)
    plain = archive_original(REGISTER, file_sha256, ".csv", tmp_path / "plain")
    plain.chmod(0o644)
    plain.write_bytes(REGISTER.replace(b"An", b"Ba"))
    with pytest.raises(OriginalDamaged, match=f"hashes to {sha256_hex(plain.read_bytes())}, not {file_sha256}"):
        read_original(plain, file_sha256, [KEY])
    assert original_sha256(plain, file_sha256, [KEY]) == sha256_hex(plain.read_bytes())

    encrypted = archive_original(REGISTER, file_sha256, ".csv", tmp_path / "encrypted", encryption_key=KEY)
    stored = bytearray(encrypted.read_bytes())
    stored[40] ^= 0xFF
    encrypted.write_bytes(bytes(stored))
    for check in (read_original, original_sha256):
        with pytest.raises(OriginalDamaged, match="authentication check"):
            check(encrypted, file_sha256, [KEY])


def test_an_original_is_found_in_any_of_the_archives_by_its_hash(tmp_path):
    file_sha256 = sha256_hex(REGISTER)
    first, second = tmp_path / "bac_ninh", tmp_path / "ha_noi"
    stored = archive_original(REGISTER, file_sha256, ".csv", second, encryption_key=KEY)
    assert find_original([first, second], file_sha256, [KEY]) == (stored, REGISTER)
    with pytest.raises(OriginalNotFound, match=f"no archived original has sha256 {'0' * 64}"):
        find_original([first, second], "0" * 64, [KEY])
    with pytest.raises(ArchiveKeyMissing):
        find_original([second], file_sha256, [OTHER_KEY])


def test_rotation_re_encrypts_under_the_new_key_and_can_be_run_again(tmp_path):
    originals = [REGISTER, b'{"items": [{"citizen_id": "079203000001"}]}']
    paths = [archive_original(content, sha256_hex(content), ".json", tmp_path, encryption_key=KEY)
             for content in originals]
    unknown = archive_original(b"written with a lost key", sha256_hex(b"written with a lost key"), ".csv", tmp_path,
                               encryption_key=THIRD_KEY)
    plain = archive_original(b"a unit's workbook", sha256_hex(b"a unit's workbook"), ".xlsx", tmp_path)

    rotation = rotate_archive_key(tmp_path, OTHER_KEY, KEY)

    assert sorted(rotation.rotated) == sorted(paths) and rotation.already_current == 0
    assert [(path, reason.split(",")[0]) for path, reason in rotation.failed] == [
        (unknown, f"the original {sha256_hex(b'written with a lost key')} was encrypted with archive key "
                  f"{key_id(THIRD_KEY)}")]
    for path, content in zip(paths, originals, strict=True):
        assert mode(path) == 0o600 and read_original(path, sha256_hex(content), [OTHER_KEY]) == content
        with pytest.raises(ArchiveKeyMissing):
            read_original(path, sha256_hex(content), [KEY])
    assert plain.read_bytes() == b"a unit's workbook"
    again = rotate_archive_key(tmp_path, OTHER_KEY, KEY)
    assert (again.rotated, again.already_current, len(again.failed)) == ([], 2, 1)
    assert not [name for name in os.listdir(paths[0].parent) if name.endswith(".partial")]


def test_a_write_that_fails_halfway_leaves_neither_the_file_nor_a_temporary_one(tmp_path, monkeypatch):
    def disk_failure(descriptor):
        raise OSError("no space left on device")

    monkeypatch.setattr(archive.os, "fsync", disk_failure)
    with pytest.raises(OSError, match="no space left"):
        archive_original(REGISTER, sha256_hex(REGISTER), ".csv", tmp_path, encryption_key=KEY)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


@pytest.mark.parametrize("written", [
    bytes(range(32)).hex(), bytes(range(32)).hex().upper(), base64.b64encode(bytes(range(32))).decode(),
    base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("="), f"  {bytes(range(32)).hex()}\n",
])
def test_the_archive_key_is_read_from_hex_or_base64(written, monkeypatch):
    monkeypatch.setenv("DTI_ARCHIVE_KEY", written)
    assert settings.archive_key() == bytes(range(32))


@pytest.mark.parametrize("written", ["secret", bytes(range(16)).hex(), base64.b64encode(bytes(range(48))).decode()])
def test_a_key_that_is_not_32_bytes_is_refused_without_being_shown(written, monkeypatch):
    monkeypatch.setenv("DTI_ARCHIVE_OLD_KEY", written)
    with pytest.raises(ValueError, match="DTI_ARCHIVE_OLD_KEY is not an archive key") as raised:
        settings.previous_archive_key()
    assert written not in str(raised.value)


def test_an_embedded_install_makes_its_archive_key_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("DTI_ARCHIVE_KEY", raising=False)
    monkeypatch.delenv("DTI_ARCHIVE_OLD_KEY", raising=False)
    monkeypatch.setattr(settings, "ARCHIVE_KEY_FILE", tmp_path / "state" / "archive.key")
    first = settings.archive_key()
    assert len(first) == 32 and settings.archive_key() == first
    assert mode(tmp_path / "state" / "archive.key") == 0o600
    assert os.listdir(tmp_path / "state") == ["archive.key"]
    assert archive.configured_keys() == (first,) and settings.previous_archive_key() is None


@pytest.fixture()
def archive_cli(tmp_path, monkeypatch):
    """The CLI on a provinces.yml whose first province archives under tmp_path, with KEY configured."""
    document = yaml.safe_load(settings.PROVINCES_FILE.read_text(encoding="utf-8"))
    document["provinces"][0]["archive"] = str(tmp_path / "archive")
    provinces_file = tmp_path / "provinces.yml"
    provinces_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(settings, "PROVINCES_FILE", provinces_file)
    monkeypatch.setenv("DTI_ARCHIVE_KEY", KEY.hex())
    monkeypatch.delenv("DTI_ARCHIVE_OLD_KEY", raising=False)
    printed = StringIO()
    monkeypatch.setattr(cli, "console", Console(file=printed, width=400, color_system=None))
    return tmp_path / "archive", printed


def test_dti_archive_get_writes_the_original_owner_only_and_refuses_a_tampered_one(archive_cli, tmp_path):
    archive_dir, printed = archive_cli
    file_sha256 = sha256_hex(REGISTER)
    stored = archive_original(REGISTER, file_sha256, ".csv", archive_dir, encryption_key=KEY)
    out = tmp_path / "out" / "register.csv"

    result = CliRunner().invoke(cli.app, ["archive", "get", file_sha256.upper(), "--out", str(out)])

    assert result.exit_code == 0, (result.output, printed.getvalue())
    assert out.read_bytes() == REGISTER and mode(out) == 0o600
    assert f"decrypted from {stored}, sha256 {file_sha256} checked" in printed.getvalue()

    tampered = bytearray(stored.read_bytes())
    tampered[-1] ^= 0x01
    stored.write_bytes(bytes(tampered))
    result = CliRunner().invoke(cli.app, ["archive", "get", file_sha256, "--out", str(tmp_path / "again.csv")])
    assert result.exit_code == 1 and "fails its authentication check" in printed.getvalue()
    assert not (tmp_path / "again.csv").exists()

    result = CliRunner().invoke(cli.app, ["archive", "get", "0" * 64, "--out", str(tmp_path / "none.csv")])
    assert result.exit_code == 1 and f"no archived original has sha256 {'0' * 64}" in printed.getvalue()
    result = CliRunner().invoke(cli.app, ["archive", "get", "not-a-hash", "--out", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "64 hex digits" in result.output


def test_dti_archive_rotate_key_needs_the_old_key_and_rotates_every_file(archive_cli, monkeypatch):
    archive_dir, printed = archive_cli
    file_sha256 = sha256_hex(REGISTER)
    stored = archive_original(REGISTER, file_sha256, ".csv", archive_dir, encryption_key=KEY)

    result = CliRunner().invoke(cli.app, ["archive", "rotate-key"])
    assert result.exit_code == 1 and "Set DTI_ARCHIVE_OLD_KEY" in printed.getvalue()

    monkeypatch.setenv("DTI_ARCHIVE_OLD_KEY", base64.b64encode(KEY).decode())
    monkeypatch.setenv("DTI_ARCHIVE_KEY", OTHER_KEY.hex())
    result = CliRunner().invoke(cli.app, ["archive", "rotate-key"])
    assert result.exit_code == 0, (result.output, printed.getvalue())
    assert f"1 re-encrypted, 0 already under key {key_id(OTHER_KEY)}, 0 failed" in printed.getvalue()
    assert read_original(stored, file_sha256, [OTHER_KEY]) == REGISTER
