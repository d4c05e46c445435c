"""The inbox where agencies drop files: a local folder by default, any fsspec location by configuration.

Layout: ``<inbox>/<kind>/<period>/<file>``, e.g. ``submissions/2026-Q3/SKHCN.xlsx``. The inbox is
named by a URL (``DTI_INBOX_URL``): a plain path or ``file://`` for a folder, ``s3://bucket/inbox``
for S3-compatible storage (with s3fs installed and credentials in the environment),
``memory://`` in tests. Files are only read here; nothing in the inbox is moved or changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

import fsspec
from fsspec.core import url_to_fs

SUBMISSIONS = "submissions"
CERTIFICATES = "certificates"
POPULATION = "population"
# The values the Ministry measures itself, as the focal point receives them.
MINISTRY = "ministry"


@dataclass(frozen=True)
class InboxFile:
    name: str
    url: str
    size: int
    submitted_at: datetime | None  # when the file arrived in the inbox, as the storage reports it

    @classmethod
    def from_path(cls, path: Path) -> InboxFile:
        """A local file as the inbox would list it."""
        stat = path.stat()
        return cls(name=path.name, url=path.resolve().as_uri(), size=stat.st_size,
                   submitted_at=datetime.fromtimestamp(stat.st_mtime, tz=UTC))


def list_inbox(inbox_url: str, kind: str, period: str) -> list[InboxFile]:
    """Files waiting for ``period``, oldest first so a resubmission lands after the original."""
    fs, root = url_to_fs(inbox_url)
    folder = f"{root.rstrip('/')}/{kind}/{period}"
    if not fs.isdir(folder):
        return []
    files = []
    for info in fs.ls(folder, detail=True):
        name = info["name"].rstrip("/").rsplit("/", 1)[-1]
        if info.get("type") != "file" or name.startswith((".", "~$")):
            continue
        files.append(InboxFile(name=name, url=fs.unstrip_protocol(info["name"]), size=int(info.get("size") or 0),
                               submitted_at=_modified(info)))
    return sorted(files, key=lambda f: (f.submitted_at or datetime.min.replace(tzinfo=UTC), f.name))


def read_bytes(file: InboxFile) -> bytes:
    with fsspec.open(file.url, "rb") as handle:
        return handle.read()


def _modified(info: dict) -> datetime | None:
    value = info.get("mtime") or info.get("LastModified") or info.get("created")
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), tz=UTC)
