"""Contract commands whose capabilities are not built yet: they say so and exit 2.

When a capability lands, its command moves to a module of its own and leaves this file.
"""

from __future__ import annotations

from carecast.cli.app import DatabaseUrl, app
from carecast.errors import NotAvailableYet

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True}


@app.command(context_settings=PASS_THROUGH)
def backtest(database_url: DatabaseUrl = None) -> None:
    """Replay every period of a past year and score it (issue [3]; not available yet)."""
    raise NotAvailableYet("backtest", "backtesting (issue [3])")


@app.command(context_settings=PASS_THROUGH)
def project(database_url: DatabaseUrl = None) -> None:
    """Multi-year demand and cost projection with scenarios (not available yet)."""
    raise NotAvailableYet("project", "multi-year projection and scenarios")


@app.command(context_settings=PASS_THROUGH)
def report(database_url: DatabaseUrl = None) -> None:
    """The committee monitoring report in HTML, PDF, Word and Excel (issue [4]; not available yet)."""
    raise NotAvailableYet(
        "report", "the committee report (issue [4]); 'carecast demo' writes out/summary.html"
    )


@app.command(context_settings=PASS_THROUGH)
def benchmark(database_url: DatabaseUrl = None) -> None:
    """The council against its statistical neighbours and England (issue [4]; not available yet)."""
    raise NotAvailableYet("benchmark", "benchmarking (issue [4])")


@app.command(context_settings=PASS_THROUGH)
def serve(database_url: DatabaseUrl = None) -> None:
    """The web application (not available yet)."""
    raise NotAvailableYet("serve", "the web application")
