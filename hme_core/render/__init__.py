"""Rendering: notebook execution under papermill, HTML via nbconvert, PDF via WeasyPrint."""

import sys

# nbformat's validator imports jsonschema, which imports the optional package `rfc3987_syntax`
# when installed; that package builds a parser for IRIs while being imported (~0.9 CPU-s in
# every process that renders a report). Notebooks never use the "iri" string formats it checks,
# so it is kept out: None in sys.modules makes its import fail, which jsonschema expects.
sys.modules.setdefault("rfc3987_syntax", None)
