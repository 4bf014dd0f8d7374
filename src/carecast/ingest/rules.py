"""Consistency rules within one file, run on typed frames; each has a stable code and a fix.

A rule returns the failing rows (`__row` and a `message`); `run_rules` turns them into Issues
located at the rule's column as the file spells it. SSDA903 rules (with DfE's codes where DfE's
validator has the same check) live in rules_ssda903.py and register here too.

Import rules look across the tables of one import (an episode's child's date of birth is in the
header): a check receives every needed dataset's rows, all files of a dataset stacked with `__file`,
and returns the failing rows of its own dataset with `__file`, `__row` and `message`.

A small monthly file is checked by some thirty rules, and a polars query costs about the same
whether it looks at 1,000 rows or 10: a rule may give a screen, an expression true of every row it
could fail, and a file's screens are asked together in one query. Only the rules whose screen picks
a row run (usually none); the problems found are the same.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import polars as pl

from carecast.errors import Issue, Severity
from carecast.ingest.columns import ROW
from carecast.ingest.datasets import BY_NAME

FILE = "__file"  # which file of the import a row came from (position in the list of files)


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know beyond the file itself: the date the data describes."""

    as_of: date | None = None


Check = Callable[[pl.DataFrame, RuleContext], pl.DataFrame]
# An expression true of every row the rule's check could fail (null counts as false).
Screen = Callable[[pl.DataFrame, RuleContext], pl.Expr]


@dataclass(frozen=True)
class Rule:
    code: str
    dataset: str
    column: str
    title: str
    fix: str
    check: Check
    tier: str = "consistency"
    severity: Severity = Severity.ERROR
    dfe_code: str | None = None
    # Other columns whose emptiness the check reads (an open episode has no DEC): a row where one of
    # these, or `column`, held text that could not be read is not judged (see run_rules).
    reads: tuple[str, ...] = ()
    screen: Screen | None = None  # none: the check always runs


@dataclass(frozen=True)
class Flag:
    """What a rule that judges each row on its own finds: the rows it fails (null: not failed)
    and what it says of each."""

    condition: pl.Expr
    message: pl.Expr


Judge = Callable[[pl.DataFrame, RuleContext], Flag]


def failing(frame: pl.DataFrame, condition: pl.Expr, message: pl.Expr) -> pl.DataFrame:
    # rechunk: polars 2.1 can panic formatting strings of a freshly filtered frame (issue seen with
    # pl.format over code columns); a contiguous copy of the few failing rows avoids it.
    # The condition becomes a column first: polars 2.1 cannot filter 100,000 rows or more by a
    # constant (ShapeError "filter predicate length of 2"), which a rule returns when it has
    # nothing to check.
    return (
        frame.with_columns(condition.fill_null(value=False).alias("__failing"))
        .filter(pl.col("__failing"))
        .rechunk()
        .select(pl.col(ROW), message.alias("message"))
    )


def repeated(keys: list[str], message: pl.Expr) -> Flag:
    """Every row after the first that repeats `keys` (rows with a missing key are left alone)."""
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    again = pl.struct(keys).is_duplicated() & ~pl.struct(keys).is_first_distinct()
    return Flag(complete & again, message)


_Derived = tuple[list[weakref.ref[pl.DataFrame]], pl.DataFrame]


class per_frame:  # a decorator, named like functools.cache
    """A frame derived from typed tables once, for every rule that needs it (episodes in order of
    child and start, episodes joined to their child's birthday), kept only while the tables live.

    Imports may run on several threads at once (the web's): a second rule asking for the same
    tables waits for the first's answer rather than computing it again.
    """

    def __init__(self, derive: Callable[..., pl.DataFrame]) -> None:
        self._derive = derive
        self._lock = threading.Lock()
        # The tables' ids → weak references to them (an id is reused once a table is gone) and
        # what was derived from them.
        self._derived: dict[tuple[int, ...], _Derived] = {}

    def __call__(self, *frames: pl.DataFrame) -> pl.DataFrame:
        key = tuple(id(f) for f in frames)
        with self._lock:
            found = self._derived.get(key)
            if found is not None and all(r() is f for r, f in zip(found[0], frames, strict=True)):
                return found[1]
            derived = self._derive(*frames)
            alive = [weakref.ref(f, lambda _ref: self._forget(key)) for f in frames]
            self._derived[key] = (alive, derived)
            return derived

    def _forget(self, key: tuple[int, ...]) -> None:
        self._derived.pop(key, None)


RULES: list[Rule] = []


def rule(
    code: str, dataset: str, column: str, title: str, fix: str, **options: object
) -> Callable[[Check], Check]:
    """Register a check as a rule (decorator)."""

    def register(check: Check) -> Check:
        RULES.append(Rule(code, dataset, column, title, fix, check, **options))  # type: ignore[arg-type]
        return check

    return register


def row_rule(
    code: str, dataset: str, column: str, title: str, fix: str, **options: object
) -> Callable[[Judge], Judge]:
    """Register a rule that judges each row on its own (decorator): its condition is its screen."""

    def register(judge: Judge) -> Judge:
        def check(frame: pl.DataFrame, context: RuleContext) -> pl.DataFrame:
            flag = judge(frame, context)
            return failing(frame, flag.condition, flag.message)

        def screen(frame: pl.DataFrame, context: RuleContext) -> pl.Expr:
            return judge(frame, context).condition

        rule(code, dataset, column, title, fix, screen=screen, **options)(check)
        return judge

    return register


