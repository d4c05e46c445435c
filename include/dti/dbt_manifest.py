"""The dbt manifest the DAGs are rendered from, written by the install step and checked at parse.

``make install`` (and the Docker image) runs ``dti manifest``: ``dbt parse`` writes
``dbt_project/target/manifest.json``, and beside it the fingerprint of the project files it was
parsed from. Cosmos renders each province's transform from that file (``LoadMode.DBT_MANIFEST``),
so parsing a DAG file never starts dbt; a manifest older than the project stops the DAG from
loading, with the command that brings it up to date.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dti import settings
from dti.dbt_invocation import dbt_failure, run_dbt

MANIFEST = Path("target") / "manifest.json"
# Beside the manifest: the fingerprint of the project files it was parsed from.
MANIFEST_FINGERPRINT = Path("target") / "manifest.sources.sha256"
# What shapes dbt's graph. A province's own seed folder (provinces/<code>) is left out: every
# province has the same seeds there, so one manifest serves every province's DAG.
_GRAPH_SOURCES = ("dbt_project.yml", "models", "macros", "seeds", "tests")


class StaleManifestError(RuntimeError):
    """The manifest is missing, older than the dbt project, or could not be written."""


def project_fingerprint(project_dir: Path) -> str:
    """sha256 over the names and bytes of the project files that shape dbt's graph."""
    digest = hashlib.sha256()
    for name in _GRAPH_SOURCES:
        root = project_dir / name
        files = sorted(path for path in root.rglob("*") if path.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def write_manifest(project_dir: Path | None = None) -> Path:
    """``dbt parse`` the project into ``target/manifest.json`` with its fingerprint beside it.
    Parsing connects to no server: the profile gets placeholder connection settings."""
    project_dir = project_dir or settings.DBT_PROJECT_DIR
    placeholder = settings.PostgresParams(host="127.0.0.1", port=5432, user="dti", password="", dbname="dti")
    result = run_dbt(["parse", "--log-level", "none", "--target-path", str(project_dir / MANIFEST.parent)],
                     placeholder.dbt_env(), project_dir)
    if not result.success:
        raise StaleManifestError(f"dbt parse of {project_dir} failed: {dbt_failure(result)}")
    (project_dir / MANIFEST_FINGERPRINT).write_text(project_fingerprint(project_dir) + "\n", encoding="utf-8")
    return project_dir / MANIFEST


def current_manifest(project_dir: Path) -> Path:
    """The project's manifest, provided it was parsed from the project as it is now."""
    manifest, fingerprint = project_dir / MANIFEST, project_dir / MANIFEST_FINGERPRINT
    if not manifest.is_file() or not fingerprint.is_file():
        raise StaleManifestError(f"{manifest} is missing: run `make install` (or `dti manifest`) to parse the dbt "
                                 f"project")
    if fingerprint.read_text(encoding="utf-8").strip() != project_fingerprint(project_dir):
        raise StaleManifestError(f"{manifest} was parsed from an older dbt project: run `make install` "
                                 f"(or `dti manifest`) to parse it again")
    return manifest
