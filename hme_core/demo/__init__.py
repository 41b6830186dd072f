"""The built-in demo region: generator and names."""
