from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of a list, the size of the whole list, and whether both came from the cache."""

    count: int
    items: list
    cached: bool = False
