"""Atomic publication: a run's files appear under ``reports/<period>`` all at once or not at all.

Layout under ``<output_root>/reports``::

    .builds/<period>/<run-id>/   one immutable folder per publishing run
    <period> -> .builds/<period>/<run-id>
    latest   -> <period>

A folder rename cannot replace a non-empty folder, so each run writes a new build and the
``<period>`` and ``latest`` symlinks are switched with ``os.replace`` of a fresh symlink, which
is atomic. Readers see either the previous publication or the new one, never a mix. The links
are relative so the output folder can be moved or mounted elsewhere.

Other published folders (the Data Docs at ``<output_root>/quality``) use the same scheme through
``publish_folder_atomically``: ``.builds/<name>/<run-id>/`` beside a ``<name>`` symlink.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

LATEST_LINK = "latest"
BUILDS_DIR = ".builds"

# The period names a folder beside `latest` and `.builds`: '2026', '2026-07' or '2026-Q3'.
_PERIOD_PATTERN = re.compile(r"\d{4}(-[0-9A-Za-z]+)?")
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^0-9A-Za-z_.-]")


def write_publication_atomically(
    output_root: Path, period: str, run_id: str, files: Mapping[str, bytes]
) -> Path:
    """Publish ``files`` (relative path -> content) as ``reports/<period>``, then point ``latest``
    at it. Returns the build folder this run wrote.

    The previous build of the period is kept for readers still holding it open; older ones are
    deleted.
    """
    if not _PERIOD_PATTERN.fullmatch(period):
        raise ValueError(f"period {period!r} is not a period label such as '2026-Q3'")
    reports = output_root / "reports"
    staging = new_staging_folder(reports, period)
    try:
        for relative_path, content in files.items():
            _write_file(staging / relative_path, content)
        for directory in {staging, *((staging / relative_path).parent for relative_path in files)}:
            _fsync(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    with _exclusive_lock(reports / ".lock"):
        build = _move_into_place(staging, reports / period, run_id)
        _switch_symlink(reports / LATEST_LINK, period)
        _fsync(reports)
    return build


def new_staging_folder(parent: Path, label: str) -> Path:
    """An empty folder in ``parent`` to build a publication in, on the file system it will be renamed on."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{label}-", dir=parent))
    # mkdtemp makes the folder private; publications are meant to be served to readers.
    staging.chmod(0o755)
    return staging


def publish_folder_atomically(staging: Path, link: Path, run_id: str) -> Path:
    """Make the finished folder ``staging`` (from ``new_staging_folder(link.parent, ...)``) what
    ``link`` shows, in one switch. Returns the build folder it became."""
    for directory, _, file_names in os.walk(staging):
        for file_name in file_names:
            _fsync(Path(directory) / file_name)
        _fsync(Path(directory))
    with _exclusive_lock(link.parent / ".lock"):
        return _move_into_place(staging, link, run_id)


def _move_into_place(staging: Path, link: Path, run_id: str) -> Path:
    """Rename ``staging`` into ``.builds/<link name>/`` and point ``link`` at it; call under the lock.

    The build ``link`` showed before is kept for readers still holding it open; older ones are deleted.
    """
    builds = link.parent / BUILDS_DIR / link.name
    builds.mkdir(parents=True, exist_ok=True)
    build = _unused_build_path(builds, run_id)
    staging.rename(build)
    _fsync(builds)

    previous_build = Path(os.readlink(link)).name if link.is_symlink() else None
    _switch_symlink(link, f"{BUILDS_DIR}/{link.name}/{build.name}")
    _fsync(link.parent)

    _delete_builds_except(builds, keep={build.name, previous_build})
    return build


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _unused_build_path(period_builds: Path, run_id: str) -> Path:
    """A build folder named after the run; a retried run gets a numbered sibling."""
    name = _UNSAFE_NAME_CHARACTERS.sub("_", run_id).strip(".") or "run"
    build = period_builds / name
    attempt = 1
    while build.exists():
        attempt += 1
        build = period_builds / f"{name}.{attempt}"
    return build


def _switch_symlink(link: Path, target: str) -> None:
    temporary = link.with_name(f".tmp-link-{link.name}-{secrets.token_hex(4)}")
    os.symlink(target, temporary)
    try:
        os.replace(temporary, link)
    except BaseException:
        temporary.unlink()
        raise


def _delete_builds_except(period_builds: Path, keep: set[str | None]) -> None:
    for build in period_builds.iterdir():
        if build.name not in keep:
            shutil.rmtree(build)


def _fsync(path: Path) -> None:
    """Make a file's content, or the renames and new entries in a folder, survive a power loss."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Serialise the switch and the clean-up so two runs never delete each other's build."""
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
