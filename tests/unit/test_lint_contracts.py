"""`make lint` holds the shape ARCHITECTURE.md describes: each of its checks fails on a planted violation.

The package is copied to a temporary folder that comes first on the import path, the violation is
planted in the copy, and the same command `make lint` runs is run on it; the tree itself is never
touched, so tests running beside these see the project as it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dti import settings

ROOT = settings.PROJECT_ROOT
BIN = Path(sys.executable).parent


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """A copy of ``include/`` whose ``dti`` shadows the installed one for a subprocess."""
    copy = tmp_path_factory.mktemp("lint") / "include"
    shutil.copytree(ROOT / "include" / "dti", copy / "dti", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def lint_imports(package: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package)}
    return run([str(BIN / "lint-imports"), "--no-cache"], env=env)


def test_the_package_as_it_is_keeps_every_contract(package_copy):
    result = lint_imports(package_copy)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("settings.py", "import dti.runner", "Layers: entry points, stages, shared parts, settings"),
        ("sources/inbox.py", "import dti.landing", "Layers: entry points, stages, shared parts, settings"),
        ("landing/__init__.py", "import dti.demo", "The pipeline never needs the demo"),
        ("publish/report.py", "import dti.sources.inbox", "Publishing reads the marts, never sources or landing"),
        ("transform.py", "import matplotlib", "Landing and transform never load the report's libraries"),
    ],
    ids=["settings-imports-up", "sources-import-landing", "pipeline-imports-demo", "publish-reads-a-source",
         "transform-loads-matplotlib"],
)
def test_a_planted_import_breaks_its_contract(package_copy, tmp_path, module, planted, contract):
    package = tmp_path / "include"
    shutil.copytree(package_copy, package)
    target = package / "dti" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{planted}  # planted\n", encoding="utf-8")

    result = lint_imports(package)

    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout


def test_ruff_fails_on_an_unused_import_and_a_long_line(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n\nTEXT = '" + "x" * 130 + "'\n", encoding="utf-8")

    result = run([str(BIN / "ruff"), "check", "--config", str(ROOT / "pyproject.toml"), str(planted)])

    assert result.returncode != 0
    assert "F401" in result.stdout and "E501" in result.stdout


def test_sqlfluff_fails_on_a_model_written_against_the_project_style(tmp_path):
    planted = tmp_path / "planted_model.sql"
    planted.write_text("SELECT ID, Name FROM {{ ref('fct_dti_scores') }} WHERE period = '2026-Q3'\n", encoding="utf-8")

    result = run([str(BIN / "sqlfluff"), "lint", "--config", str(ROOT / ".sqlfluff"), str(planted)])

    assert result.returncode != 0
    assert "CP01" in result.stdout  # keywords in upper case
