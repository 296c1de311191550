"""gateway.passwords: the one function every new password goes through."""
import pytest

from gateway.passwords import COMMON_PASSWORDS_FILE, check_new_password, common_passwords, password_problems
from kernel.errors import ValidationFailed


@pytest.mark.parametrize("password", [
    "correct horse battery",
    "ab3$-xY9q!",                      # exactly 10 bytes
    "x" * 71 + "y",                    # exactly 72 bytes
    "人大代表履职平台密码",              # 10 characters, 30 bytes
])
def test_good_passwords_pass(password):
    assert password_problems(password, "D0001") == []


@pytest.mark.parametrize("password, problem", [
    ("short-pw1", "at least 10 bytes"),                        # 9 bytes
    ("x" * 72 + "y", "at most 72 bytes"),                      # 73 bytes: bcrypt's limit
    ("代表" * 13, "at most 72 bytes"),                          # 26 characters, 78 bytes
    ("D0001-Zhang", None),
    ("d0001-zhang", "must not be the username"),               # case-insensitive
    ("aaaaaaaaaaaa", "one character repeated"),
    ("密密密密密密密密密密", "one character repeated"),
    ("password123", "too common"),
    ("QwertyUIOP", "too common"),                               # case-insensitive
    ("1234567890", "too common"),
    ("\ud800\ud800-lone-surrogates", "valid Unicode"),
])
def test_each_rule(password, problem):
    problems = password_problems(password, "D0001-Zhang")
    if problem is None:
        assert "must not be the username" in " ".join(problems)
    else:
        assert any(problem in message for message in problems), problems


def test_errors_name_the_field():
    with pytest.raises(ValidationFailed) as caught:
        check_new_password("x" * 80, "someone")
    assert caught.value.code == "VALIDATION_ERROR" and list(caught.value.details) == ["new_password"]
    with pytest.raises(ValidationFailed) as caught:
        check_new_password("short", "someone", field="initial_password")
    assert list(caught.value.details) == ["initial_password"]
    check_new_password("a fine passphrase", "someone")  # no error


def test_the_common_password_list_is_shipped_with_its_source():
    header = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()[:6]
    assert any("Source" in line for line in header)
    words = common_passwords()
    assert len(words) > 1500 and "password123" in words and "woaini1314" in words
    assert all(len(word.encode()) >= 10 for word in words)
