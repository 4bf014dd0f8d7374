"""What a monthly close stands on: findings that refuse a forecast or flag it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Gravity(StrEnum):
    """A refusal stops the close and stores nothing; a flag travels with the stored snapshot."""

    REFUSE = "refuse"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class ReadinessFinding:
    """One problem with the data a close stands on: a stable code, and what, where and how to fix."""

    code: str
    severity: Gravity
    message: str

    def format(self) -> str:
        return f"{self.code}: {self.message}"
