"""The store: SQLAlchemy tables, migrations and repository functions returning domain objects."""
