"""A whole period of demo agency files in the inbox layout the pipeline reads."""

from __future__ import annotations

from pathlib import Path

from dti.demo.certificates import CertificateDemoPlan, generate_certificate_files, generate_population_file
from dti.demo.submissions import DemoPlan, generate_submissions
from dti.sources.inbox import CERTIFICATES, POPULATION, SUBMISSIONS


def write_demo_inbox(inbox_dir: Path, period: str, seed: int) -> dict[str, int]:
    """Submissions, certificate-provider registers and the population file for ``period``;
    files already there are kept, so running it twice changes nothing."""
    submissions = generate_submissions(inbox_dir / SUBMISSIONS, DemoPlan(period=period, seed=seed))
    certificate_plan = CertificateDemoPlan(period=period, seed=seed)
    certificate_folder = inbox_dir / CERTIFICATES / period
    certificate_folder.mkdir(parents=True, exist_ok=True)
    certificates = generate_certificate_files(certificate_folder, certificate_plan)
    population_folder = inbox_dir / POPULATION / period
    population_folder.mkdir(parents=True, exist_ok=True)
    generate_population_file(population_folder, certificate_plan)
    return {SUBMISSIONS: len(submissions), CERTIFICATES: len(certificates), POPULATION: 1}
