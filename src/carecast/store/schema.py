"""Tables. Money is integer pence; every activity and finance row belongs to an import batch."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _council() -> sa.Column[int]:  # the council a row belongs to, deleted with it
    return sa.Column(
        "council_id",
        sa.Integer,
        sa.ForeignKey("councils.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def _batch() -> sa.Column[int]:
    return sa.Column(
        "batch_id",
        sa.Integer,
        sa.ForeignKey("import_batches.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


councils = sa.Table(
    "councils",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("la_code", sa.String(20), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Import safety (0006): every import replaces CHILD, UPN and CASE_ID with keyed pseudonyms.
    sa.Column("pseudonymise", sa.Boolean, nullable=False, server_default=sa.false()),
)

import_batches = sa.Table(
    "import_batches",
    metadata,
    _id(),
    _council(),
    sa.Column("run_id", sa.String(32), nullable=False),
    sa.Column("dataset", sa.String(50), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    # Import safety (0006): identifiers stored as keyed pseudonyms, and which key made them (a
    # fingerprint that reveals nothing of the key), so that imports never mix two schemes.
    sa.Column("pseudonymised", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("key_id", sa.String(16)),
    sa.UniqueConstraint("council_id", "sha256", "as_of", name="uq_import_batches_file_as_of"),
)

import_issues = sa.Table(
    "import_issues",
    metadata,
    _id(),
    _batch(),
    sa.Column("row", sa.Integer),
    sa.Column("column_name", sa.String(100)),
    sa.Column("rule", sa.String(60), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    # Import safety (0006): the file a cross-file warning points at when it is not the batch's own.
    sa.Column("source", sa.String(500)),
)

children = sa.Table(
    "children",
    metadata,
    _id(),
    _batch(),
    sa.Column("child_id", sa.String(64), nullable=False),
    sa.Column("sex", sa.String(2), nullable=False),
    sa.Column("dob", sa.Date, nullable=False),
    sa.Column("ethnic", sa.String(10)),
    sa.Column("upn", sa.String(64)),
)

episodes = sa.Table(
    "episodes",
    metadata,
    _id(),
    _batch(),
    sa.Column("child_id", sa.String(64), nullable=False),
    sa.Column("decom", sa.Date, nullable=False),
    sa.Column("rne", sa.String(4), nullable=False),
    sa.Column("ls", sa.String(4), nullable=False),
    sa.Column("cin", sa.String(4), nullable=False),
    sa.Column("place", sa.String(4), nullable=False),
    sa.Column("place_provider", sa.String(4)),
    sa.Column("dec", sa.Date),
    sa.Column("rec", sa.String(4)),
    sa.Column("reason_place_change", sa.String(10)),
    sa.Column("home_post", sa.String(16)),
    sa.Column("pl_post", sa.String(16)),
    sa.Column("urn", sa.String(16)),
)

commitments = sa.Table(
    "commitments",
    metadata,
    _id(),
    _batch(),
    sa.Column("child_id", sa.String(64), nullable=False),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("provider", sa.String(200), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date),
    sa.Column("weekly_cost_pence", sa.BigInteger, nullable=False),
    sa.Column("contribution_pct", sa.Numeric(6, 3), nullable=False),
    sa.Column("cost_centre", sa.String(40), nullable=False),
)

ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    _id(),
    _batch(),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("cost_centre", sa.String(40), nullable=False),
    sa.Column("account", sa.String(40), nullable=False),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
    sa.Column("description", sa.String(500)),
)

cost_centres = sa.Table(
    "cost_centres",
    metadata,
    _id(),
    _batch(),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("service_line", sa.String(40), nullable=False),
    sa.Column("s251_line", sa.String(20)),
)

budget_lines = sa.Table(
    "budget_lines",
    metadata,
    _id(),
    _batch(),
    sa.Column("financial_year", sa.String(7), nullable=False),
    sa.Column("service_line", sa.String(40), nullable=False),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
)

posts = sa.Table(
    "posts",
    metadata,
    _id(),
    _batch(),
    sa.Column("post_id", sa.String(64), nullable=False),
    sa.Column("team", sa.String(200), nullable=False),
    sa.Column("role", sa.String(200), nullable=False),
    sa.Column("fte", sa.Numeric(6, 3), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("annual_cost_pence", sa.BigInteger, nullable=False),
    sa.Column("start_date", sa.Date),
    sa.Column("end_date", sa.Date),
    sa.Column("caseload", sa.Integer),
)

allowances = sa.Table(
    "allowances",
    metadata,
    _id(),
    _batch(),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("allowance_type", sa.String(20), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date),
    sa.Column("weekly_amount_pence", sa.BigInteger, nullable=False),
)

actions = sa.Table(
    "actions",
    metadata,
    _id(),
    _batch(),
    sa.Column("action_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("service_line", sa.String(40), nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("financial_year", sa.String(7), nullable=False),
    sa.Column("value_pence", sa.BigInteger, nullable=False),
    sa.Column("confidence", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("due_date", sa.Date),
    sa.Column("notes", sa.Text),
)

forecast_snapshots = sa.Table(
    "forecast_snapshots",
    metadata,
    _id(),
    _council(),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("financial_year", sa.String(7), nullable=False),
    sa.Column("knowledge_date", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("method", sa.String(40), nullable=False),
    sa.Column("notes", sa.JSON, nullable=False),
    # Activity-led forecast (0003): the total's 80% interval and the assumptions in force.
    sa.Column("p10_pence", sa.BigInteger),
    sa.Column("p90_pence", sa.BigInteger),
    sa.Column("assumptions", sa.JSON),
    sa.Column("actions", sa.JSON),
    # Close readiness (0008): the flags raised on the data the forecast stood on.
    sa.Column("readiness", sa.JSON),
)

# Withdrawn snapshots (0008): a snapshot row never changes, so its withdrawal is a row of its own.
# A withdrawn snapshot is kept and listed, but is never again a command's default.
snapshot_withdrawals = sa.Table(
    "snapshot_withdrawals",
    metadata,
    _id(),
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("forecast_snapshots.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
)

forecast_lines = sa.Table(
    "forecast_lines",
    metadata,
    _id(),
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("forecast_snapshots.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("service_line", sa.String(40), nullable=False),
    sa.Column("method", sa.String(40), nullable=False),
    sa.Column("budget_pence", sa.BigInteger, nullable=False),
    sa.Column("actual_to_date_pence", sa.BigInteger, nullable=False),
    sa.Column("committed_pence", sa.BigInteger, nullable=False),
    sa.Column("demand_allowance_pence", sa.BigInteger, nullable=False),
    sa.Column("forecast_outturn_pence", sa.BigInteger, nullable=False),
    sa.Column("p10_pence", sa.BigInteger),
    sa.Column("p90_pence", sa.BigInteger),
    sa.Column("children", sa.Integer),
    sa.Column("average_weekly_cost_pence", sa.BigInteger),
)

# What a snapshot's committed cost is made of (0003): one row per placement, post or allowance
# case, compared between snapshots to explain movements.
forecast_items = sa.Table(
    "forecast_items",
    metadata,
    _id(),
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("forecast_snapshots.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("item_key", sa.String(100), nullable=False),
    sa.Column("service_line", sa.String(40), nullable=False),
    sa.Column("weekly_cost_pence", sa.BigInteger, nullable=False),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("committed_pence", sa.BigInteger, nullable=False),
    sa.Column("flag", sa.String(40)),
)

# The rest of a snapshot's forecast by month (0003): profiles and demand-allowance drivers.
forecast_components = sa.Table(
    "forecast_components",
    metadata,
    _id(),
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("forecast_snapshots.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("service_line", sa.String(40), nullable=False),
    sa.Column("part", sa.String(10), nullable=False),
    sa.Column("driver", sa.String(40), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
)

# The finance officer's commentary on a report section, kept with the snapshot it was written
# for (0004). Rows are only added: the latest for a section is the one shown, earlier ones remain.
report_commentary = sa.Table(
    "report_commentary",
    metadata,
    _id(),
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("forecast_snapshots.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("section", sa.String(60), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
)

# Scenario runs (0010), each with what it was run on and gave; rows are only added.
scenario_runs = sa.Table(
    "scenario_runs",
    metadata,
    _id(),
    _council(),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("levers", sa.Text, nullable=False),  # JSON: the scenario's levers as validated
    sa.Column("files", sa.Text, nullable=False),  # the file names it was read from
    sa.Column("projected_from", sa.Date, nullable=False),
    sa.Column("years", sa.Integer, nullable=False),
    sa.Column("paths", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("result", sa.Text, nullable=False),  # JSON: `project --scenario --json`
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)

RECORD_TABLES = {
    "ssda903_header": children,
    "ssda903_episodes": episodes,
    "placement_costs": commitments,
    "gl_actuals": ledger_entries,
    "cost_centres": cost_centres,
    "budget": budget_lines,
    "establishment": posts,
    "allowances": allowances,
    "actions": actions,
}

# The accounts of the web application live in their own module, on this module's metadata; they
# are registered here so that `metadata` always holds every table (migrations, checks).
from carecast.store import schema_accounts  # noqa: E402, F401
