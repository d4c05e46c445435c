"""The archive of originals: every file and API page received, kept under its sha256, and those
that carry personal data (citizen ids) kept encrypted.

Layout, inside a province's archive folder (``Province.archive_dir``)::

    <aa>/<sha256><suffix>        an original kept as received (read-only)
    <aa>/<sha256><suffix>.enc    an original kept encrypted (readable and writable by its owner only)

``<aa>`` is the hash's first two hex digits; the folders are their owner's only. Which sources are
encrypted is decided where they land (``dti.landing``): the certificate registers and the
procedure system's dossier pages.

An encrypted original is one AES-256-GCM message::

    offset  size  field
    0       6     b"DTIENC"
    6       1     format version, 1
    7       8     key id: the first 8 bytes of the key's sha256
    15      12    nonce, random for every file
    27      ...   the ciphertext, then GCM's 16-byte tag

The associated data is the first 15 bytes (magic, version, key id) and then the original's sha256
(its 32 bytes), so a header altered, or a file moved under another original's name, fails the tag
like any changed byte. The key id tells which key a file was written with: a key rotation skips
the files already under the new key, and a wrong key is named as such rather than reported as
damage.

An original is recognised as kept as received when its bytes hash to its sha256, so a received
file that happens to be named ``.enc`` is never mistaken for an encrypted one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import struct
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dti import settings

MAGIC = b"DTIENC"
FORMAT_VERSION = 1
KEY_ID_BYTES = 8
NONCE_BYTES = 12
_HEADER = struct.Struct(f">{len(MAGIC)}sB{KEY_ID_BYTES}s{NONCE_BYTES}s")
# The part of the header that is authenticated as associated data (the nonce is GCM's own input).
_AUTHENTICATED_HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES
ENCRYPTED_SUFFIX = ".enc"
ENCRYPTED_FILE_MODE = 0o600
# Originals kept as received are never modified.
RECEIVED_FILE_MODE = 0o444
OWNER_ONLY_FOLDER_MODE = 0o700
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


class ArchiveError(Exception):
    """An archived original cannot be given back; the message says why and what to do."""


class OriginalNotFound(ArchiveError):
    pass


class ArchiveKeyMissing(ArchiveError):
    """The original was encrypted with a key that was not given."""


class OriginalDamaged(ArchiveError):
    """The stored bytes are not what was archived: changed, truncated, or not an original of dti."""


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def key_id(key: bytes) -> str:
    """What a file's header records of the key it was written with, in hex: enough to tell keys
    apart, useless for recovering the key."""
    return hashlib.sha256(key).digest()[:KEY_ID_BYTES].hex()


def configured_keys() -> tuple[bytes, ...]:
    """The keys an original may be under: ``DTI_ARCHIVE_KEY`` (or the embedded install's key), and
    during a rotation ``DTI_ARCHIVE_OLD_KEY``."""
    try:
        previous = settings.previous_archive_key()
        return (settings.archive_key(), *([previous] if previous else []))
    except ValueError as error:
        raise ArchiveKeyMissing(str(error)) from error


def encrypt_original(content: bytes, file_sha256: str, key: bytes) -> bytes:
    """``content`` as an encrypted original (the format is in the module docstring)."""
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, bytes.fromhex(key_id(key)), os.urandom(NONCE_BYTES))
    nonce = header[_AUTHENTICATED_HEADER_BYTES:]
    return header + AESGCM(key).encrypt(nonce, content, _associated_data(header, file_sha256))


def decrypt_original(stored: bytes, file_sha256: str, keys: Sequence[bytes]) -> bytes:
    """The plaintext of an encrypted original, authenticated: raises ArchiveKeyMissing when none of
    ``keys`` is the one it was written with, OriginalDamaged when any byte of it changed."""
    header = _read_header(stored, file_sha256)
    written_with = header[len(MAGIC) + 1:_AUTHENTICATED_HEADER_BYTES].hex()
    key = next((key for key in keys if key_id(key) == written_with), None)
    if key is None:
        given = ", ".join(key_id(key) for key in keys) or "none"
        raise ArchiveKeyMissing(
            f"the original {file_sha256} was encrypted with archive key {written_with}, and the key given is "
            f"{given}: set DTI_ARCHIVE_KEY (or, during a rotation, DTI_ARCHIVE_OLD_KEY) to the key it was written with")
    try:
        return AESGCM(key).decrypt(header[_AUTHENTICATED_HEADER_BYTES:], stored[_HEADER.size:],
                                   _associated_data(header, file_sha256))
    except InvalidTag as error:
        raise OriginalDamaged(
            f"the encrypted original {file_sha256} fails its authentication check: its bytes were changed after "
            f"it was archived (or it is kept under another original's name)") from error


def is_encrypted(stored: bytes) -> bool:
    return stored.startswith(MAGIC)


def archive_original(content: bytes, file_sha256: str, suffix: str, archive_dir: Path, *,
                     encryption_key: bytes | None = None) -> Path:
    """Store the bytes once under their hash, encrypted with ``encryption_key`` when the source
    carries personal data; an existing copy is never rewritten."""
    folder = archive_dir / file_sha256[:2]
    name = f"{file_sha256}{suffix.lower()}"
    target = folder / (name + ENCRYPTED_SUFFIX if encryption_key else name)
    if target.exists():
        return target
    for owned in (archive_dir, folder):
        make_owner_only_folder(owned)
    if encryption_key:
        write_atomically(target, encrypt_original(content, file_sha256, encryption_key), ENCRYPTED_FILE_MODE)
    else:
        write_atomically(target, content, RECEIVED_FILE_MODE)
    return target


def read_original(path: Path, file_sha256: str, keys: Sequence[bytes] | None = None) -> bytes:
    """The original archived at ``path``, decrypted if it is kept encrypted (with ``keys``, by
    default the configured ones), checked to hash to ``file_sha256``."""
    stored = path.read_bytes()
    if sha256_hex(stored) == file_sha256:
        return stored
    if not is_encrypted(stored):
        raise OriginalDamaged(f"{path} hashes to {sha256_hex(stored)}, not {file_sha256}: the original was "
                              f"changed after it was archived")
    original = decrypt_original(stored, file_sha256, configured_keys() if keys is None else keys)
    if sha256_hex(original) != file_sha256:
        raise OriginalDamaged(f"{path} decrypts to bytes hashing to {sha256_hex(original)}, not {file_sha256}")
    return original


def original_sha256(path: Path, file_sha256: str, keys: Sequence[bytes] | None = None) -> str:
    """The sha256 of the original archived at ``path``: of its bytes as stored, or, when it is kept
    encrypted, of its plaintext. Raises ArchiveError when it cannot be decrypted."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC))
        digest.update(head)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() == file_sha256 or head != MAGIC:
        return digest.hexdigest()
    # AES-GCM authenticates the message whole, so the file is read into memory (originals are at
    # most settings.MAX_PROVIDER_FILE_BYTES).
    return sha256_hex(decrypt_original(path.read_bytes(), file_sha256, configured_keys() if keys is None else keys))


def find_original(archive_dirs: Iterable[Path], file_sha256: str,
                  keys: Sequence[bytes] | None = None) -> tuple[Path, bytes]:
    """Where the original of ``file_sha256`` is archived in one of ``archive_dirs``, and its bytes
    (``read_original``); when several copies are kept, the first that reads back whole."""
    archive_dirs = list(archive_dirs)
    candidates = [path for archive_dir in archive_dirs for path in sorted(
        (archive_dir / file_sha256[:2]).glob(f"{file_sha256}*")) if path.is_file()]
    if not candidates:
        searched = ", ".join(str(folder) for folder in archive_dirs)
        raise OriginalNotFound(f"no archived original has sha256 {file_sha256} (searched {searched})")
    problems: list[ArchiveError] = []
    for path in candidates:
        try:
            return path, read_original(path, file_sha256, keys)
        except ArchiveError as problem:
            problems.append(problem)
    raise problems[0]


@dataclass
class KeyRotation:
    """What a rotation did to one archive folder."""

    rotated: list[Path] = field(default_factory=list)
    already_current: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)


