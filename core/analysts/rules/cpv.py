"""CPV codes for the rules analyst: normalising, labelling and longest-prefix lookup."""

from __future__ import annotations

from dataclasses import dataclass

# CPV division titles (abridged), so that reasons name what an excluded code is.
CPV_DIVISIONS = {
    "03": "agricultural and farming products",
    "09": "fuel and energy",
    "15": "food and beverages",
    "18": "clothing and footwear",
    "22": "printed matter",
    "30": "office and computing machinery",
    "31": "electrical equipment",
    "32": "telecommunication equipment",
    "33": "medical equipment and pharmaceuticals",
    "34": "transport equipment",
    "35": "security and defence equipment",
    "39": "furniture and furnishings",
    "44": "construction materials",
    "45": "construction work",
    "48": "software packages and information systems",
    "50": "repair and maintenance services",
    "51": "installation services",
    "55": "hotel, restaurant and catering services",
    "60": "transport services",
    "64": "postal and telecommunications services",
    "66": "financial and insurance services",
    "71": "architectural and engineering services",
    "72": "IT services",
    "73": "research and development services",
    "77": "agricultural, forestry and horticultural services",
    "79": "business services",
    "80": "education and training services",
    "85": "health and social work services",
    "90": "sewage, refuse and cleaning services",
    "92": "recreational, cultural and sporting services",
}


def normalise_cpv(code: str) -> str:
    """'72212730-5' → '72212730': digits only, the check digit dropped."""
    return "".join(ch for ch in code if ch.isdigit())[:8]


def cpv_label(code: str) -> str:
    """A CPV code padded to 8 digits, as bid teams read it."""
    return code.ljust(8, "0")


def cpv_with_division(code: str) -> str:
    """'45233223 (construction work)'."""
    division = CPV_DIVISIONS.get(code[:2])
    return f"{cpv_label(code)} ({division})" if division else cpv_label(code)


# A prefix of five digits or more names a service class, not a whole division or group.
SPECIFIC_PREFIX_DIGITS = 5


def cpv_weight(prefix: str) -> float:
    """A longer matching prefix is more specific, hence stronger evidence."""
    if len(prefix) >= SPECIFIC_PREFIX_DIGITS:
        return 3.0
    return 2.5 if len(prefix) >= 3 else 2.0


@dataclass(frozen=True, slots=True)
class CpvHit:
    code: str
    prefix: str

    @property
    def weight(self) -> float:
        return cpv_weight(self.prefix)


class PrefixIndex:
    """Longest-prefix lookup from CPV prefixes to the owners (capability indexes) listing them."""

    def __init__(self, owners_by_prefix: dict[str, list[int]]) -> None:
        self._owners = owners_by_prefix
        self._lengths = sorted({len(prefix) for prefix in owners_by_prefix}, reverse=True)

    def lookup(self, code: str) -> CpvHit | None:
        """The most specific prefix matching the code, or None."""
        for length in self._lengths:
            if len(code) >= length and code[:length] in self._owners:
                return CpvHit(code, code[:length])
        return None

    def owners(self, prefix: str) -> list[int]:
        return self._owners[prefix]
