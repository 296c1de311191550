"""Which webhook targets may be called (services/webhooks/targets.py), and the sender's
send-time check (services/webhooks/outbound.py) with DNS and the network stood in for."""
import http.client
import socket
import ssl

import pytest

from services.webhooks import outbound
from services.webhooks.outbound import WebhookSender
from services.webhooks.targets import (BLOCKED_ADDRESS, DNS_FAILURE, INVALID_URL, TargetPolicy, TargetRefused,
                                       address_problem, check_url, pick_address)

STRICT = TargetPolicy(allow_http=True, allow_private=False)    # development defaults
PRODUCTION = TargetPolicy(allow_http=False, allow_private=False)
TESTS = TargetPolicy(allow_http=True, allow_private=True)
PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:4700::1111"


def refusal(url, policy=STRICT):
    with pytest.raises(TargetRefused) as refused:
        check_url(url, policy)
    return refused.value


# -- addresses ---------------------------------------------------------------------------------
@pytest.mark.parametrize("address, problem", [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:7f00:1", "loopback"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("fd12:3456::1", "private"), ("::ffff:10.0.0.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("fe80::1%eth0", "link-local"),
    ("100.64.0.1", "shared (CGNAT)"), ("100.127.255.254", "shared (CGNAT)"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "private"), ("255.255.255.255", "private"), ("192.0.2.10", "private"), ("2001:db8::1", "private"),
    ("2002:7f00:1::", "loopback"),        # 6to4 of 127.0.0.1
    ("64:ff9b::a00:1", "private"),       # NAT64 of 10.0.0.1
    ("::7f00:1", "reserved"),            # IPv4-compatible (deprecated) form
    ("fec0::1", "site-local"),
])
def test_address_classifier_names_what_is_not_public(address, problem):
    assert address_problem(address) == problem


@pytest.mark.parametrize("address", [PUBLIC_V4, "8.8.8.8", "1.1.1.1", PUBLIC_V6, "::ffff:93.184.215.14",
                                     "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"])
def test_public_addresses_pass(address):
    assert address_problem(address) is None


# -- URLs: every spelling of an internal target is refused at registration -------------------------
@pytest.mark.parametrize("url, problem", [
    ("https://localhost./", "public host"), ("https://localhost/x", "public host"),
    ("https://LOCALHOST/", "public host"), ("https://a.b.localhost/", "public host"),
    ("https://127.1/", "loopback"), ("http://0x7f000001/", "loopback"), ("http://2130706433/", "loopback"),
    ("http://0177.0.0.1/", "loopback"), ("http://0x7f.1/", "loopback"), ("https://127.000.000.001/", "loopback"),
    ("https://100.64.0.1/", "CGNAT"), ("https://224.0.0.1/", "multicast"),
    ("https://metadata.google.internal/computeMetadata/v1/", "public host"),
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://[::1]/", "loopback"), ("https://[::ffff:127.0.0.1]:8443/x", "loopback"),
    ("https://[fe80::1]/", "link-local"), ("https://[fc00::1]/", "private"), ("https://[::]/", "unspecified"),
    ("https://0.0.0.0/", "unspecified"), ("https://0/", "unspecified"), ("https://10.0.0.5/", "private"),
    ("https://192.168.1.1:8080/", "private"), ("https://intranet/hook", "public host"),
    ("https://printer.local/", "public host"), ("https://router.home.arpa/", "public host"),
])
def test_internal_targets_are_refused_at_registration(url, problem):
    refused = refusal(url)
    assert refused.error == BLOCKED_ADDRESS and problem in refused.message, refused.message
    assert check_url(url, TESTS).host  # allowed where private targets are


