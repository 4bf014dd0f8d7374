"""The fictional demo council: a deterministic simulation written as carecast's input files.

`generate_demo_files(out_dir, profile)` writes SSDA903 returns, finance reference data and monthly
extracts, and returns a `DemoManifest` listing them as import steps in knowledge-date order, with
the simulation's true outturn for every financial year. Vary `DemoProfile` (and its seed) to make
other councils.
"""

from __future__ import annotations

from carecast.demo.generator import DemoManifest, ImportStep, generate_demo_files
from carecast.demo.profile import AllowanceProfile, DemoProfile, StaffingProfile
from carecast.demo.specs import (
    ActionSpec,
    CategoryCost,
    Frictions,
    OtherLineSpec,
    RoleSpec,
    TeamSpec,
)

__all__ = [
    "ActionSpec",
    "AllowanceProfile",
    "CategoryCost",
    "DemoManifest",
    "DemoProfile",
    "Frictions",
    "ImportStep",
    "OtherLineSpec",
    "RoleSpec",
    "StaffingProfile",
    "TeamSpec",
    "generate_demo_files",
]
