"""Department AMQP names, permissions and credentials (contracts/departments_amqp.py)."""
import re

import pytest

from contracts import departments_amqp as d


def test_queue_arguments_make_a_quorum_queue_with_a_delivery_limit_and_a_dead_letter_route():
    queue = d.department_queue_object("edu", 5)
    assert queue.name == "department.edu" and queue.routing_key == "edu.#" and queue.durable
    assert queue.queue_arguments == {"x-queue-type": "quorum", "x-delivery-limit": 5,
                                     "x-dead-letter-exchange": "suggestion.departments.dlx",
                                     "x-dead-letter-routing-key": "department.edu.dlq"}
    assert queue.exchange.name == "suggestion.departments" and queue.exchange.type == "topic"


def test_read_permission_matches_only_the_departments_own_queues():
    pattern = re.compile(d.read_permission("edu"))
    assert pattern.search("department.edu") and pattern.search("department.edu.dlq")
    for other in ("department.health", "department.education", "department.edu2", "xdepartment.edu",
                  "suggestion.departments", "webhooks.departments", "department.edu.dlq.x"):
        assert not pattern.search(other), other


def test_codes_are_checked_and_each_provisioned_once():
    assert d.checked_codes(["edu", "grain", "edu"]) == ["edu", "grain"]
    for bad in ("Bad Code", "9lives", "x" * 33, ""):
        with pytest.raises(ValueError):
            d.checked_codes(["edu", bad])


def test_each_department_has_its_own_password_and_uri():
    config = {"AMQP_URI": "amqp://guest:guest@mq.example.cn:5672/renda", "DEPARTMENT_AMQP_SECRET": "s3"}
    edu, health = d.department_password(config, "edu"), d.department_password(config, "health")
    assert edu != health and len(edu) == 32
    assert d.department_password(dict(config, DEPARTMENT_AMQP_SECRET="other"), "edu") != edu
    assert d.department_amqp_uri(config, "edu") == f"amqp://dept-edu:{edu}@mq.example.cn:5672/renda"
    assert d.vhost_of("amqp://guest:guest@h:5672/") == "/" and d.vhost_of("amqp://h/%2Fx") == "/x"


def test_production_refuses_the_development_secret():
    config = {"APP_ENV": "production", "AMQP_URI": "amqp://u:p@h/"}
    with pytest.raises(d.ProvisioningError):
        d.department_password(config, "edu")
    assert d.department_password(dict(config, DEPARTMENT_AMQP_SECRET="real"), "edu")


def test_management_url_defaults_to_the_amqp_host_and_credentials():
    assert d.management_url({"AMQP_URI": "amqp://adm:pw@mq:5672/v"}) == "http://adm:pw@mq:15672"
    assert d.management_url({"AMQP_URI": "amqp://x@mq/", "RABBITMQ_MANAGEMENT_URL": "https://m:1/"}) == "https://m:1/"


class FakeAdmin:
    def __init__(self):
        self.calls = []

    def put_user(self, name, password):
        self.calls.append(("user", name))

    def set_permissions(self, vhost, user, configure, write, read):
        self.calls.append(("perm", vhost, user, configure, write, read))


def test_users_get_read_only_permissions_on_their_own_queue():
    admin = FakeAdmin()
    d.provision_users({"AMQP_URI": "amqp://g:g@h:5672/renda", "DEPARTMENT_AMQP_SECRET": "s3"}, codes=["edu"],
                      admin=admin)
    assert admin.calls == [("user", "dept-edu"), ("perm", "renda", "dept-edu", "^$", "^$", d.read_permission("edu"))]


def test_there_is_no_default_department_secret():
    """Passwords used to fall back to a published development secret."""
    with pytest.raises(d.ProvisioningError):
        d.department_password({"AMQP_URI": "amqp://u:p@h/"}, "edu")
    with pytest.raises(d.ProvisioningError):
        d.department_password({"AMQP_URI": "amqp://u:p@h/", "DEPARTMENT_AMQP_SECRET": ""}, "edu")


def test_a_user_prefix_of_its_own_gives_other_users_and_passwords():
    """Tests provision users of their own (RabbitMQ users are global to the broker)."""
    config = {"AMQP_URI": "amqp://g:g@h:5672/renda_test", "DEPARTMENT_AMQP_SECRET": "s3"}
    mine = dict(config, DEPARTMENT_AMQP_USER_PREFIX="renda_test--dept-")
    assert d.department_user(config, "edu") == "dept-edu"
    assert d.department_user(mine, "edu") == "renda_test--dept-edu"
    assert d.department_password(mine, "edu") != d.department_password(config, "edu")
    assert d.department_amqp_uri(mine, "edu").startswith("amqp://renda_test--dept-edu:")
