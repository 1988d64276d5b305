from typing import Annotated

import strawberry

from backend.notifications import selectors, services
from schema.core import decode_id, mutation, payload, user_of
from schema.notifications.types import NotificationsReadType


@strawberry.type
class NotificationMutations:
    @mutation(
        description="Mark these notifications of yours read, or all of them when `ids` is "
        "omitted; ids of notifications that are not yours, or already read, are ignored. "
        "UNAUTHENTICATED without a token. Refused (OperationInfo, BAD_USER_INPUT on `ids`) with "
        "`invalid_id` for an id that is not one."
    )
    def mark_notifications_read(
        self,
        info: strawberry.Info,
        ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="The notifications to mark; all when omitted."),
        ] = None,
    ) -> payload(
        "MarkNotificationsReadPayload", NotificationsReadType, "How many were marked and remain"
    ):
        user = user_of(info)
        if ids is not None:
            ids = [decode_id(value, field="ids") for value in ids]
        marked = services.mark_notifications_read(user=user, ids=ids)
        return NotificationsReadType(marked=marked, unread_count=selectors.unread_count(user=user))
