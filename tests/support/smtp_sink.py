"""A real SMTP server for tests (aiosmtpd), run as its own process:

    python -m tests.support.smtp_sink --port 2525 --out /tmp/mails.jsonl

Every accepted message is appended to ``--out`` as one JSON line
``{"mail_from", "rcpt_tos", "to", "subject", "notification", "body"}`` (headers decoded).
Recipients steer failures: a local part starting with ``tempfail`` is answered
``451`` the first ``--tempfail-times`` times it is tried, ``busy`` always ``451``,
``reject`` always ``550``.
Prints ``ready`` once it listens.
"""
import argparse
import json
import os
import sys
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, tempfail_times):
        self.out = out
        self.tempfail_times = tempfail_times
        self.tries = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("busy"):
            return "451 4.3.0 mailbox busy"
        if local.startswith("tempfail"):
            with self.lock:
                self.tries[address] = self.tries.get(address, 0) + 1
                if self.tries[address] <= self.tempfail_times:
                    return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        record = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                  "to": str(message["To"]), "subject": str(message["Subject"]),
                  "notification": message.get("X-Renda-Notification"),
                  "body": body.get_content() if body is not None else ""}
        with self.lock, open(self.out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return "250 Message accepted for delivery"


def read_messages(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--tempfail-times", type=int, default=2)
    args = parser.parse_args(argv)
    controller = Controller(Sink(args.out, args.tempfail_times), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # until the test closes our stdin (or kills us)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
