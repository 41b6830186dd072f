"""Rendering: notebook execution under papermill, HTML via nbconvert, PDF via WeasyPrint."""
