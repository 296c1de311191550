"""gateway.signin: the throttling policy and a password check that costs the same for every
username (regression: an unknown username answered in 4 ms, a known one in 242 ms)."""
import bcrypt
import pytest

from gateway import signin
from gateway.auth import hash_password
from gateway.signin import DUMMY_PASSWORD_HASH, ThrottlePolicy, client_key, password_matches, throttle_keys

POLICY = ThrottlePolicy()


def test_no_block_before_the_free_failures_then_growing_then_capped():
    account = "account:D0001"
    blocks = [POLICY.block_seconds(account, n) for n in range(1, 16)]
    assert blocks[:4] == [0, 0, 0, 0]                    # failures 1-4: no wait
    assert blocks[4] == POLICY.base_seconds > 0           # the 5th failure blocks
    assert all(b2 >= b1 for b1, b2 in zip(blocks, blocks[1:]))
    assert blocks[5] == 2 * blocks[4] and blocks[6] == 4 * blocks[4]
    assert max(blocks) == POLICY.max_seconds == 900       # never more than 15 minutes
    assert POLICY.block_seconds(account, 10_000) == 900
    assert POLICY.window_seconds >= POLICY.max_seconds    # a block never outlives the memory of it


def test_a_client_gets_more_free_failures_than_an_account():
    """Many people may share one address (an office behind NAT)."""
    assert POLICY.block_seconds("client:10.0.0.1", POLICY.free_failures_per_account) == 0
    assert POLICY.block_seconds("client:10.0.0.1", POLICY.free_failures_per_client) == POLICY.base_seconds


def test_policy_from_config():
    policy = ThrottlePolicy.from_config({"SIGN_IN_FREE_FAILURES_PER_ACCOUNT": "3", "SIGN_IN_MAX_SECONDS": 60})
    assert policy.free_failures_per_account == 3 and policy.max_seconds == 60
    assert policy.base_seconds == POLICY.base_seconds


@pytest.mark.parametrize("address, key", [
    ("127.0.0.1", "127.0.0.1"),
    ("::ffff:10.1.2.3", "10.1.2.3"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),      # one IPv6 host owns a whole /64
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    (None, "unknown"),
])
def test_client_keys(address, key):
    assert client_key(address) == key
    assert throttle_keys("staff", address) == ["account:staff", f"client:{key}"]


@pytest.fixture
def bcrypt_checks(monkeypatch):
    """Count bcrypt checks and the cost factor of each hash checked."""
    costs = []
    real = bcrypt.checkpw

    def counting(password, hashed):
        costs.append(int(hashed.split(b"$")[2]))
        return real(password, hashed)
    monkeypatch.setattr(bcrypt, "checkpw", counting)
    return costs


@pytest.fixture(scope="module")
def account():
    return {"username": "D0001", "password_hash": hash_password("the right one", rounds=4), "active": True}


def test_one_bcrypt_check_at_full_cost_whether_or_not_the_user_exists(bcrypt_checks, account):
    assert password_matches(account, "the right one")
    assert not password_matches(account, "a wrong one")
    assert not password_matches(None, "any password")                       # unknown username
    assert not password_matches(dict(account, active=False), "the right one")  # inactive account
    assert len(bcrypt_checks) == 4                                          # one check each
    assert bcrypt_checks[2:] == [12, 12]  # the stand-in hash costs what stored hashes cost


def test_the_stand_in_hash_costs_what_stored_hashes_cost():
    stored = hash_password("whatever")  # the cost every account's hash is made with
    assert DUMMY_PASSWORD_HASH.split("$")[2] == stored.split("$")[2]
    assert not signin.check_password("", DUMMY_PASSWORD_HASH)
