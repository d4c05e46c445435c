"""Publish the Data Docs beside the report, so auditors open them on a network without the internet.

GX builds the pages into the context's ``local_site`` at every validation (the checkpoints'
UpdateDataDocsAction). Those pages load Bootstrap, jQuery, Vega and Font Awesome from public
CDNs and ask GX's servers for a logo with the data context id in the URL. The published copy at
``<output_root>/quality`` loads the same files from the npm packages vendored in
``offline_assets/`` (see its README) and GX's own logo from the site's ``static/images``, and
drops GX's newsletter footer. A page that would still load anything from outside the folder,
or still carries the data context id, stops the publication.

Every page keeps its path in the published copy: ``audit.validation_results.data_docs_page``,
relative to the site's root, names a validation's page in ``<output_root>/quality`` as well.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dti.provinces import Province
from dti.publication import new_staging_folder, publish_folder_atomically
from dti.quality.validation import data_context, data_docs_site

QUALITY_DIR = "quality"
OFFLINE_ASSETS_DIR = Path(__file__).with_name("offline_assets")
# Where the vendored packages land inside the published site, beside GX's own static files.
PUBLISHED_ASSETS = "static/offline"
GX_LOGO = "static/images/logo-long.png"

# GX links its static files relative to each page and miscounts the depth of validation pages for
# the favicon; every such link is made relative to the site root again.
_SITE_STATIC_LINK = re.compile(r"""(["'(])(?:\./|(?:\.\./)+)static/""")
_GX_WEB_ASSET = re.compile(r"https://great-expectations-web-assets\.s3\.[^\"')\s]*")
# Local copies are loaded from file:// pages, where a CORS-mode request (crossorigin) is refused.
_CDN_ONLY_ATTRIBUTES = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"')
_NEWSLETTER_FOOTER = re.compile(r"<footer>\s*<p>[^<]*<a href=\"https://greatexpectations\.io/newsletter[^\"]*\">[^<]*</a></p>\s*</footer>")
# Everything a browser fetches by itself when it renders a page: src, <link href>, CSS url() and @import.
_LOADED_URL = re.compile(
    r"""\bsrc\s*=\s*["']([^"']*)["']"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']([^"']*)["']"""
    r"""|url\(\s*["']?([^"')]*)["']?\s*\)"""
    r"""|@import\s+["']([^"']*)["']""",
    re.IGNORECASE,
)


class DataDocsNotOffline(RuntimeError):
    """A published Data Docs page would request something outside its folder."""


def publish_data_docs(output_root: Path, run_id: str, province: Province) -> Path:
    """Publish the province's Data Docs as ``<output_root>/quality`` (index at ``quality/index.html``),
    every asset inside the folder. Returns the build folder."""
    context = data_context(province)
    site = data_docs_site(context)
    staging = new_staging_folder(output_root, QUALITY_DIR)
    try:
        shutil.copytree(site, staging, dirs_exist_ok=True)
        shutil.copytree(OFFLINE_ASSETS_DIR, staging / PUBLISHED_ASSETS,
                        ignore=shutil.ignore_patterns("manifest.json", "README.md", "SHA256SUMS"))
        cdn_assets = cdn_asset_paths()
        # GX inlines its stylesheet into every page and also copies it to static/styles: rewrite both.
        for document in [*staging.rglob("*.html"), *(staging / "static" / "styles").glob("*.css")]:
            text = document.read_text(encoding="utf-8")
            document.write_text(rewrite_document(text, document.relative_to(staging), cdn_assets), encoding="utf-8")
        check_offline(staging, forbidden=[str(context.variables.data_context_id)])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return publish_folder_atomically(staging, output_root / QUALITY_DIR, run_id)


def cdn_asset_paths() -> dict[str, str]:
    """CDN URL -> the vendored file standing in for it, relative to the published assets folder."""
    manifest = json.loads((OFFLINE_ASSETS_DIR / "manifest.json").read_text(encoding="utf-8"))
    return manifest["cdn"]


def rewrite_document(text: str, document: Path, cdn_assets: dict[str, str]) -> str:
    """``text`` (of a page or stylesheet at ``document``, relative to the site root) with every outside
    request made local."""
    to_root = os.path.relpath(".", document.parent).replace(os.sep, "/")
    text = _SITE_STATIC_LINK.sub(rf"\g<1>{to_root}/static/", text)
    for url, asset in cdn_assets.items():
        text = re.sub(rf"""(["']){re.escape(url)}\1""", rf"\g<1>{to_root}/{PUBLISHED_ASSETS}/{asset}\g<1>", text)
    text = _GX_WEB_ASSET.sub(f"{to_root}/{GX_LOGO}", text)
    text = _CDN_ONLY_ATTRIBUTES.sub("", text)
    return _NEWSLETTER_FOOTER.sub("", text)


def check_offline(site: Path, forbidden: list[str]) -> None:
    """Raise DataDocsNotOffline when a page or stylesheet of ``site`` would load anything that is not a
    file of ``site``, or contains one of the ``forbidden`` strings (identifiers that must not leak)."""
    problems = []
    for document in [*site.rglob("*.html"), *site.rglob("*.css")]:
        text = document.read_text(encoding="utf-8", errors="replace")
        problems += [f"{document.relative_to(site)}: contains {value!r}"
                     for value in forbidden if value and value in text]
        problems += [f"{document.relative_to(site)}: loads {reference!r}"
                     for reference in loaded_references(text) if not _is_inside(site, document, reference)]
    if problems:
        raise DataDocsNotOffline("the Data Docs would reach outside their folder:\n" + "\n".join(sorted(set(problems))))


def loaded_references(text: str) -> list[str]:
    """What a browser fetches by itself when it renders ``text`` (a page or a stylesheet)."""
    return [next(group for group in match.groups() if group is not None).strip()
            for match in _LOADED_URL.finditer(text)]


def _is_inside(site: Path, document: Path, reference: str) -> bool:
    if reference == "" or reference.startswith(("data:", "#")):
        return True
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc:
        return False
    target = (document.parent / unquote(parts.path)).resolve()
    return target.is_relative_to(site.resolve()) and target.exists()
