"""Pseudonymising child identifiers with the council's secret key, before anything is stored.

CHILD, UPN and CASE_ID become HMAC-SHA256 pseudonyms keyed with a secret kept outside the store, so
the same child gets the same pseudonym in every file and every year, and nobody holding only the
store can reverse them. Each distinct identifier is hashed once and the column is then replaced in
one vectorised step. Messages that quoted an identifier are redacted, so that no child identifier
reaches the terminal, an errors file or the store.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.provenance import Council
from carecast.errors import Issue, UsageError
from carecast.ingest.datasets import DATASETS
from carecast.ingest.loader import ParsedFile
from carecast.services.setup import init_store

# Identifier columns (canonical names) and the word that stands in for a redacted value.
IDENTIFIER_COLUMNS = {"CHILD": "child", "UPN": "UPN", "CASE_ID": "case"}
# Inputs that carry an identifier: only their batches must agree on the pseudonymisation scheme.
IDENTIFIED_DATASETS = frozenset(
    d.name
    for d in DATASETS
    if {c.name for c in (*d.columns, *d.optional)} & set(IDENTIFIER_COLUMNS) and d.stored
)
PSEUDONYM_HEX = 32  # 128 bits: no collision in any council's lifetime, and fits every id column
KEY_BYTES = 32
KEY_ENV = "CARECAST_PSEUDONYMISATION_KEY_FILE"
_TOKEN = re.compile(r"[\w\-/.]+")
_QUOTED = re.compile(r"'[^']*'")


@dataclass(frozen=True)
class PseudonymKey:
    secret: bytes = b""

    @property
    def key_id(self) -> str:
        """A fingerprint that tells keys apart and reveals nothing of the secret."""
        return hmac.new(self.secret, b"carecast key fingerprint", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, value: str) -> str:
        digest = hmac.new(self.secret, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_HEX]


def load_key(path: Path | None) -> PseudonymKey:
    """The council's key from its file; refused when missing, too short or readable by others."""
    if path is None:
        raise UsageError(
            "pseudonymising needs the council's key file: give --key-file PATH or set "
            f"{KEY_ENV}; a new store makes one with 'carecast init --pseudonymise --key-file PATH "
            "--new-key', an existing one with 'openssl rand -hex 32 > PATH; chmod 600 PATH'"
        )
    try:
        mode = path.stat().st_mode
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise UsageError(
            f"cannot read the pseudonymisation key file {path}: {exc.strerror}"
        ) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageError(
            f"the pseudonymisation key file {path} is open to other users; "
            f"run 'chmod 600 {path}' first"
        )
    if len(secret) < KEY_BYTES:
        raise UsageError(
            f"the pseudonymisation key file {path} holds {len(secret)} bytes; a key needs at "
            f"least {KEY_BYTES} (e.g. 'openssl rand -hex 32 > {path}')"
        )
    return PseudonymKey(secret)


def store_folder(database_url: str) -> Path | None:
    """The folder of a SQLite store (None for a server database or an in-memory one)."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser().resolve().parent


def check_new_key_path(path: Path | None, database_url: str) -> Path:
    """Where a new key may be written: a path not yet used, outside the store's folder."""
    if path is None:
        raise UsageError(
            f"--new-key needs --key-file PATH (or {KEY_ENV}) saying where to write the key"
        )
    target = path.expanduser().resolve()
    folder = store_folder(database_url)
    if folder is not None and target.is_relative_to(folder):
        raise UsageError(
            f"the key file {path} would sit in the store's folder {folder}; keep the council's "
            "secret apart from the data it protects (another folder or a secrets store)"
        )
    if target.exists():
        raise UsageError(
            f"{path} already exists; carecast never overwrites a key (every pseudonym made with "
            "it would be orphaned). Give --key-file without --new-key to use it"
        )
    if not target.parent.is_dir():
        raise UsageError(f"cannot create the key file {path}: {target.parent} does not exist")
    return target


