"""The inbox can be any fsspec location; files are listed per kind and period, oldest first."""

import os
from datetime import datetime, UTC

import fsspec
import pytest

from dti.sources import inbox


@pytest.fixture()
def memory_inbox():
    fs = fsspec.filesystem("memory")
    root = f"/inbox-{os.getpid()}-{id(fs)}"
    yield fs, root
    fs.rm(root, recursive=True)


def test_an_object_store_inbox_is_listed_and_read_like_a_folder(memory_inbox):
    fs, root = memory_inbox
    fs.pipe(f"{root}/submissions/2026-Q3/SNV.xlsx", b"first")
    fs.pipe(f"{root}/submissions/2026-Q3/STP.xlsx", b"second")
    fs.pipe(f"{root}/submissions/2026-Q3/~$SNV.xlsx", b"excel lock file")
    fs.pipe(f"{root}/certificates/2026-Q3/viettel.csv", b"other kind")

    files = inbox.list_inbox(f"memory://{root}", inbox.SUBMISSIONS, "2026-Q3")

    assert [f.name for f in files] == ["SNV.xlsx", "STP.xlsx"]
    assert [inbox.read_bytes(f) for f in files] == [b"first", b"second"]
    assert all(f.submitted_at is not None and f.size > 0 for f in files)
    assert inbox.list_inbox(f"memory://{root}", inbox.SUBMISSIONS, "2026-Q4") == []


def test_a_local_inbox_lists_oldest_first_so_resubmissions_land_last(tmp_path):
    folder = tmp_path / "submissions" / "2026-Q3"
    folder.mkdir(parents=True)
    for name, seconds in (("B.xlsx", 200), ("A.xlsx", 100), (".hidden", 10)):
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (seconds, seconds))
    files = inbox.list_inbox(str(tmp_path), inbox.SUBMISSIONS, "2026-Q3")
    assert [f.name for f in files] == ["A.xlsx", "B.xlsx"]
    assert files[0].submitted_at == datetime.fromtimestamp(100, tz=UTC)
    assert inbox.InboxFile.from_path(folder / "A.xlsx") == files[0]
