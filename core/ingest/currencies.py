"""ISO 4217: the codes a currency may be (active codes, as published by the ISO 4217
maintenance agency; funds and precious-metal codes left out). A three-letter word that is not
one of them ("LOW" in "Value Low") is never taken for a currency."""

from __future__ import annotations

_CODES = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD "
    "BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK "
    "DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
    "GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS "
    "INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW "
    "KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL "
    "MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN "
    "NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR "
    "PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK "
    "SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB "
    "TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU "
    "UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER "
    "ZAR ZMW ZWG ZWL "
)
ISO_4217 = frozenset(_CODES.split())

# The currency public buyers of a country publish in: ISO 3166 alpha-2 codes and the names
# notices use. The euro area, and the countries whose notices Tenderwise reads most often.
_EURO_AREA = "AT BE HR CY EE FI FR DE GR IE IT LV LT LU MT NL PT SK SI ES"
COUNTRY_CURRENCY: dict[str, str] = {
    **{code: "EUR" for code in _EURO_AREA.split()},
    "GB": "GBP",
    "UK": "GBP",
    "US": "USD",
    "CA": "CAD",
    "AU": "AUD",
    "NZ": "NZD",
    "SE": "SEK",
    "NO": "NOK",
    "DK": "DKK",
    "IS": "ISK",
    "CH": "CHF",
    "LI": "CHF",
    "PL": "PLN",
    "CZ": "CZK",
    "HU": "HUF",
    "RO": "RON",
    "BG": "BGN",
    "RS": "RSD",
    "UA": "UAH",
    "TR": "TRY",
    "IN": "INR",
    "ZA": "ZAR",
    "SG": "SGD",
    "JP": "JPY",
}
_COUNTRY_NAMES = {
    "unitedkingdom": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "ireland": "IE",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "usa": "US",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "italy": "IT",
    "netherlands": "NL",
    "belgium": "BE",
    "austria": "AT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "switzerland": "CH",
    "poland": "PL",
    "canada": "CA",
    "australia": "AU",
    "newzealand": "NZ",
}


def currency_of_country(country: str | None) -> str | None:
    """'GB', 'United Kingdom', 'England' → 'GBP'; None for a country not known here."""
    if not country:
        return None
    text = "".join(ch for ch in country.casefold() if ch.isalpha())
    code = _COUNTRY_NAMES.get(text, text.upper() if len(text) == 2 else "")
    return COUNTRY_CURRENCY.get(code)
