"""Small helpers every resolver uses: who is asking, ids, partial inputs, mutation answers."""

from typing import Annotated

import strawberry
import strawberry_django
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from strawberry.extensions import FieldExtension
from strawberry.utils.str_converters import to_camel_case

from backend.platform.errors import (
    MEANINGS,
    NOT_FOUND_MESSAGE,
    ErrorCode,
    field_error,
    refusal_code,
)
from backend.platform.ids import parse_id
from schema.adapters import describe_values
from schema.permissions import IsAuthenticated

ErrorCodeType = strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="What went wrong, for clients to branch on: the `kind` of an `OperationMessage`, "
    "the `extensions.code` of every error in `errors`, and the `code` of REST's error bodies. "
    "One list for every door; a message may change, a code does not.",
)
describe_values(ErrorCodeType, **{code.name: text for code, text in MEANINGS.items()})


@strawberry.type(name="OperationMessage", description="One reason a mutation was refused.")
class RefusalMessage:
    kind: ErrorCodeType = strawberry.field(
        description="What kind of refusal it is, from the list every door uses: "
        "BAD_USER_INPUT (a value), NOT_FOUND, FORBIDDEN, CONFLICT (a stale `version`), "
        "UNAUTHENTICATED (wrong credentials) or PAYLOAD_TOO_LARGE."
    )
    message: str = strawberry.field(
        description="A sentence for people; it may change, `code` does not."
    )
    field: str | None = strawberry.field(
        description="The input field concerned, in camelCase as sent (`projectId`, `version`), "
        "or null when it concerns the input as a whole (wrong credentials, not found)."
    )
    code: str = strawberry.field(
        description="The rule broken, stable, to branch on or translate: `not_found`, "
        "`permission_denied`, `invalid_id`, `stale_version`, `invalid_credentials`, `blank`, "
        "`max_length`, `invalid`, `username_taken`, `project_not_found`, ... (each mutation "
        "lists its own; REST's `field_errors` carry the same messages)."
    )


@strawberry.type(
    name="OperationInfo",
    description="Why a mutation was refused: nothing was changed. One message per problem, each "
    "naming the input field it concerns, to show beside a form field.",
)
class Refusal:
    messages: list[RefusalMessage] = strawberry.field(
        description="The problems found, at least one."
    )


def _refusal_messages(error: Exception) -> list[RefusalMessage]:
    kind = refusal_code(error)
    if isinstance(error, ObjectDoesNotExist):
        return [RefusalMessage(kind=kind, message=NOT_FOUND_MESSAGE, field=None, code="not_found")]
    if isinstance(error, PermissionDenied):
        message = str(error) or "You may not do this."
        return [RefusalMessage(kind=kind, message=message, field=None, code="permission_denied")]
    return [
        RefusalMessage(
            kind=kind,
            message=problem.message % problem.params if problem.params else problem.message,
            field=None if field == NON_FIELD_ERRORS else to_camel_case(field),
            code=problem.code or "invalid",
        )
        for field, problems in error.update_error_dict({}).items()
        for problem in problems
    ]


class RefusalsAsData(FieldExtension):
    """A mutation refused by a service (ValidationError, PermissionDenied, DoesNotExist) answers
    `OperationInfo` data, with the code REST would give the same refusal; anything else stays an
    error. Each mutation's service runs in its own transaction, so nothing was changed."""

    def resolve(self, next_, source, info, **kwargs):
        try:
            return next_(source, info, **kwargs)
        except (ValidationError, PermissionDenied, ObjectDoesNotExist) as error:
            return Refusal(messages=_refusal_messages(error))

    async def resolve_async(self, next_, source, info, **kwargs):
        try:
            return await next_(source, info, **kwargs)
        except (ValidationError, PermissionDenied, ObjectDoesNotExist) as error:
            return Refusal(messages=_refusal_messages(error))


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


def mutation(*, public: bool = False, **kwargs):
    """A mutation whose refusals come back as `OperationInfo` data, not errors.

    Signed-in users only, unless `public`: without a token, an UNAUTHENTICATED error.
    """
    return strawberry_django.mutation(
        handle_django_errors=False,
        permission_classes=[] if public else [IsAuthenticated],
        extensions=[RefusalsAsData()],
        **kwargs,
    )


def payload(name: str, result: type, description: str):
    """A mutation's answer type: `result`, or `OperationInfo` when the mutation is refused."""
    return Annotated[
        result | Refusal,
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
