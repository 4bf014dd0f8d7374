"""Contract commands whose capabilities are not built yet: they say so and exit 2.

When a capability lands, its command moves to a module of its own and leaves this file.
"""

from __future__ import annotations

from carecast.cli.app import DatabaseUrl, app
from carecast.errors import NotAvailableYet

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True}


@app.command(context_settings=PASS_THROUGH)
def serve(database_url: DatabaseUrl = None) -> None:
    """The web application (not available yet)."""
    raise NotAvailableYet("serve", "the web application")