def rotate_archive_key(archive_dir: Path, new_key: bytes, old_key: bytes) -> KeyRotation:
    """Re-encrypt every original of ``archive_dir`` written with ``old_key`` under ``new_key``,
    each file replaced in one rename. Files already under ``new_key`` are left alone, so a
    rotation that stopped is finished by running it again; a file under neither key, or damaged,
    is listed in ``failed`` and left as it is."""
    rotation = KeyRotation()
    new_key_id = key_id(new_key)
    for path in sorted(archive_dir.rglob(f"*{ENCRYPTED_SUFFIX}")):
        file_sha256 = path.name[:64]
        if path.name.startswith(".") or not SHA256_PATTERN.fullmatch(file_sha256):
            continue
        stored = path.read_bytes()
        if not is_encrypted(stored) or sha256_hex(stored) == file_sha256:
            continue  # kept as received
        if stored[len(MAGIC) + 1:_AUTHENTICATED_HEADER_BYTES].hex() == new_key_id:
            rotation.already_current += 1
            continue
        try:
            original = decrypt_original(stored, file_sha256, [old_key])
        except ArchiveError as error:
            rotation.failed.append((path, str(error)))
            continue
        if sha256_hex(original) != file_sha256:
            rotation.failed.append((path, f"decrypts to bytes hashing to {sha256_hex(original)}, not {file_sha256}"))
            continue
        write_atomically(path, encrypt_original(original, file_sha256, new_key), ENCRYPTED_FILE_MODE)
        rotation.rotated.append(path)
    return rotation


def write_atomically(target: Path, content: bytes, mode: int) -> None:
    """Write ``content`` under a temporary name beside ``target``, flush it to disk, then rename it
    into place: after a crash there is the whole file or none, never half of one."""
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    # the rename itself reaches the disk only with its folder
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def make_owner_only_folder(folder: Path) -> None:
    folder.mkdir(mode=OWNER_ONLY_FOLDER_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != OWNER_ONLY_FOLDER_MODE:
        folder.chmod(OWNER_ONLY_FOLDER_MODE)


def _read_header(stored: bytes, file_sha256: str) -> bytes:
    if len(stored) < _HEADER.size + 16 or not is_encrypted(stored):
        raise OriginalDamaged(f"the archived original {file_sha256} is not an encrypted original of dti "
                              f"(its header is missing or cut short)")
    version = stored[len(MAGIC)]
    if version != FORMAT_VERSION:
        raise OriginalDamaged(f"the archived original {file_sha256} is in encrypted format version {version}, "
                              f"which this dti does not read (it reads version {FORMAT_VERSION})")
    return stored[:_HEADER.size]


def _associated_data(header: bytes, file_sha256: str) -> bytes:
    return header[:_AUTHENTICATED_HEADER_BYTES] + bytes.fromhex(file_sha256)
