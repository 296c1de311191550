"""Event types the suggestion service publishes (exchange ``suggestion.events``, routing
key = type) and the department copies (exchange ``suggestion.departments``, routing key
``<department>.<type>``)."""
SUBMITTED = "suggestion_submitted"
ACCEPTED = "suggestion_accepted"
REJECTED = "suggestion_rejected"
MERGED = "suggestion_merged"
ROUTED = "suggestion_routed"
ASSIGNED = "suggestion_assigned"
ACKNOWLEDGED = "suggestion_acknowledged"
RETURNED = "suggestion_returned"
EXTENSION_REQUESTED = "suggestion_extension_requested"
EXTENSION_DECIDED = "suggestion_extension_decided"
VIEW_SENT = "suggestion_view_sent"
REPLIED = "suggestion_replied"
FOLLOWED_UP = "suggestion_followed_up"
EVALUATED = "suggestion_evaluated"
REHANDLING_OPENED = "suggestion_rehandling_opened"
CLOSED = "suggestion_closed"
WITHDRAWN = "suggestion_withdrawn"
DUE_SOON = "suggestion_due_soon"
OVERDUE = "suggestion_overdue"
# once per quarter after it ended (Beijing time): {year, quarter, statistics: the by-department
# answer of the statistics RPC as of that day}; the news service drafts the quarter's report from it
QUARTER_CLOSED = "suggestion_quarter_closed"

ALL = (SUBMITTED, ACCEPTED, REJECTED, MERGED, ROUTED, ASSIGNED, ACKNOWLEDGED, RETURNED, EXTENSION_REQUESTED,
       EXTENSION_DECIDED, VIEW_SENT, REPLIED, FOLLOWED_UP, EVALUATED, REHANDLING_OPENED, CLOSED, WITHDRAWN,
       DUE_SOON, OVERDUE, QUARTER_CLOSED)

DEPARTMENTS_EXCHANGE = "suggestion.departments"
