"""Gateway routes: the notification inbox of deputies (each their own) and of staff (one shared
inbox: raised budget alerts).

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db.
Deputies and staff have an inbox (401 without a token, 403 for other roles); the deputy
service checks that the actor reads and marks only their own notifications."""
from gateway.api import api, query_args
from contracts.deputy_notifications import (NotificationPageSchema, NotificationQuerySchema,
                                            NotificationSchema, ReadAllResultSchema)

INBOX_ROLES = ("deputy", "staff")



class NotificationRoutes:
    @api("GET", "/api/v1/me/notifications", roles=INBOX_ROLES, tag="notifications",
         summary="The signed-in deputy's notifications, or the staff's shared inbox (raised budget alerts), "
                 "newest first (unread=true: only unread); 'unread' counts all unread ones",
         query=NotificationQuerySchema, response=NotificationPageSchema)
    def list_my_notifications(self, request, principal):
        return self.rpc.call("deputy", "list_notifications", actor=principal.as_actor(), query=query_args(request))

    @api("POST", "/api/v1/me/notifications/<notification_id>/read", roles=INBOX_ROLES, tag="notifications",
         summary="Mark one notification of the signed-in deputy's (or the staff's) inbox as read "
                 "(404 for anyone else's)",
         response=NotificationSchema)
    def read_my_notification(self, request, principal, notification_id):
        return self.rpc.call("deputy", "mark_notification_read", actor=principal.as_actor(),
                             notification_id=notification_id)

    @api("POST", "/api/v1/me/notifications/read-all", roles=INBOX_ROLES, tag="notifications",
         summary="Mark all notifications of the signed-in deputy's (or the staff's) inbox as read",
         response=ReadAllResultSchema)
    def read_all_my_notifications(self, request, principal):
        return self.rpc.call("deputy", "mark_all_notifications_read", actor=principal.as_actor())
