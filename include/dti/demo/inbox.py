"""A whole period of demo agency files in the inbox layout the pipeline reads."""

from __future__ import annotations

from pathlib import Path

from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem

from dti.demo.certificates import CertificateDemoPlan, generate_certificate_files, generate_population_file
from dti.demo.ministry import generate_ministry_file
from dti.demo.submissions import DemoPlan, generate_submissions
from dti.provinces import Province
from dti.sources.inbox import CERTIFICATES, MINISTRY, POPULATION, SUBMISSIONS


def local_inbox_dir(inbox_url: str) -> Path:
    """The folder of a local inbox; raises ValueError for a remote one (demo files are written locally)."""
    fs, root = url_to_fs(inbox_url)
    if not isinstance(fs, LocalFileSystem):
        raise ValueError(f"demo files are written to a local inbox folder, and {inbox_url} is not one")
    return Path(root)


def write_demo_inbox(inbox_dir: Path, period: str, seed: int, province: Province,
                     population_scale: float = 1.0) -> dict[str, int]:
    """Submissions, certificate-provider registers, the population file and the file of the
    Ministry's values of the province for ``period`` (``population_scale`` times the demo province's
    adults, and certificates with them); files already there are kept, so running it twice changes
    nothing."""
    submissions = generate_submissions(inbox_dir / SUBMISSIONS, DemoPlan(period=period, seed=seed), province)
    certificate_plan = CertificateDemoPlan(period=period, seed=seed, population_scale=population_scale)
    certificate_folder = inbox_dir / CERTIFICATES / period
    certificate_folder.mkdir(parents=True, exist_ok=True)
    certificates = generate_certificate_files(certificate_folder, certificate_plan, province)
    population_folder = inbox_dir / POPULATION / period
    population_folder.mkdir(parents=True, exist_ok=True)
    generate_population_file(population_folder, certificate_plan, province)
    ministry = generate_ministry_file(inbox_dir / MINISTRY / period, period, seed)
    return {SUBMISSIONS: len(submissions), CERTIFICATES: len(certificates), POPULATION: 1,
            MINISTRY: 0 if ministry is None else 1}
