"""Who issues and signs the report (the header and signature blocks of Decree 30/2020/NĐ-CP).

Each value can be set for a province in the ``vars`` of its provinces.yml entry (``dti_report_*``,
beside its other dbt vars) or for every province in ``dbt_project/dbt_project.yml``'s. The
governing body and the place are the province's own (from its names); the rest, the same in every
province's Department of Science and Technology, take the defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass

from dti.provinces import Province

DEFAULTS = {
    "dti_report_issuing_body_vi": "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "dti_report_issuing_body_en": "DEPARTMENT OF SCIENCE AND TECHNOLOGY",
    "dti_report_symbol": "BC-SKHCN",
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
    province: str  # the province as a sentence of this language names it: 'tỉnh Bắc Ninh', 'Bắc Ninh province'


def province_defaults(province: Province) -> dict[str, str]:
    """The issuer's values that follow from the province's names (Tỉnh Bắc Ninh: UBND TỈNH BẮC NINH)."""
    return {
        "dti_report_governing_body_vi": f"UBND {province.name_vi.upper()}",
        "dti_report_governing_body_en": f"{province.peer_name.upper()} PROVINCIAL PEOPLE'S COMMITTEE",
        "dti_report_place": province.peer_name,
    }


def report_issuer(language: str, province: Province) -> ReportIssuer:
    """The province's issuer blocks in ``language`` ('vi' or 'en')."""
    values = {**DEFAULTS, **province_defaults(province),
              **{key: value for key, value in province.dbt_vars.items() if key.startswith("dti_report_")}}
    return ReportIssuer(
        governing_body=values[f"dti_report_governing_body_{language}"],
        issuing_body=values[f"dti_report_issuing_body_{language}"],
        symbol=values["dti_report_symbol"],
        place=values["dti_report_place"],
        signer_authority=values[f"dti_report_signer_authority_{language}"],
        signer_title=values[f"dti_report_signer_title_{language}"],
        signer_name=values["dti_report_signer_name"],
        recipients=tuple(values[f"dti_report_recipients_{language}"]),
        province=province.name_in_text_vi if language == "vi" else province.name_en,
    )

