"""Pages that every user of a role sees alike, kept as rendered while the store is unchanged.

The dashboard, a line's placements and a snapshot's JSON are read far more often than the store
changes, and rendering them is most of a request's work (a line's placements is some hundreds of
table rows). A route hands `shared_page` what names the page (its address and query) and how to
build it; the page is kept under that name, the role of who asks and the store's data version
(services/store_version.py), so it is built again after any commit to the store (an import, a
forecast, a withdrawal, commentary …), and a role never sees a page built for another role: a
viewer is never given the placements an analyst was shown.

A page is built for a stand-in of the user: the same role, with marks in place of the name and
the CSRF token the masthead's sign-out form shows, which each request then fills in with its own.
A page still holding a mark where it cannot be filled in (outside HTML) is not kept.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from html import escape

from fastapi import Request, Response

from carecast.services.accounts import WebSession
from carecast.services.memo import Memo
from carecast.services.setup import data_version
from carecast.web.security import settings_of

# Pages kept per worker: a few for each role of each snapshot and line looked at.
PAGES_KEPT = 128
HTML = "text/html"


class PageCache:
    """Rendered pages by (page, role, data version); the least recently used goes first."""

    def __init__(self, size: int = PAGES_KEPT) -> None:
        self.pages = Memo(size)
        # One build of a page at a time: the requests that miss it together (the first ones
        # after a start or an import) wait for it rather than each rendering it again.
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        # Marks no page can hold by chance: new in each process.
        self.name_mark = f"user-{secrets.token_hex(16)}"
        self.csrf_mark = f"csrf-{secrets.token_hex(16)}"

    def stand_in(self, session: WebSession) -> WebSession:
        user = replace(session.user, user_id=0, name=self.name_mark)
        return WebSession(user, csrf_token=self.csrf_mark)

    def recall(self, key: Hashable) -> tuple[bytes, str] | None:
        """The kept page's body and media type."""
        kept = self.pages.recall(key)
        return kept if isinstance(kept, tuple) else None

    @contextmanager
    def building(self, key: Hashable) -> Iterator[None]:
        with self._lock:
            lock = self._building.setdefault(key, threading.Lock())
        try:
            with lock:
                yield
        finally:
            with self._lock:
                self._building.pop(key, None)

    def marked(self, body: bytes) -> bool:
        return self.name_mark.encode() in body or self.csrf_mark.encode() in body

    def filled(self, body: bytes, session: WebSession) -> bytes:
        """The kept page with the marks replaced by this session's own name and token."""
        name = escape(session.user.name).encode()
        token = escape(session.csrf_token).encode()
        return body.replace(self.name_mark.encode(), name).replace(self.csrf_mark.encode(), token)


def page_cache_of(request: Request) -> PageCache:
    cache: PageCache = request.app.state.page_cache
    return cache


def shared_page(
    request: Request, session: WebSession, page: Hashable, build: Callable[[], Response]
) -> Response:
    """The page named `page` as `build` renders it for `session`'s role, kept while the store
    is unchanged. `build` renders for the signed-in session of the request (pages.render)."""
    cache = page_cache_of(request)
    version = data_version(settings_of(request))  # before the data the page is built from
    if version is None:
        return build()
    key = (page, session.user.role, version)
    kept = cache.recall(key)
    if kept is None:
        with cache.building(key):
            kept = cache.recall(key)  # built while this request waited?
            if kept is None:
                return _build(request, session, cache, key, build)
    body, media_type = kept
    return Response(cache.filled(body, session), media_type=media_type)


def _build(
    request: Request,
    session: WebSession,
    cache: PageCache,
    key: Hashable,
    build: Callable[[], Response],
) -> Response:
    request.state.session = cache.stand_in(session)
    try:
        built = build()
    finally:
        request.state.session = session
    body, media_type = bytes(built.body), built.media_type or ""
    keepable = (
        built.status_code == 200
        and "set-cookie" not in built.headers
        and (media_type.startswith(HTML) or not cache.marked(body))
    )
    if not keepable:
        return build() if cache.marked(body) else built
    cache.pages.keep(key, (body, media_type))
    return Response(cache.filled(body, session), media_type=media_type)
