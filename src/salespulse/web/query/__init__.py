"""The query side of the web: filters and row-level security, the measures of measures.yml as SQL,
the aggregates they read, and each page's data. No Flask, no Dash: callable from tests and scripts."""
