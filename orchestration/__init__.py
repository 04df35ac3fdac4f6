"""LAMP's Dagster code location: every pipeline step as an asset (`dagster dev` from the repo root)."""
