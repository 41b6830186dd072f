"""Scoring stage: additive answer statistics and the values computed from them."""
