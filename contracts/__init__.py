"""What callers and a service must agree on, in one package (issue 14 §4): a service imports
nothing of another service, the gateway imports no service; both import this.

- ``contracts.<service>`` (budget, deputy, deputy_duty, deputy_notifications, deputy_voters, news,
  suggestion, suggestion_stats, voting, webhooks): the marshmallow schemas of each service's RPC
  payloads (the gateway validates HTTP bodies and builds its OpenAPI document from them; the
  service validates the same payloads again) and the vocabularies they name (statuses, kinds…),
  which the service's domain module imports from here.
- ``contracts.events.<producer>``: the event types each service publishes and their payload schemas
  (checked wherever events are made when ``CHECK_EVENT_CONTRACTS`` is on; docs/events.md).
- ``contracts.reference``: the county's seed data (towns, suggestion categories, and the departments a
  new platform starts with; the suggestion service owns the departments at run time).
- ``contracts.departments_amqp``: the AMQP naming departments subscribe to (exchange, queues, users).

Plain Python: marshmallow, kombu/requests (departments_amqp) and kernel only; never ``services.*``
(tests/unit/test_import_boundaries.py).
"""
