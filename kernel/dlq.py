"""List and replay dead letters: ``python -m kernel.dlq list|replay [--queue Q] [--limit N]``.

Every reliable consumer queue ``Q`` has ``Q.dlq``. ``list`` shows each dead letter's
reason and error without consuming it; ``replay`` moves messages back to ``Q`` (attempt
counter reset) once the cause is fixed. Idempotent handlers make a replay safe.
"""
import argparse
import json
import sys

from kombu import Connection

from kernel.config import load_config
from kernel.consumer import ATTEMPT_HEADER

REASON_HEADERS = ("x-dead-letter-reason", "x-error", "x-original-queue")


def dead_letter_queues(connection, queues=None):
    if queues:
        return [q if q.endswith(".dlq") else q + ".dlq" for q in queues]
    # Without the management API we cannot list queues: derive them from the subscriptions.
    from kernel.bootstrap import services_of, subscriptions
    config = load_config()
    return [queue + ".dlq" for service, module in services_of(config).items()
            for _, _, queue in subscriptions(module, service)]


def _fetch_all(channel, queue_name, limit):
    """Get up to ``limit`` messages without acking (they return to the queue on close)."""
    messages = []
    while len(messages) < limit:
        message = channel.basic_get(queue_name, no_ack=False)
        if message is None:
            break
        messages.append(message)
    return messages


def list_dead_letters(amqp_uri, queues=None, limit=100):
    found = []
    with Connection(amqp_uri) as connection:
        for queue_name in dead_letter_queues(connection, queues):
            channel = connection.channel()
            try:
                for message in _fetch_all(channel, queue_name, limit):
                    headers = message.headers or {}
                    found.append({"queue": queue_name, **{h: headers.get(h) for h in REASON_HEADERS},
                                  "body": message.body.decode("utf-8", "replace")[:500]})
            finally:
                channel.close()  # unacked messages go back to the dead-letter queue
    return found


def replay(amqp_uri, queues=None, limit=1000):
    moved = 0
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer()
        for queue_name in dead_letter_queues(connection, queues):
            channel = connection.channel()
            try:
                for message in _fetch_all(channel, queue_name, limit):
                    headers = dict(message.headers or {})
                    target = headers.get("x-original-queue") or queue_name.removesuffix(".dlq")
                    for name in REASON_HEADERS + (ATTEMPT_HEADER, "x-last-error", "x-death"):
                        headers.pop(name, None)
                    producer.publish(message.body, exchange="", routing_key=target, headers=headers,
                                     content_type=message.content_type, content_encoding=message.content_encoding,
                                     delivery_mode=2)
                    # only after the broker confirmed the copy (a raw amqp message has no .ack())
                    channel.basic_ack(message.delivery_tag)
                    moved += 1
            finally:
                channel.close()
    return moved


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("list", "replay"))
    parser.add_argument("--queue", action="append", help="consumer queue (or its .dlq); default: all")
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args(argv)
    amqp_uri = load_config()["AMQP_URI"]
    if args.command == "list":
        for row in list_dead_letters(amqp_uri, args.queue, args.limit):
            print(json.dumps(row, ensure_ascii=False))
    else:
        print(f"replayed {replay(amqp_uri, args.queue, args.limit)} message(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
