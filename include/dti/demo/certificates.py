"""Seeded, deterministic files of the certificate providers and of the statistics office.

Every commune and ward gets 8,000–60,000 adults, and 8–40% of them hold a valid personal
certificate, spread over the providers by market share. Around them, as in a real register, sit
expired and revoked certificates of former holders, organisations' certificates, and a few people
with a certificate at two providers, so holders must be counted once, not rows. Each provider's
file is written in that provider's layout and encoding (``dti.sources.certificates``). A
configurable share of rows is flawed (an unknown commune code, an expiry before the issue date, a
date that went through Excel) so every run exercises quarantine.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from dti.catalog.seeds import load_units
from dti.periods import period_end
from dti.provinces import Province
from dti.sources import certificates, population
from dti.text_encodings import TONE_MARKS


@dataclass(frozen=True)
class CertificateDemoPlan:
    period: str
    seed: int = 2025
    flawed_share: float = 0.0005
    # None: every commune and ward of the province; a few codes keep test files small.
    ward_codes: tuple[str, ...] | None = None
    # Adults of every commune, and with them the certificate registers: 1 is the province's size
    # (about 930,000 certificate rows a period); a run where volume does not matter takes less.
    population_scale: float = 1.0


@dataclass(frozen=True)
class ProviderExport:
    """How a provider's export file is written: what the layout in dti.sources does not say."""

    encoding: str
    suffix: str
    serial_prefix: str
    market_share: float


PROVIDER_EXPORTS = {
    "VNPT-CA": ProviderExport("utf-8-sig", ".csv", "5402", 0.45),
    "Viettel-CA": ProviderExport("cp1258", ".csv", "5404", 0.30),
    "BKAV-CA": ProviderExport("utf-8", ".csv", "5406", 0.15),
    "FPT-CA": ProviderExport("utf-8", ".txt", "5408", 0.10),
}
ADULTS_RANGE = (8_000, 60_000)
HOLDER_RATE_RANGE = (0.08, 0.40)
# Per current personal holder: expired and revoked certificates of other people, organisations'
# certificates, and holders with a second certificate at another provider.
EXPIRED_SHARE = 0.10
REVOKED_SHARE = 0.02
ORGANISATION_SHARE = 0.04
SECOND_PROVIDER_SHARE = 0.02
VALIDITY_YEARS = (1, 2, 3)
FLAWS = ("unknown_commune", "expiry_before_issue", "excel_date")
EXCEL_EPOCH = date(1899, 12, 30)

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý")
MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Hữu", "Thanh", "Xuân")
GIVEN_NAMES = ("Anh", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hương", "Khánh", "Linh", "Lộc",
               "Mai", "Nam", "Nga", "Phúc", "Quỳnh", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Yến")
COMPANY_FORMS = ("Công ty TNHH", "Công ty Cổ phần", "Hợp tác xã", "Doanh nghiệp tư nhân")
COMPANY_NAMES = ("Thành Đạt", "Hưng Thịnh", "Kinh Bắc", "Minh Phát", "An Khang", "Đông Á", "Lục Ngạn", "Việt Yên")
# Birth-place codes at the start of a citizen id (Bắc Giang 024, Bắc Ninh 027); tax codes of
# businesses registered there start 24 and 23.
CITIZEN_ID_PROVINCES = ("024", "027")
TAX_CODE_PROVINCES = ("24", "23")


@dataclass(frozen=True)
class DemoCommune:
    nso_ward_code: str
    name_vi: str
    adults: int
    holders: int  # adults holding a valid personal certificate at the end of the period


def demo_communes(plan: CertificateDemoPlan, province: Province) -> list[DemoCommune]:
    """The province's communes and wards of the plan with their adults and holders; the same for the
    same plan."""
    rng = random.Random(f"{plan.seed}:{plan.period}:population")
    communes = []
    for unit in load_units(province):
        code = unit["nso_ward_code"]
        if not code or (plan.ward_codes is not None and code not in plan.ward_codes):
            continue
        adults = max(1, round(rng.randint(*ADULTS_RANGE) * plan.population_scale))
        communes.append(DemoCommune(code, unit["name_vi"], adults, round(adults * rng.uniform(*HOLDER_RATE_RANGE))))
    return communes


def generate_population_file(folder: Path, plan: CertificateDemoPlan, province: Province) -> Path:
    """Write the statistics office's adult population file of the province for the plan's period
    under ``folder``."""
    year = period_end(plan.period).year
    rows = [[c.nso_ward_code, c.name_vi, year, c.adults] for c in demo_communes(plan, province)]
    path = folder / f"dan-so-tu-18-tuoi_{plan.period}.csv"
    write_new(path, delimited([population.HEADERS, *rows], population.DELIMITER).encode("utf-8"))
    return path


def generate_certificate_files(folder: Path, plan: CertificateDemoPlan, province: Province) -> list[Path]:
    """Write one register file per provider, of the province's certificate holders, under
    ``folder``; existing files are left as they are."""
    rng = random.Random(f"{plan.seed}:{plan.period}:certificates")
    end = period_end(plan.period)
    communes = demo_communes(plan, province)
    names = list(PROVIDER_EXPORTS)
    shares = [export.market_share for export in PROVIDER_EXPORTS.values()]
    by_provider: dict[str, list[dict]] = {name: [] for name in names}
    taken_ids: set[str] = set()
    for commune in communes:
        for certificate in _commune_certificates(commune, end, rng, taken_ids):
            provider = rng.choices(names, shares)[0]
            by_provider[provider].append(certificate)
            if certificate["holder_type"] == "personal" and certificate["status"] == "active" \
                    and rng.random() < SECOND_PROVIDER_SHARE:
                by_provider[rng.choice([name for name in names if name != provider])].append(certificate)
    # An unknown code must be unknown to the whole province, not only to the plan's communes.
    province_codes = {unit["nso_ward_code"] for unit in load_units(province) if unit["nso_ward_code"]}
    paths = []
    for layout in certificates.PROVIDERS:
        export = PROVIDER_EXPORTS[layout.name]
        register = by_provider[layout.name]
        flawed = _flawed_rows(len(register), plan.flawed_share, rng)
        rows = [_provider_row(layout, certificate, export, rng, flawed.get(index), province_codes)
                for index, certificate in enumerate(register)]
        text = delimited([list(layout.columns), *rows], layout.delimiter)
        content = encode_windows_1258(text) if export.encoding == "cp1258" else text.encode(export.encoding)
        path = folder / f"{layout.name.lower()}_{plan.period}{export.suffix}"
        write_new(path, content)
        paths.append(path)
    return paths


def encode_windows_1258(text: str) -> bytes:
    """Encode as Windows does for Vietnamese: Windows-1258 holds the letters with a circumflex, breve
    or horn but few with a tone mark, so 'ế' is written 'ê' followed by a combining acute accent."""
    return text.translate(_windows_1258_decompositions()).encode("cp1258")


@lru_cache(maxsize=1)
def _windows_1258_decompositions() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x1EFA):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in TONE_MARKS))
        written = base + "".join(mark for mark in decomposed if mark in TONE_MARKS)
        if not _encodable(char) and _encodable(written):
            table[code] = written
    return table


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def _commune_certificates(commune: DemoCommune, end: date, rng: random.Random, taken_ids: set[str]) -> Iterator[dict]:
    extra = {
        ("personal", "expired"): EXPIRED_SHARE,
        ("personal", "revoked"): REVOKED_SHARE,
        ("organisation", "active"): ORGANISATION_SHARE,
    }
    kinds = [("personal", "active")] * commune.holders + [
        kind for kind, share in extra.items() for _ in range(round(commune.holders * share))]
    for holder_type, status in kinds:
        years = rng.choice(VALIDITY_YEARS)
        if status == "expired":
            issued = end - timedelta(days=365 * years + rng.randint(1, 700))
        else:
            issued = end - timedelta(days=rng.randint(0, 365 * years - 1))
        personal = holder_type == "personal"
        yield {
            "holder_name": _person_name(rng) if personal else _company_name(rng),
            "holder_id": _new_identifier(_citizen_id if personal else _tax_code, end.year, rng, taken_ids),
            "holder_type": holder_type,
            "nso_ward_code": commune.nso_ward_code,
            "issued_on": issued,
            "expires_on": issued + timedelta(days=365 * years),
            "status": status,
        }


