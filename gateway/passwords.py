"""Password rules: one pure function, used wherever a password is chosen (change your own
password; staff-issued initial passwords are checked too).

- 10 to 72 bytes in UTF-8: bcrypt reads at most 72 bytes (bcrypt 5 refuses more), so a
  longer password would be silently shortened or refused;
- not the username (ignoring case), not one character repeated;
- not in the list of common passwords shipped in ``gateway/common-passwords.txt`` (its
  source is named in its header).
"""
import functools
import pathlib

from kernel.errors import ValidationFailed

MIN_BYTES = 10
MAX_BYTES = 72  # bcrypt's limit
COMMON_PASSWORDS_FILE = pathlib.Path(__file__).with_name("common-passwords.txt")


@functools.lru_cache(maxsize=1)
def common_passwords():
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def utf8_length(text):
    """Bytes of ``text`` in UTF-8; None if it cannot be encoded (a lone surrogate)."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return None


def password_problems(password, username=None):
    """What is wrong with ``password`` as a new password of ``username`` ([] if nothing)."""
    size = utf8_length(password)
    if size is None:
        return ["must be valid Unicode text"]
    problems = []
    if size < MIN_BYTES:
        problems.append(f"must be at least {MIN_BYTES} bytes long (UTF-8)")
    if size > MAX_BYTES:
        problems.append(f"must be at most {MAX_BYTES} bytes long (UTF-8)")
    if username and password.casefold() == str(username).casefold():
        problems.append("must not be the username")
    if password and len(set(password)) == 1:
        problems.append("must not be one character repeated")
    if password.casefold() in common_passwords():
        problems.append("is too common: choose a password that is not on lists of common passwords")
    return problems


def check_new_password(password, username=None, field="new_password"):
    """Raise a 400 VALIDATION_ERROR naming ``field`` if ``password`` breaks a rule."""
    problems = password_problems(password, username)
    if problems:
        raise ValidationFailed("invalid input", {field: problems})
