from django.core.exceptions import ObjectDoesNotExist

MAX_ID = 2**63 - 1


def object_id(value) -> int:
    """The id in a URL; one that no row can have is simply not found."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ObjectDoesNotExist(f"No object with id {value}.")
    return number
