"""National deviations from ICAO 9303 seen on genuine documents (data in
``screening/data/national_profiles.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class NationalProfile:
    id: str
    issuing_country: str
    document_type_prefix: str
    note: str
    source: str
    name_digits_allowed: bool = False
    expiry_may_be_absent: bool = False
    long_number_check_includes_filler: bool = False


@cache
def national_profiles() -> tuple[NationalProfile, ...]:
    text = resources.files("screening.data").joinpath("national_profiles.toml").read_text("utf-8")
    return tuple(NationalProfile(**entry) for entry in tomllib.loads(text)["profile"])


def profile_for(issuing_country: str, document_type: str) -> NationalProfile | None:
    for profile in national_profiles():
        if issuing_country.rstrip("<") == profile.issuing_country and document_type.startswith(
            profile.document_type_prefix
        ):
            return profile
    return None
