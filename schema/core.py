"""Small helpers every resolver uses: who is asking, ids, partial inputs, mutation answers."""

from typing import Annotated

import strawberry
import strawberry_django
from strawberry.extensions import FieldExtension
from strawberry_django.fields.types import OperationInfo, OperationMessage

from backend.platform.errors import field_error
from backend.platform.ids import parse_id
from schema.adapters import describe, describe_values
from schema.permissions import IsAuthenticated

describe(
    OperationInfo,
    "Why a mutation was refused: nothing was changed. One message per problem, each naming "
    "the input field it concerns, to show beside a form field.",
    messages="The problems found, at least one.",
)
describe(
    OperationMessage,
    "One reason a mutation was refused.",
    kind="What kind of problem it is: VALIDATION, ERROR (not found) or PERMISSION.",
    message="A sentence for people; it may change, `code` does not.",
    field="The input field concerned, in camelCase as sent (`projectId`, `version`), or null "
    "when it concerns the input as a whole (wrong credentials).",
    code="A stable code to branch on: `not_found`, `permission_denied`, `invalid_id`, "
    "`stale_version`, or the rule broken (`blank`, `max_length`, `invalid`, `username_taken`, "
    "`project_not_found`, ...; each mutation lists its own).",
)
describe_values(
    OperationMessage.Kind,
    "What kind of problem an `OperationMessage` reports.",
    VALIDATION="A value is refused (`field` names it, or null for the input as a whole); also "
    "a stale `version` (`code: stale_version`).",
    ERROR="The object named does not exist, or you may not see it (`code: not_found`): the same "
    "answer either way, so that nothing leaks.",
    PERMISSION="You see the object but may not do this to it (`code: permission_denied`).",
    INFO="Not sent by Stride (declared by strawberry-django).",
    WARNING="Not sent by Stride (declared by strawberry-django).",
)


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

    Signed-in users only, unless `public`: without a token, an UNAUTHENTICATED error.
    """
    return strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[] if public else [IsAuthenticated],
        extensions=[StableErrorCodes()],
        **kwargs,
    )


def payload(name: str, result: type, description: str):
    """A mutation's answer type: `result`, or `OperationInfo` when the mutation is refused."""
    return Annotated[
        result | OperationInfo,
        strawberry.union(
            name, description=f"{description}, or `OperationInfo` when the mutation is refused."
        ),
    ]


@strawberry.type(name="Deleted", description="The answer of a deletion: the object is gone.")
class DeletedType:
    id: strawberry.ID = strawberry.field(description="The id of the object deleted.")


@strawberry.type(name="Success", description="The answer of a mutation that returns no object.")
class SuccessType:
    ok: bool = strawberry.field(default=True, description="Always true: it was done.")
