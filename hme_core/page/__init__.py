"""The HR partner's page (`hme narratives serve`): choose a unit, read its numbers, write its analysis."""
