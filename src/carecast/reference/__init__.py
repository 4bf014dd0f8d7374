"""The DfE, ONS and MHCLG open data carecast ships (`data/`, OGL v3.0: see data/LICENCE-DATA.md),
newer releases a user imports, and the loaders that read them into polars frames."""
