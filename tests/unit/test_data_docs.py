"""The published Data Docs load nothing from outside their folder: the vendored assets stand in for
every CDN file GX's templates name, byte for byte, and publishing refuses a page that still reaches out.
A pipeline run's validations are named in them by its period and Airflow run id."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import great_expectations
import pytest

from dti.quality.data_docs import (
    OFFLINE_ASSETS_DIR,
    DataDocsNotOffline,
    cdn_asset_paths,
    check_offline,
    loaded_references,
    rewrite_document,
)
from dti.quality.validation import gx_run_name

GX_VIEW = Path(great_expectations.__file__).parent / "render" / "view"
GX_DOCUMENTS = sorted([*(GX_VIEW / "templates").glob("*.j2"), *(GX_VIEW / "static" / "styles").glob("*.css")])
VALIDATION_PAGE = Path("validations/suite/2026-Q3 · manual__2026-10-01T00_00_00+00_00/20261001T000000Z/"
                       "frames-suite.html")
CONTEXT_ID = "fbbcb242-9c7e-473f-99da-b055495f558a"


def vendored(asset: str) -> Path:
    return OFFLINE_ASSETS_DIR / asset


def is_remote(reference: str) -> bool:
    parts = urlsplit(reference)
    return bool(parts.scheme and parts.scheme != "data") or bool(parts.netloc)


@pytest.mark.parametrize("document", GX_DOCUMENTS, ids=lambda path: path.name)
def test_every_outside_file_a_gx_template_loads_is_replaced_by_a_vendored_one(document):
    rewritten = rewrite_document(document.read_text(encoding="utf-8"), VALIDATION_PAGE, cdn_asset_paths())

    assert [reference for reference in loaded_references(rewritten) if is_remote(reference)] == []
    assert "great-expectations-web-assets" not in rewritten


def test_every_cdn_url_stands_for_a_vendored_file():
    missing = [asset for asset in cdn_asset_paths().values() if not vendored(asset).is_file()]

    assert missing == []


def test_vendored_files_are_the_manifests_packages_with_their_checksums():
    manifest = json.loads((OFFLINE_ASSETS_DIR / "manifest.json").read_text(encoding="utf-8"))
    expected = {f"{package['name']}@{package['version']}/{file}"
                for package in manifest["packages"] for file in [*package["files"], "package.json"]}
    sums = dict(reversed(line.split(maxsplit=1))
                for line in (OFFLINE_ASSETS_DIR / "SHA256SUMS").read_text().splitlines())

    assert set(sums) == expected
    for file, digest in sums.items():
        assert hashlib.sha256(vendored(file).read_bytes()).hexdigest() == digest, file


def test_vendored_scripts_are_the_bytes_gx_pins_by_integrity_hash():
    template = (GX_VIEW / "templates" / "js_script_imports.j2").read_text(encoding="utf-8")
    pinned = re.findall(r'src="([^"]+)" integrity="sha384-([^"]+)"', template)

    assert pinned, "GX no longer pins a script by hash: nothing to compare"
    for url, digest in pinned:
        actual = base64.b64encode(hashlib.sha384(vendored(cdn_asset_paths()[url]).read_bytes()).digest()).decode()
        assert actual == digest, url


def test_vendored_stylesheets_load_only_files_they_bring_along():
    for stylesheet in OFFLINE_ASSETS_DIR.rglob("*.css"):
        for reference in loaded_references(stylesheet.read_text(encoding="utf-8")):
            if not reference.startswith("data:"):
                assert (stylesheet.parent / reference.split("?")[0].split("#")[0]).is_file(), (stylesheet, reference)


def test_a_validation_page_is_pointed_at_local_files_from_its_own_depth():
    page = (
        '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>\n'
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js" '
        'integrity="sha384-x" crossorigin="anonymous"></script>\n'
        '<link rel="shortcut icon" href="../../../static/images/favicon.ico" type="image/x-icon"/>\n'
        f'<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1&dataContextId={CONTEXT_ID}"/>\n'
        '<footer>\n  <p>Stay current on everything GX with our newsletter <a href="https://greatexpectations.io/'
        'newsletter?utm_source=datadocs">Subscribe</a></p>\n</footer>\n'
    )

    rewritten = rewrite_document(page, VALIDATION_PAGE, cdn_asset_paths())

    assert rewritten == (
        '<link rel="stylesheet" href="../../../../static/offline/bootstrap@4.3.1/dist/css/bootstrap.min.css"/>\n'
        '<script src="../../../../static/offline/popper.js@1.12.9/dist/umd/popper.min.js"></script>\n'
        '<link rel="shortcut icon" href="../../../../static/images/favicon.ico" type="image/x-icon"/>\n'
        '<img src="../../../../static/images/logo-long.png"/>\n\n'
    )


def test_publishing_refuses_a_page_that_reaches_outside_or_names_the_context(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "local.css").write_text("body { background: url(missing.png) }")
    (tmp_path / "index.html").write_text(
        '<link rel="stylesheet" href="static/local.css"><script src="//cdn.example/x.js"></script>'
        f'<p>{CONTEXT_ID}</p><a href="https://greatexpectations.io">links are not loaded</a>')

    with pytest.raises(DataDocsNotOffline) as refused:
        check_offline(tmp_path, forbidden=[CONTEXT_ID])

    assert str(refused.value).splitlines()[1:] == [
        f"index.html: contains '{CONTEXT_ID}'",
        "index.html: loads '//cdn.example/x.js'",
        "static/local.css: loads 'missing.png'",
    ]


def test_a_site_whose_every_reference_is_a_file_of_it_is_accepted(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "logo.png").write_bytes(b"png")
    (tmp_path / "index.html").write_text('<img src="static/logo.png"><img src="data:image/png;base64,AA==">')

    check_offline(tmp_path, forbidden=[CONTEXT_ID])


def test_a_run_is_named_by_its_period_and_airflow_run_id_in_a_name_any_file_system_holds():
    name = gx_run_name("2026-Q3", "manual__2026-10-01T00:00:00+00:00")

    assert name == "2026-Q3 · manual__2026-10-01T00_00_00+00_00"
    assert not set(name) & set('\\/:*?"<>|')