def test_a_name_is_judged_by_what_it_resolves_to_at_send_time():
    """127.0.0.1.nip.io is a public name: the form check cannot know, the resolver can."""
    target = check_url("https://127.0.0.1.nip.io/hook", STRICT)
    assert target.address is None and target.host == "127.0.0.1.nip.io"
    with pytest.raises(TargetRefused) as refused:
        pick_address(["127.0.0.1"], STRICT)
    assert refused.value.error == BLOCKED_ADDRESS


@pytest.mark.parametrize("url, canonical", [
    ("https://OA.Example.CN./renda?x=1", "https://oa.example.cn/renda?x=1"),
    ("https://oa.example.cn", "https://oa.example.cn/"),
    ("https://oa.example.cn:443/a", "https://oa.example.cn/a"),
    ("http://oa.example.cn:8080/a b".replace(" ", "%20"), "http://oa.example.cn:8080/a%20b"),
    ("https://政府.中国/回调", "https://xn--mxtq1m.xn--fiqs8s/%E5%9B%9E%E8%B0%83"),
    ("https://1572394766/", "https://93.184.215.14/"),
    ("https://[2606:4700:0::1111]:8443/", "https://[2606:4700::1111]:8443/"),
])
def test_urls_are_stored_as_they_will_be_called(url, canonical):
    assert check_url(url, STRICT).url == canonical


@pytest.mark.parametrize("url", ["", None, 42, "ftp://x.cn/a", "file:///etc/passwd", "gopher://x.cn/",
                                 "oa.example.cn/hook", "https://", "http:///x", "https://u:p@x.cn/",
                                 "https://u@x.cn/", "https://x.cn\\@127.0.0.1/", "https://x.cn/#frag", "https://x.cn/#",
                                 "https://x.cn:99999/", "https://x.cn:0/", "https://x.cn/a b", "https://x.cn/\x00",
                                 "https://x.cn/\r\nX-Injected: 1", "https://1.2.3.4.5/", "https://08.1.1.1/",
                                 "https://256.1.1.1/", "https://x_y.cn/", "https://-x.cn/", "https://%31%32%37.0.0.1/",
                                 "https://[fe80::1%25eth0]/", "https://[::1/", "https://x.cn/" + "a" * 2000])
def test_malformed_urls_are_refused(url):
    assert refusal(url, TESTS).error == INVALID_URL


def test_plain_http_only_where_allowed():
    assert refusal("http://oa.example.cn/", PRODUCTION).error == INVALID_URL
    assert check_url("https://oa.example.cn/hook", PRODUCTION).url == "https://oa.example.cn/hook"
    assert check_url("http://oa.example.cn/hook", STRICT).scheme == "http"


def test_policy_from_config():
    assert TargetPolicy.from_config({}) == TargetPolicy(allow_http=True, allow_private=False)
    assert TargetPolicy.from_config({"APP_ENV": "production"}) == TargetPolicy(allow_http=False, allow_private=False)
    assert TargetPolicy.from_config({"APP_ENV": "production", "WEBHOOK_ALLOW_HTTP": "true",
                                     "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"}) == TargetPolicy(True, True)
    assert TargetPolicy.from_config({"WEBHOOK_ALLOW_PRIVATE_TARGETS": False}).allow_private is False
    assert TargetPolicy.from_config({"WEBHOOK_ALLOW_PRIVATE_TARGETS": "false"}).allow_private is False


# -- the resolved addresses of one send --------------------------------------------------------------
def test_any_non_public_answer_refuses_the_send():
    assert pick_address([PUBLIC_V4, PUBLIC_V6], STRICT) == PUBLIC_V4
    for answers in (["127.0.0.1"], [PUBLIC_V4, "10.0.0.1"], [PUBLIC_V6, "::1"], ["::ffff:169.254.169.254"]):
        with pytest.raises(TargetRefused) as refused:
            pick_address(answers, STRICT)
        assert refused.value.error == BLOCKED_ADDRESS, answers
    assert pick_address(["127.0.0.1", "::1"], TESTS) == "127.0.0.1"
    with pytest.raises(TargetRefused) as refused:
        pick_address([], STRICT)
    assert refused.value.error == DNS_FAILURE


