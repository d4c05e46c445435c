from dti.landing import archive_original, pseudonymize, sha256_of


def test_pseudonyms_are_stable_keyed_and_do_not_contain_the_identifier():
    citizen = "001203004567"
    assert pseudonymize(citizen, b"k1") == pseudonymize(f" {citizen} ", b"k1")
    assert pseudonymize(citizen, b"k1") != pseudonymize(citizen, b"k2")
    assert citizen not in pseudonymize(citizen, b"k1")


def test_an_archived_original_is_stored_once_by_hash_and_made_read_only(tmp_path):
    content = "Sở Khoa học và Công nghệ".encode()
    digest = sha256_of(content)
    path = archive_original(content, digest, ".XLSX", tmp_path)
    assert path == tmp_path / digest[:2] / f"{digest}.xlsx"
    assert path.read_bytes() == content
    assert path.stat().st_mode & 0o222 == 0
    assert archive_original(content, digest, ".xlsx", tmp_path) == path
