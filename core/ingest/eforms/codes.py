"""eForms code lists: countries and languages → ISO codes, notice type codes → NoticeType."""

from __future__ import annotations

from core.models import NoticeType

# ISO 3166 alpha-3 (eForms country codes) → alpha-2: Europe, and the countries buyers most often
# name besides. Others stay out of Tender.country (and in raw["buyer_country"]).
COUNTRIES: dict[str, str] = {
    # EU
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY", "CZE": "CZ", "DNK": "DK",
    "EST": "EE", "FIN": "FI", "FRA": "FR", "DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE",
    "ITA": "IT", "LVA": "LV", "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL", "POL": "PL",
    "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI", "ESP": "ES", "SWE": "SE",
    # EEA, Switzerland, UK, US
    "ISL": "IS", "LIE": "LI", "NOR": "NO", "CHE": "CH", "GBR": "GB", "USA": "US",
    # the rest of Europe and neighbours
    "ALB": "AL", "AND": "AD", "ARM": "AM", "AZE": "AZ", "BIH": "BA", "BLR": "BY", "GEO": "GE",
    "MCO": "MC", "MDA": "MD", "MKD": "MK", "MNE": "ME", "RUS": "RU", "SMR": "SM", "SRB": "RS",
    "TUR": "TR", "UKR": "UA", "VAT": "VA", "XKX": "XK", "1A0": "XK",
    # frequent elsewhere
    "AUS": "AU", "BRA": "BR", "CAN": "CA", "CHN": "CN", "EGY": "EG", "IND": "IN", "ISR": "IL",
    "JPN": "JP", "KOR": "KR", "MAR": "MA", "MEX": "MX", "NZL": "NZ", "TUN": "TN", "ZAF": "ZA",
}  # fmt: skip

# ISO 639-2 (eForms language codes, both /T and /B spellings) → ISO 639-1.
LANGUAGES: dict[str, str] = {
    "BUL": "bg", "CES": "cs", "CZE": "cs", "DAN": "da", "DEU": "de", "GER": "de", "ELL": "el",
    "GRE": "el", "ENG": "en", "EST": "et", "FIN": "fi", "FRA": "fr", "FRE": "fr", "GLE": "ga",
    "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl",
    "DUT": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "RUM": "ro", "SLK": "sk", "SLO": "sk",
    "SLV": "sl", "SPA": "es", "SWE": "sv", "NOR": "no", "NOB": "nb", "NNO": "nn", "ISL": "is",
    "ICE": "is", "TUR": "tr", "UKR": "uk", "RUS": "ru", "SRP": "sr", "MKD": "mk", "MAC": "mk",
    "SQI": "sq", "ALB": "sq", "BOS": "bs", "CAT": "ca", "EUS": "eu", "BAQ": "eu", "GLG": "gl",
    "LTZ": "lb",
}  # fmt: skip
# cbc:NoticeTypeCode → what the notice announces. A code decides before its listName, and the
# listName before the root element: a PriorInformationNotice used as a call for competition
# (pin-cfc-*) is biddable, and a ContractAwardNotice with can-modif modifies a contract.
_CODE_TYPES: dict[str, NoticeType] = {
    "pin-cfc-standard": NoticeType.TENDER,
    "pin-cfc-social": NoticeType.TENDER,
    "qu-sy": NoticeType.TENDER,  # qualification system: suppliers may apply to join
    "subco": NoticeType.TENDER,  # subcontracting notice: a call to subcontractors
    "pmc": NoticeType.PLANNING,  # pre-market consultation
    "veat": NoticeType.AWARD,  # voluntary ex-ante transparency: a direct award, announced
    "can-modif": NoticeType.MODIFICATION,
    "corr": NoticeType.MODIFICATION,
    "compl": NoticeType.OTHER,  # contract completion
}
_PREFIX_TYPES: tuple[tuple[str, NoticeType], ...] = (
    ("pin-", NoticeType.PLANNING),
    ("cn-", NoticeType.TENDER),
    ("can-", NoticeType.AWARD),
    ("brin-", NoticeType.OTHER),  # business registration notices: not procurement
)
_LIST_TYPES: dict[str, NoticeType] = {
    "planning": NoticeType.PLANNING,
    "competition": NoticeType.TENDER,
    "result": NoticeType.AWARD,
    "dir-awa-pre": NoticeType.AWARD,
    "cont-modif": NoticeType.MODIFICATION,
    "change": NoticeType.MODIFICATION,
    "completion": NoticeType.OTHER,
}
_ROOT_TYPES: dict[str, NoticeType] = {
    "ContractNotice": NoticeType.TENDER,
    "PriorInformationNotice": NoticeType.PLANNING,
    "ContractAwardNotice": NoticeType.AWARD,
}


def language_code_of(code: str) -> str | None:
    code = code.strip()
    if len(code) == 2 and code.isalpha():
        return code.lower()
    return LANGUAGES.get(code.upper())


def country_code_of(code: str) -> str | None:
    code = code.strip().upper()
    if len(code) == 2 and code.isalpha():
        return code
    return COUNTRIES.get(code)


def notice_type_of(root_name: str, code: str, list_name: str) -> NoticeType:
    """A change notice (efac:Changes) is the corrected notice republished in full: it keeps the
    type of what it corrects, so a corrected call for tenders stays biddable."""
    code, list_name = code.lower(), list_name.lower()
    if code in _CODE_TYPES:
        return _CODE_TYPES[code]
    for prefix, notice_type in _PREFIX_TYPES:
        if code.startswith(prefix):
            return notice_type
    return _LIST_TYPES.get(list_name) or _ROOT_TYPES.get(root_name, NoticeType.OTHER)