def _flawed_rows(count: int, share: float, rng: random.Random) -> dict[int, str]:
    """Which rows of a file get which flaw: the configured share, at least one row when the share is not 0."""
    if share <= 0 or not count:
        return {}
    chosen = sorted(rng.sample(range(count), min(count, max(1, round(count * share)))))
    return {index: FLAWS[number % len(FLAWS)] for number, index in enumerate(chosen)}


def _provider_row(layout: certificates.ProviderLayout, certificate: dict, export: ProviderExport,
                  rng: random.Random, flaw: str | None, province_codes: set[str]) -> list[str]:
    values = {
        **certificate,
        "certificate_serial": f"{export.serial_prefix}{rng.getrandbits(112):028X}",
        "holder_type": _spelling(layout.holder_types, certificate["holder_type"]),
        "status": _spelling(layout.statuses, certificate["status"]),
        "issued_on": certificate["issued_on"].strftime(layout.date_format),
        "expires_on": certificate["expires_on"].strftime(layout.date_format),
    }
    if flaw == "unknown_commune":
        values["nso_ward_code"] = _code_outside(province_codes, rng)
    elif flaw == "expiry_before_issue":
        values["issued_on"], values["expires_on"] = values["expires_on"], values["issued_on"]
    elif flaw == "excel_date":
        values["issued_on"] = str((certificate["issued_on"] - EXCEL_EPOCH).days)
    # The one column every layout reads past is the holder's name.
    return [values[name or "holder_name"] for name in layout.columns.values()]


def _code_outside(province_codes: set[str], rng: random.Random) -> str:
    while (code := f"{rng.randint(10000, 99999)}") in province_codes:
        pass
    return code


def _spelling(vocabulary: Mapping[str, str], canonical: str) -> str:
    return next(spelling for spelling, name in vocabulary.items() if name == canonical)


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def _company_name(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_FORMS)} {rng.choice(COMPANY_NAMES)}"


def _new_identifier(draw: Callable[[int, random.Random], str], year: int, rng: random.Random, taken: set[str]) -> str:
    """An identifier no other holder of the demo has: one person, one id."""
    while (identifier := draw(year, rng)) in taken:
        pass
    taken.add(identifier)
    return identifier


def _citizen_id(year: int, rng: random.Random) -> str:
    """A 12-digit CCCD: birth-place code, century-and-sex digit, birth year, serial."""
    born = rng.randint(1945, year - 18)
    century_and_sex = (0 if born < 2000 else 2) + rng.randint(0, 1)
    return f"{rng.choice(CITIZEN_ID_PROVINCES)}{century_and_sex}{born % 100:02d}{rng.randrange(10**6):06d}"


def _tax_code(_year: int, rng: random.Random) -> str:
    return f"{rng.choice(TAX_CODE_PROVINCES)}{rng.randrange(10**8):08d}"


def delimited(rows: list[list], delimiter: str) -> str:
    """``rows`` as CSV text, lines ended the way Excel ends them."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def write_new(path: Path, content: bytes) -> None:
    """Write ``path`` unless it exists: demo files already in the inbox are kept as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(content)
