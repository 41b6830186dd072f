"""Disclosure control: the primary rule, secondary suppression and the publish decision."""