def worth_running(frame: pl.DataFrame, context: RuleContext, rules: Sequence[Rule]) -> list[bool]:
    """Per rule, whether its screen picks any row of `frame` (a rule without one: yes), every
    screen answered in a single query."""
    screens = {i: r.screen(frame, context) for i, r in enumerate(rules) if r.screen is not None}
    if not screens:
        return [True] * len(rules)
    answers = frame.select(
        s.fill_null(value=False).any().alias(str(i)) for i, s in screens.items()
    ).row(0)
    picked = dict(zip(screens, answers, strict=True))
    return [bool(picked.get(i, True)) for i in range(len(rules))]


def run_rules(
    source: str,
    dataset: str,
    typed: pl.DataFrame,
    spelled: dict[str, str],
    context: RuleContext,
    *,
    unread: dict[str, frozenset[int]] | None = None,
    screened: bool = True,
) -> list[Issue]:
    """Issues from every rule of `dataset` whose columns the file has (`screened`: skipping the
    rules whose screens pick no row, which finds the same).

    `unread`: per column, the rows whose cell held text that could not be read (already reported).
    Typing leaves such a cell empty, so a rule reading it would report a consequence of the same
    mistake (a DEC that is no date is not also an open episode): those rows are left out of it.
    """
    issues: list[Issue] = []
    applicable = [r for r in RULES if r.dataset == dataset and r.column in typed.columns]
    if screened:
        worth = worth_running(typed, context, applicable)
        applicable = [r for r, run in zip(applicable, worth, strict=True) if run]

    def failing_rows(candidate: Rule) -> pl.DataFrame:
        found = candidate.check(typed, context)
        skipped = set().union(
            *((unread or {}).get(c, ()) for c in (candidate.column, *candidate.reads))
        )
        return found.filter(~pl.col(ROW).is_in(sorted(skipped))) if skipped else found

    # One rule after another: rules ran two at a time on a new pool of threads for each file,
    # which cost more in starting threads than it saved, on small files and on a million rows
    # (where polars already spreads each query over the cores).
    for candidate in applicable:
        found = failing_rows(candidate)
        column = spelled.get(candidate.column, candidate.column)
        issues.extend(
            Issue(
                source,
                row,
                column,
                candidate.code,
                f"{message}; {candidate.fix}",
                candidate.severity,
            )
            for row, message in found.select(ROW, "message").iter_rows()
        )
    return issues


ImportCheck = Callable[[dict[str, pl.DataFrame], RuleContext], pl.DataFrame]


@dataclass(frozen=True)
class ImportRule:
    """A rule over several tables of one import; issues are located in `dataset`'s rows."""

    code: str
    dataset: str
    column: str
    title: str
    fix: str
    check: ImportCheck
    needs: tuple[str, ...] = ()  # the other datasets the check reads; skipped when one is absent
    tier: str = "across tables"
    severity: Severity = Severity.ERROR
    dfe_code: str | None = None


IMPORT_RULES: list[ImportRule] = []


def import_rule(
    code: str, dataset: str, column: str, title: str, fix: str, **options: object
) -> Callable[[ImportCheck], ImportCheck]:
    """Register a check over several tables of one import (decorator)."""

    def register(check: ImportCheck) -> ImportCheck:
        IMPORT_RULES.append(ImportRule(code, dataset, column, title, fix, check, **options))  # type: ignore[arg-type]
        return check

    return register


class TypedTable(Protocol):
    """What import rules need of a parsed file (loader.ParsedFile has it)."""

    @property
    def source(self) -> str: ...
    @property
    def frame(self) -> pl.DataFrame: ...
    @property
    def spelled(self) -> dict[str, str]: ...
    @property
    def dataset_name(self) -> str: ...


def stacked(files: Sequence[TypedTable], dataset: str) -> pl.DataFrame | None:
    """Every file of one dataset in a single frame with `__file`; None when the import has none."""
    parts = [
        f.frame.with_columns(pl.lit(index, pl.Int32).alias(FILE))
        for index, f in enumerate(files)
        if f.dataset_name == dataset
    ]
    if not parts:
        return None
    return pl.concat(parts, how="diagonal_relaxed")


def run_import_rules(files: Sequence[TypedTable], context: RuleContext) -> list[Issue]:
    """Issues of every import rule whose tables this import holds, in file and row order.

    Problems in tables carecast does not store are warnings: they cannot harm what it keeps.
    """
    found: list[tuple[int, int, Issue]] = []
    frames: dict[str, pl.DataFrame | None] = {}
    runnable: list[tuple[ImportRule, dict[str, pl.DataFrame]]] = []
    for candidate in IMPORT_RULES:
        needed = (candidate.dataset, *candidate.needs)
        for name in needed:
            if name not in frames:
                frames[name] = stacked(files, name)
        tables = {name: frames[name] for name in needed}
        present = {name: frame for name, frame in tables.items() if frame is not None}
        if len(present) == len(needed) and candidate.column in present[candidate.dataset].columns:
            runnable.append((candidate, present))
    for candidate, read in runnable:
        failed = candidate.check(read, context)
        dataset = BY_NAME.get(candidate.dataset)
        stored = dataset is not None and dataset.stored
        severity = candidate.severity if stored else Severity.WARNING
        for index, row, message in failed.select(FILE, ROW, "message").iter_rows():
            source = files[index]
            column = source.spelled.get(candidate.column, candidate.column)
            issue = Issue(
                source.source, row, column, candidate.code, f"{message}; {candidate.fix}", severity
            )
            found.append((index, row if row is not None else 0, issue))
    found.sort(key=lambda item: (item[0], item[1]))
    return [issue for _, _, issue in found]
