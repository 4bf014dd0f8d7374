"""Fictional providers (carers, agencies, homes) with their Ofsted-style URNs and postcodes."""

from __future__ import annotations

from dataclasses import dataclass

from carecast.demo.children import postcode
from carecast.demo.sampling import Sampler

_FIRST = (
    "Ashen",
    "Bramble",
    "Cinder",
    "Clover",
    "Elder",
    "Fernly",
    "Hazel",
    "Heather",
    "Juniper",
    "Larch",
    "Linden",
    "Marrow",
    "Meadow",
    "Rowan",
    "Sorrel",
    "Teasel",
    "Withy",
    "Yarrow",
    "Alder",
    "Quill",
    "Tansy",
    "Vetch",
)
_SECOND = (
    "brook",
    "dale",
    "field",
    "ford",
    "gate",
    "hurst",
    "leigh",
    "mead",
    "stone",
    "wood",
    "ridge",
    "combe",
    "holt",
    "wick",
)
# (category, provider code) -> (how many providers, name suffix); in-borough providers get DB
# postcodes. Categories without an entry have one generic provider per code.
_POOLS: dict[tuple[str, str], tuple[int, str]] = {
    ("in_house", "PR1"): (220, ""),
    ("ifa", "PR4"): (10, "Fostering Ltd"),
    ("ifa", "PR5"): (4, "Family Placement Trust"),
    ("residential", "PR4"): (22, "House"),
    ("residential", "PR5"): (4, "Lodge"),
    ("residential", "PR1"): (1, "Road Children's Home"),
    ("residential", "PR2"): (3, "Court"),
    ("supported", "PR4"): (8, "Supported Living"),
    ("supported", "PR5"): (4, "Foyer"),
    ("supported", "PR1"): (1, "Supported Lodgings"),
    ("secure", "PR2"): (4, "Secure Children's Home"),
    ("secure", "PR3"): (2, "Secure Unit"),
    ("secure", "PR1"): (1, "Secure Children's Home"),
    ("parent_child", "PR4"): (3, "Family Assessment Centre"),
    ("parent_child", "PR5"): (2, "Mother and Baby Unit"),
    ("parent_child", "PR1"): (1, "Family Centre"),
    ("adoption", "PR5"): (4, "Adoption Agency"),
    ("adoption", "PR4"): (2, "Adoption Service Ltd"),
}
_GENERIC = {
    ("other", "PR3"): "NHS or custodial provider",
    ("other", "PR4"): "Other private provider",
    ("adoption", "PR1"): "Council adopters",
    ("adoption", "PR2"): "Other local authority adopters",
    ("parents", "PR0"): "",
}


@dataclass(frozen=True)
class Provider:
    name: str
    urn: str
    postcode: str
    in_borough: bool


class Providers:
    """Deterministic pools of fictional providers, chosen with a mild preference for a few."""

    def __init__(self, sampler: Sampler) -> None:
        self._sampler = sampler
        self._pools: dict[tuple[str, str], list[Provider]] = {}
        self._used_names: set[str] = set()
        self._next_kinship = 1
        self.fostering_urn = self._urn()

    def _urn(self) -> str:
        return f"SC{self._sampler.integer(400_000, 999_999)}"

    def _name(self, suffix: str) -> str:
        while True:
            first = _FIRST[self._sampler.integer(0, len(_FIRST) - 1)]
            second = _SECOND[self._sampler.integer(0, len(_SECOND) - 1)]
            name = f"{first}{second} {suffix}"
            if name not in self._used_names:
                self._used_names.add(name)
                return name

    def _pool(self, category: str, code: str) -> list[Provider]:
        key = (category, code)
        if key not in self._pools:
            if key == ("in_house", "PR1"):
                count = _POOLS[key][0]
                pool = [
                    Provider(
                        f"In-house foster carer IH{n:04d}",
                        self.fostering_urn,
                        postcode(self._sampler, "DB" if n % 4 else "QB"),
                        n % 4 != 0,
                    )
                    for n in range(1, count + 1)
                ]
            elif key in _POOLS:
                count, suffix = _POOLS[key]
                pool = []
                for _ in range(count):
                    local = code == "PR1"
                    pool.append(
                        Provider(
                            self._name(suffix),
                            self._urn(),
                            postcode(self._sampler, "DB" if local else "QA"),
                            local,
                        )
                    )
            else:
                pool = [
                    Provider(
                        _GENERIC.get(key, "Other provider"),
                        "",
                        postcode(self._sampler, "QC"),
                        False,
                    )
                ]
            self._pools[key] = pool
        return self._pools[key]

    def pick(self, sampler: Sampler, category: str, code: str) -> Provider:
        """A provider for a new placement (drawn with the simulation's own sampler)."""
        if category == "kinship":
            number = self._next_kinship
            self._next_kinship += 1
            return Provider(
                f"Connected person carer KC{number:04d}",
                self.fostering_urn,
                postcode(self._sampler, "DB"),
                True,
            )
        pool = self._pool(category, code)
        if len(pool) == 1:
            return pool[0]
        # Larger providers take more placements: weight 1/(rank+1)^0.6.
        return sampler.choice([(p, 1.0 / (rank + 1) ** 0.6) for rank, p in enumerate(pool)])
