"""Small helpers every resolver uses: who is asking, ids, partial inputs."""

import strawberry
import strawberry_django
from strawberry.extensions import FieldExtension
from strawberry_django.fields.types import OperationInfo, OperationMessage

from backend.platform.errors import field_error
from backend.platform.ids import parse_id
from schema.permissions import IsAuthenticated


def decode_id(value: strawberry.ID | None, *, field: str) -> int | None:
    """The integer id in `value`, or a validation error on `field` when it is not one."""
    if value is None:
        return None
    number = parse_id(value)
    if number is None:
        raise field_error(field, f"{value!r} is not a valid id.", "invalid_id")
    return number


def user_of(info):
    return info.context.request.user


def given_fields(data) -> dict:
    """The fields of a partial input that the client actually sent."""
    return {name: value for name, value in vars(data).items() if value is not strawberry.UNSET}


class StableErrorCodes(FieldExtension):
    """Give every `OperationInfo` message a code clients can branch on.

    strawberry-django reports a missing object (`ObjectDoesNotExist`) as kind ERROR with
    Django's wording ("Task matching query does not exist.") and no code, and a refusal
    (`PermissionDenied`) without a code; field names it already turns into camelCase.
    """

    def resolve(self, next_, source, info, **kwargs):
        result = next_(source, info, **kwargs)
        if isinstance(result, OperationInfo):
            for message in result.messages:
                if message.code is not None:
                    continue
                if message.kind is OperationMessage.Kind.ERROR:
                    message.code = "not_found"
                    message.message = "Not found: it does not exist or you may not see it."
                elif message.kind is OperationMessage.Kind.PERMISSION:
                    message.code = "permission_denied"
        return result


def mutation(*, public: bool = False, **kwargs):
    """A mutation whose Django errors come back as `OperationInfo` data, not server errors.

    Signed-in users only, unless `public`.
    """
    return strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[] if public else [IsAuthenticated],
        extensions=[StableErrorCodes()],
        **kwargs,
    )


@strawberry.type(name="Deleted")
class DeletedType:
    """The object with this id is gone."""

    id: strawberry.ID


@strawberry.type(name="Success")
class SuccessType:
    ok: bool = True
