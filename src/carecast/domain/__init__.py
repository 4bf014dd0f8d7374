"""Pure, typed domain model: no I/O, no frameworks."""
