"""Routes, one module per area; each calls services, never the store."""
