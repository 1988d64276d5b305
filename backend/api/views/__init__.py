from django.core.exceptions import ObjectDoesNotExist

from backend.platform.ids import parse_id


def object_id(value) -> int:
    """The id in a URL; one that no row can have is simply not found."""
    number = parse_id(value)
    if number is None:
        raise ObjectDoesNotExist(f"No object with id {value}.")
    return number
