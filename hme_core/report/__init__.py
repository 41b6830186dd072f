"""Unit reports: data, sections, written text, charts, HTML and the index page."""