def create_key_file(path: Path | None, database_url: str) -> PseudonymKey:
    """Write a new random key readable by its owner only, never inside the store's folder."""
    target = check_new_key_path(path, database_url)
    text = secrets.token_hex(KEY_BYTES) + "\n"
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot create the key file {path}: {exc.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)
    return PseudonymKey(text.strip().encode("ascii"))


def pseudonymise_frame(frame: pl.DataFrame, key: PseudonymKey) -> pl.DataFrame:
    """Replace every identifier column's values by their pseudonyms (each value hashed once)."""
    replaced = []
    for column in IDENTIFIER_COLUMNS:
        if column not in frame.columns:
            continue
        values = frame.get_column(column).drop_nulls().unique().to_list()
        pseudonyms = [key.pseudonym(value) for value in values]
        replaced.append(
            pl.col(column).replace_strict(values, pseudonyms, default=None, return_dtype=pl.String)
        )
    return frame.with_columns(replaced) if replaced else frame


def identifiers(files: Iterable[ParsedFile]) -> set[str]:
    """Every identifier value the files hold, before pseudonymisation."""
    found: set[str] = set()
    for parsed in files:
        for column in IDENTIFIER_COLUMNS:
            if column in parsed.frame.columns:
                found.update(parsed.frame.get_column(column).drop_nulls().unique().to_list())
    return found


class Redactor:
    """Replaces every identifier in an issue's message by a placeholder.

    Words of the message that are identifiers are replaced (over-redacting a number that happens
    to equal an identifier is the safe mistake); identifiers that are not one word (with spaces
    or punctuation) are replaced wherever they occur; a message about an identifier column also
    loses every quoted cell value.
    """

    def __init__(self, values: set[str]) -> None:
        self.values = values
        self.odd = sorted((v for v in values if not _TOKEN.fullmatch(v)), key=len, reverse=True)

    def _word(self, match: re.Match[str]) -> str:
        text = match.group(0)
        bare = text.rstrip(".")
        return "[identifier]" + text[len(bare) :] if bare in self.values else text

    def __call__(self, issue: Issue) -> Issue:
        message = _TOKEN.sub(self._word, issue.message)
        for value in self.odd:
            message = message.replace(value, "[identifier]")
        column = (issue.column or "").strip().upper()
        if column in IDENTIFIER_COLUMNS:
            message = _QUOTED.sub(f"'[{IDENTIFIER_COLUMNS[column]} identifier]'", message)
        return issue if message == issue.message else replace(issue, message=message)


def redact(issue: Issue, values: set[str]) -> Issue:
    return Redactor(values)(issue)


def pseudonymise_files(
    files: list[ParsedFile], key: PseudonymKey
) -> tuple[list[ParsedFile], set[str]]:
    """Files with pseudonymised identifiers and their own issues redacted, and the identifiers
    they held (to redact every other message of the import with)."""
    values = identifiers(files)
    redacted = Redactor(values)
    done = [
        replace(
            parsed,
            frame=pseudonymise_frame(parsed.frame, key),
            issues=tuple(redacted(issue) for issue in parsed.issues),
        )
        for parsed in files
    ]
    return done, values


def init_council(
    settings: Settings, name: str, la_code: str, *, pseudonymise: bool, new_key: bool
) -> tuple[Council, Path | None]:
    """`carecast init`: the store and council, with the pseudonymisation setting and its key.

    The key is checked (or its new path vetted) before the store is touched, and a new key is
    written only once the council exists, so a refused init leaves neither behind.
    """
    path = settings.pseudonymisation_key_file
    if new_key:
        check_new_key_path(path, settings.database_url)
    elif pseudonymise:
        load_key(path)
    council = init_store(settings, name, la_code, pseudonymise=pseudonymise)
    if new_key:
        create_key_file(path, settings.database_url)
        return council, path
    return council, None
