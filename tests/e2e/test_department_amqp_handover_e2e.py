"""Staff hand a department its AMQP subscription (GET /api/v1/departments/{code}/amqp): the
URI signs in to the platform's broker as the department's own user and reads its own queue;
departments themselves, and anyone else, are refused (the URI carries a password)."""
import shlex

import pika

from tests.e2e.conftest import assert_json_error


def test_staff_get_a_uri_that_reads_the_departments_own_queue(client):
    answer = client.get("/api/v1/departments/ecology/amqp", as_user="staff")
    assert answer.status_code == 200, answer.text
    sub = answer.json()
    assert sub["user"].endswith("dept-ecology") and sub["queue"] == "department.ecology"
    assert shlex.split(sub["command"])[0] == f"DEPARTMENT_AMQP_URI={sub['amqp_uri']}"
    connection = pika.BlockingConnection(pika.URLParameters(sub["amqp_uri"]))
    try:
        channel = connection.channel()
        channel.basic_get(sub["queue"], auto_ack=False)            # may read its own queue (nothing acked)
        other = connection.channel()
        try:
            other.basic_get("department.edu", auto_ack=False)
            raise AssertionError("a department read another department's queue")
        except pika.exceptions.ChannelClosedByBroker as refused:
            assert refused.reply_code == 403
    finally:
        connection.close()


def test_only_staff_get_the_handover_and_only_for_a_known_department(client):
    assert_json_error(client.get("/api/v1/departments/ecology/amqp", as_user="dept-ecology"), 403, "FORBIDDEN")
    assert_json_error(client.get("/api/v1/departments/ecology/amqp"), 401)
    assert_json_error(client.get("/api/v1/departments/nosuch/amqp", as_user="staff"), 404, "NOT_FOUND")
