"""Use cases shared by the command line and the web application.

Each opens the store through `make_engine`, does its work in one transaction, and returns domain
objects; none prints or exits. Errors are CarecastError subclasses, turned into exit codes by the
CLI's `run` (and by the web app's one error handler). One module per area of work.
"""

from carecast.services.demo import DemoResult, build_demo
from carecast.services.forecasting import latest_forecast, run_forecast
from carecast.services.imports import (
    import_paths,
    import_warnings,
    list_imports,
    parse_inputs,
    undo_import,
)
from carecast.services.progress import Progress
from carecast.services.setup import init_store

__all__ = [
    "DemoResult",
    "Progress",
    "build_demo",
    "import_paths",
    "import_warnings",
    "init_store",
    "latest_forecast",
    "list_imports",
    "parse_inputs",
    "run_forecast",
    "undo_import",
]
