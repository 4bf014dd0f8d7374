"""Reading and validating input files into domain records and located issues (no store access)."""
