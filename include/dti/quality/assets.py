"""The GX data assets the raw quality gate validates each source's rows as, by source.

``dti.quality.gates`` validates under these names and ``dti trace`` looks a file's validations up
by them in ``audit.validation_results``. The module imports no Great Expectations, so the trace
reads the names without loading GX.
"""

from __future__ import annotations

from dti.sources import certificates, ministry, population, procedure_api, submissions

RAW_SUBMISSIONS_ASSET = "raw_self_assessment_rows"
RAW_DOSSIERS_ASSET = "raw_dossier_records"
RAW_CERTIFICATES_ASSET = "raw_signature_certificates"
RAW_POPULATION_ASSET = "raw_adult_population"
RAW_MINISTRY_ASSET = "raw_ministry_component_values"
# One row per scored source: its rows for the period against its trailing periods (dti.quality.volumes).
RAW_SOURCE_VOLUMES_ASSET = "raw_source_volumes"

# raw.landed_files.source -> the asset holding that source's rows.
RAW_ASSETS = {
    submissions.SOURCE_NAME: RAW_SUBMISSIONS_ASSET,
    procedure_api.SOURCE_NAME: RAW_DOSSIERS_ASSET,
    certificates.SOURCE_NAME: RAW_CERTIFICATES_ASSET,
    population.SOURCE_NAME: RAW_POPULATION_ASSET,
    ministry.SOURCE_NAME: RAW_MINISTRY_ASSET,
}
