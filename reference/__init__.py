"""Official reference data the product relies on (regions of Indonesia), and the dbt seeds made from it."""
