"""The DuckDB store: responses, org trees, head counts and results across years."""

from hme_core.errors import StoreError

#: Survey years the store keeps (its `year` columns are 32-bit integers; a year outside this
#: range is a typing mistake, refused with `StoreError` before any query).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def check_year(year: int, what: str = "--year") -> int:
    """`year` when it is a plausible survey year (`FIRST_YEAR`..`LAST_YEAR`), else `StoreError`.

    >>> check_year(2025)
    2025
    """
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise StoreError(f"{what} {year}: expected a survey year between {FIRST_YEAR} and "
                         f"{LAST_YEAR}, e.g. {what} 2025")
    return year
