"""Who issues and signs the report (the header and signature blocks of Decree 30/2020/NĐ-CP).

Each value can be set in the dbt project's ``vars`` (``dbt_project/dbt_project.yml``), where the
province's other constants live; what is not set there takes the default below.
"""

from __future__ import annotations

from dataclasses import dataclass

from dti import settings

DEFAULTS = {
    "dti_report_governing_body_vi": "UBND TỈNH BẮC NINH",
    "dti_report_governing_body_en": "BẮC NINH PROVINCIAL PEOPLE'S COMMITTEE",
    "dti_report_issuing_body_vi": "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "dti_report_issuing_body_en": "DEPARTMENT OF SCIENCE AND TECHNOLOGY",
    "dti_report_symbol": "BC-SKHCN",
    "dti_report_place": "Bắc Ninh",
    "dti_report_signer_authority_vi": "KT. GIÁM ĐỐC",
    "dti_report_signer_authority_en": "FOR THE DIRECTOR",
    "dti_report_signer_title_vi": "PHÓ GIÁM ĐỐC",
    "dti_report_signer_title_en": "DEPUTY DIRECTOR",
    # Left empty for the signer to write; a name set here is printed instead.
    "dti_report_signer_name": "",
    "dti_report_recipients_vi": [
        "UBND tỉnh (để báo cáo);",
        "Bộ Khoa học và Công nghệ (để báo cáo);",
        "Các sở, ban, ngành; UBND các xã, phường;",
        "Lưu: VT, CĐS.",
    ],
    "dti_report_recipients_en": [
        "Provincial People's Committee (for report);",
        "Ministry of Science and Technology (for report);",
        "Departments and agencies; People's Committees of communes and wards;",
        "Archive: Office, Digital Transformation Division.",
    ],
}


@dataclass(frozen=True)
class ReportIssuer:
    governing_body: str
    issuing_body: str
    symbol: str  # the document's symbol after its number: 'Số: …/BC-SKHCN'
    place: str
    signer_authority: str  # 'KT. GIÁM ĐỐC' when a deputy signs for the director
    signer_title: str
    signer_name: str
    recipients: tuple[str, ...]


def report_issuer(language: str) -> ReportIssuer:
    """The issuer's blocks in ``language`` ('vi' or 'en')."""
    values = {**DEFAULTS, **{key: value for key, value in settings.dbt_project_vars().items() if key in DEFAULTS}}
    return ReportIssuer(
        governing_body=values[f"dti_report_governing_body_{language}"],
        issuing_body=values[f"dti_report_issuing_body_{language}"],
        symbol=values["dti_report_symbol"],
        place=values["dti_report_place"],
        signer_authority=values[f"dti_report_signer_authority_{language}"],
        signer_title=values[f"dti_report_signer_title_{language}"],
        signer_name=values["dti_report_signer_name"],
        recipients=tuple(values[f"dti_report_recipients_{language}"]),
    )

