"""The buyer of a release: its name and country, from buyer, parties, the procuring entity or
an award, with country names as publishers write them mapped to ISO codes."""

from __future__ import annotations

import re
from typing import Any

from core.ingest.ocds.json_values import dict_of, first_text, list_of, text_of

# NUTS codes of the United Kingdom ("UKM82"): Scottish and Welsh portals give no country name.
_UK_NUTS = re.compile(r"UK(?:[C-N][0-9A-Z]{0,3})?")
# countryName as publishers write it → ISO 3166-1 alpha-2 (other names are kept as written).
_COUNTRY_NAMES: dict[str, str] = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "ukraine": "UA",
    "україна": "UA",
    "украина": "UA",
    "nigeria": "NG",
    "ireland": "IE",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "italy": "IT",
    "italia": "IT",
    "spain": "ES",
    "españa": "ES",
    "portugal": "PT",
    "netherlands": "NL",
    "belgium": "BE",
    "poland": "PL",
    "polska": "PL",
    "romania": "RO",
    "moldova": "MD",
    "republic of moldova": "MD",
    "georgia": "GE",
    "armenia": "AM",
    "kazakhstan": "KZ",
    "kyrgyzstan": "KG",
    "lithuania": "LT",
    "latvia": "LV",
    "estonia": "EE",
    "czechia": "CZ",
    "czech republic": "CZ",
    "slovakia": "SK",
    "hungary": "HU",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "mexico": "MX",
    "méxico": "MX",
    "colombia": "CO",
    "paraguay": "PY",
    "argentina": "AR",
    "chile": "CL",
    "peru": "PE",
    "perú": "PE",
    "ecuador": "EC",
    "honduras": "HN",
    "guatemala": "GT",
    "dominican republic": "DO",
    "república dominicana": "DO",
    "uruguay": "UY",
    "panama": "PA",
    "panamá": "PA",
    "costa rica": "CR",
    "el salvador": "SV",
    "brazil": "BR",
    "brasil": "BR",
    "zambia": "ZM",
    "uganda": "UG",
    "kenya": "KE",
    "tanzania": "TZ",
    "ghana": "GH",
    "malawi": "MW",
    "afghanistan": "AF",
    "nepal": "NP",
    "philippines": "PH",
    "indonesia": "ID",
    "india": "IN",
    "australia": "AU",
    "new zealand": "NZ",
}


def _party(release: dict[str, Any], *, party_id: Any = None, role: str = "") -> dict[str, Any]:
    for party in list_of(release.get("parties")):
        if not isinstance(party, dict):
            continue
        if party_id is not None and party.get("id") == party_id:
            return party
        if role and role in list_of(party.get("roles")):
            return party
    return {}


def buyer_of(
    release: dict[str, Any],
    tender: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
) -> tuple[str, str]:
    """The buyer's name and country: buyer, else parties[buyer], else the procuring entity, else
    a buyer given on an award or contract (NSW contract notices), else a central purchasing
    body. The name falls back to identifier.legalName."""
    buyer = dict_of(release.get("buyer"))
    entity = dict_of(tender.get("procuringEntity"))
    candidates = [
        buyer,
        _party(release, party_id=buyer.get("id")) if buyer.get("id") is not None else {},
        _party(release, role="buyer"),
        entity,
        _party(release, party_id=entity.get("id")) if entity.get("id") is not None else {},
        _party(release, role="procuringEntity"),
        *(dict_of(holder.get("buyer")) for holder in (*awards, *contracts)),
        # A central purchasing body runs the procedure for its members: the buyer only when
        # the notice names no one else.
        _party(release, role="centralPurchasingBody"),
    ]
    name = first_text([org.get("name") for org in candidates])
    if not name:
        name = first_text([dict_of(org.get("identifier")).get("legalName") for org in candidates])
    addresses = [dict_of(org.get("address")) for org in candidates]
    place = first_text([address.get("countryName") for address in addresses])
    if not place:
        place = first_text([address.get("country") for address in addresses])  # "GB"
    if not place and any(_UK_NUTS.fullmatch(text_of(a.get("region"))) for a in addresses):
        place = "GB"
    return name, _country(place)


def _country(name: str) -> str:
    cleaned = " ".join(name.split())
    known = _COUNTRY_NAMES.get(cleaned.casefold())
    if known:
        return known
    if len(cleaned) == 2 and cleaned.isascii() and cleaned.isalpha():
        return cleaned.upper()
    return cleaned