# -- the sender: resolve once per send, refuse or connect to what was checked ------------------------
class FakeConnection:
    """Stands in for the network: records where it would connect and what it would send."""

    def __init__(self, opened, address, target, status=200):
        self.opened, self.address, self.target, self.status = opened, address, target, status

    def request(self, method, path, body, headers, preload_content):
        self.opened.append({"address": self.address, "host": self.target.host, "path": path,
                            "host_header": headers["Host"]})

    def getresponse(self):
        return self

    def close(self):
        pass


class Resolver:
    """Answers in turn, like a DNS server under an attacker's control (rebinding)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, host, port):
        self.calls.append((host, port))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def sender(policy, resolver, opened):
    result = WebhookSender(policy, timeout=1, resolver=resolver)
    result._connection = lambda target, address: FakeConnection(opened, address, target)
    return result


def test_dns_rebinding_is_refused_at_send_time_and_each_send_resolves_once():
    """Public when first looked at, 127.0.0.1 the next time: the first send goes to the public
    address it checked; the next send checks again and is refused without connecting."""
    resolver, opened = Resolver([PUBLIC_V4], ["127.0.0.1"]), []
    send = sender(STRICT, resolver, opened)
    first = send.post("https://hooks.example.cn/renda", b"{}", {})
    assert first.success and first.address == PUBLIC_V4 and len(resolver.calls) == 1
    assert opened == [{"address": PUBLIC_V4, "host": "hooks.example.cn", "path": "/renda",
                       "host_header": "hooks.example.cn"}]
    second = send.post("https://hooks.example.cn/renda", b"{}", {})
    assert second.error == BLOCKED_ADDRESS and second.status_code is None
    assert len(resolver.calls) == 2 and len(opened) == 1  # resolved once more, never connected


def test_a_literal_address_is_not_resolved_and_an_internal_one_never_connects():
    resolver, opened = Resolver([PUBLIC_V4]), []
    send = sender(STRICT, resolver, opened)
    for url in ("http://127.1:8080/", "http://0x7f000001/", "http://2130706433/", "https://[::ffff:127.0.0.1]/",
                "https://100.64.0.1/", "https://224.0.0.1/", "https://localhost./",
                "https://metadata.google.internal/"):
        assert send.post(url, b"{}", {}).error == BLOCKED_ADDRESS, url
    assert opened == [] and resolver.calls == []
    assert send.post("https://93.184.215.14:8443/x", b"{}", {}).success
    assert opened[-1]["address"] == PUBLIC_V4 and opened[-1]["host_header"] == "93.184.215.14:8443"


def test_resolver_failures_and_bad_urls_are_short_classes():
    opened = []
    failing = sender(STRICT, Resolver(socket.gaierror(-2, "Name or service not known")), opened)
    assert failing.post("https://nowhere.example.cn/", b"{}", {}).error == DNS_FAILURE
    assert sender(STRICT, Resolver([]), opened).post("https://empty.example.cn/", b"{}", {}).error == DNS_FAILURE
    assert sender(PRODUCTION, Resolver([PUBLIC_V4]), opened).post("http://oa.example.cn/", b"{}", {}).error \
        == INVALID_URL
    assert opened == []


@pytest.mark.parametrize("exc, expected", [
    (ConnectionRefusedError(111, "Connection refused"), "connection_refused"),
    (TimeoutError("timed out"), "timeout"),
    (ssl.SSLCertVerificationError("certificate verify failed"), "tls_error"),
    (http.client.RemoteDisconnected("Remote end closed connection"), "connection_error"),
    (http.client.BadStatusLine("garbage"), "bad_response"),
    (OSError(113, "No route to host"), "connection_error"),
])
def test_network_errors_become_short_classes(exc, expected):
    assert outbound.error_class(exc) == expected
