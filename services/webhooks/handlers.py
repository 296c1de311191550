"""Use cases of the webhooks service: functions of (command, uow)."""
import datetime
import secrets
import uuid

from kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.webhooks.domain import Webhook, may_manage, webhook_secret
from services.webhooks.targets import TargetRefused, check_url

MAX_WEBHOOKS_PER_DEPARTMENT = 10


def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def known_departments(uow):
    """The codes of the departments the suggestion service has told this one about."""
    with uow:
        return set(uow.department_directory.names())


def check_access(actor, department, departments):
    if department not in departments:
        raise NotFound(f"no department {department}", {"department": department})
    if not may_manage(actor, department):
        raise Forbidden("a department manages only its own webhooks", {"department": department})


def register_webhook(command, uow, master_key, policy, subscribe_department):
    """command: department, url, events, description, actor; policy: a targets.TargetPolicy.
    Stores the URL normalised (the host as it will be called). Returns the webhook with its
    secret (the only time the secret is shown). ``subscribe_department(code)`` makes the
    department's events reach the intake (binds its queue) before the webhook commits, so no
    event after the answer is missed; it raises if it cannot, and nothing is stored."""
    try:
        target = check_url(command["url"], policy)
    except TargetRefused as refused:
        raise ValidationFailed("invalid webhook", {"url": [refused.message]})
    webhook = Webhook(id=str(uuid.uuid4()), department=command["department"], url=target.url,
                      events=sorted(set(command.get("events") or [])), description=command.get("description", ""),
                      secret_salt=secrets.token_hex(16), created_by=(command.get("actor") or {}).get("username"))
    with uow:
        if uow.webhooks.count_active(webhook.department) >= MAX_WEBHOOKS_PER_DEPARTMENT:
            raise ValidationFailed("too many webhooks", {"url": [f"at most {MAX_WEBHOOKS_PER_DEPARTMENT} "
                                                                 "webhooks per department"]})
        uow.webhooks.add(webhook)
        subscribe_department(webhook.department)
        uow.commit()
    return dict(_plain(webhook.as_dict()), secret=webhook_secret(master_key, webhook.id, webhook.secret_salt))


def list_webhooks(department, uow):
    with uow:
        items = [_plain(w.as_dict()) for w in uow.webhooks.active(department)]
    return {"items": items, "total": len(items)}


def delete_webhook(department, webhook_id, uow):
    try:
        uuid.UUID(str(webhook_id))
    except ValueError:
        raise NotFound(f"no webhook {webhook_id}", {"webhook_id": webhook_id})
    with uow:
        if not uow.webhooks.delete(department, webhook_id):
            raise NotFound(f"no webhook {webhook_id}", {"webhook_id": webhook_id})
        uow.commit()


def replay_delivery(department, delivery_id, uow):
    """Send a dead delivery once more, e.g. after the department fixed its endpoint: one
    attempt now; if it fails again the delivery is dead again (its attempts stay logged)."""
    try:
        uuid.UUID(str(delivery_id))
    except ValueError:
        raise NotFound(f"no delivery {delivery_id}", {"delivery_id": delivery_id})
    with uow:
        replayed, status = uow.deliveries.replay(department, delivery_id)
        if status is None:
            raise NotFound(f"no delivery {delivery_id}", {"delivery_id": delivery_id})
        if not replayed:
            raise Conflict(f"only a dead delivery of an active webhook can be replayed (this one: {status})",
                           {"status": status})
        uow.commit()
    return {"id": str(delivery_id), "status": status}


def list_deliveries(department, query, uow):
    webhook = query.get("webhook")
    if webhook:
        try:
            uuid.UUID(webhook)
        except ValueError:
            raise ValidationFailed("invalid query", {"webhook": ["not a webhook id"]})
    with uow:
        items, total = uow.deliveries.page(department, status=query.get("status"), webhook_id=webhook,
                                           event_type=query.get("event_type"), limit=query.get("limit", 50),
                                           offset=query.get("offset", 0))
    return {"items": _plain(items), "total": total}


def waiting_deliveries(uow):
    """Deliveries pending and dead (what the webhook gauges show)."""
    with uow:
        return uow.deliveries.waiting_counts()


def accept_event(envelope, body, department, uow, consumer="webhooks.departments"):
    """A department event arrived: queue one delivery per interested webhook, in one
    transaction with the record that this event was handled. Returns how many."""
    with uow:
        interested = [w for w in uow.webhooks.active(department) if w.wants(envelope["type"])]
        if not interested:
            return 0   # most departments have no webhook: no write, nothing to remember
        if not uow.claim_event(consumer, f"{department}:{envelope['event_id']}"):
            return 0
        rows = [(str(uuid.uuid4()), w.id, department, envelope["event_id"], envelope["type"], body)
                for w in interested]
        added = uow.deliveries.add_many(rows)
        uow.commit()
    return added
