"""gateway.auth: tokens, roles, passwords."""
import jwt
import pytest

from gateway.auth import PUBLIC, Principal, check_password, hash_password, issue_token, read_token

SECRET = "unit-test-secret-of-at-least-32-bytes!!"
ACCOUNT = {"username": "D0001", "role": "deputy", "subject": "D0001"}


def test_issued_token_reads_back_as_the_principal():
    principal = read_token(issue_token(ACCOUNT, SECRET, 60), SECRET)
    assert principal == Principal("D0001", "deputy", "D0001")


def test_token_without_subject():
    principal = read_token(issue_token({"username": "staff", "role": "staff", "subject": None}, SECRET, 60), SECRET)
    assert principal.username == "staff" and principal.role == "staff" and principal.subject is None


def test_expired_token_is_refused():
    token = issue_token(ACCOUNT, SECRET, -10)
    with pytest.raises(jwt.ExpiredSignatureError):
        read_token(token, SECRET)


def test_token_signed_with_another_secret_is_refused():
    token = issue_token(ACCOUNT, "another-secret-of-at-least-32-bytes!!", 60)
    with pytest.raises(jwt.InvalidSignatureError):
        read_token(token, SECRET)


def test_tampered_and_garbage_tokens_are_refused():
    token = issue_token(ACCOUNT, SECRET, 60)
    header, payload, signature = token.split(".")
    forged = jwt.encode({"sub": "D0001", "role": "admin", "exp": 9999999999}, "a-guessed-secret-of-at-least-32-bytes", algorithm="HS256")
    for bad in (f"{header}.{forged.split('.')[1]}.{signature}", "not-a-token", ""):
        with pytest.raises(jwt.InvalidTokenError):
            read_token(bad, SECRET)


@pytest.mark.parametrize("claims", [
    {"sub": "x", "role": "public"},          # public is not a signed-in role
    {"sub": "x", "role": "superuser"},       # unknown role
    {"role": "staff"},                        # no subject claim
])
def test_token_with_bad_claims_is_refused(claims):
    import time
    token = jwt.encode({**claims, "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    with pytest.raises(jwt.InvalidTokenError):
        read_token(token, SECRET)


def test_token_without_expiry_is_refused():
    token = jwt.encode({"sub": "x", "role": "staff"}, SECRET, algorithm="HS256")
    with pytest.raises(jwt.MissingRequiredClaimError):
        read_token(token, SECRET)


def test_unsigned_token_is_refused():
    token = jwt.encode({"sub": "x", "role": "admin", "exp": 9999999999}, None, algorithm="none")
    with pytest.raises(jwt.InvalidTokenError):
        read_token(token, SECRET)


def test_admin_includes_staff_but_not_the_other_way():
    admin, staff = Principal("admin", "admin"), Principal("staff", "staff")
    assert admin.has_any(("staff",)) and admin.is_staff and admin.has_any(("admin",))
    assert staff.has_any(("staff",)) and staff.is_staff
    assert not staff.has_any(("admin",))


@pytest.mark.parametrize("role", ["deputy", "department"])
def test_other_roles_are_only_themselves(role):
    principal = Principal("u", role)
    assert principal.has_any((role, "staff")) and not principal.is_staff
    assert not principal.has_any(("staff", "admin"))


def test_public_has_no_signed_in_role():
    assert not PUBLIC.has_any(("deputy", "department", "staff", "admin")) and not PUBLIC.is_staff


def test_hash_and_check_password():
    hashed = hash_password("demo", rounds=4)
    assert hashed != "demo" and hashed.startswith("$2")
    assert check_password("demo", hashed)
    assert not check_password("Demo", hashed)
    assert hash_password("demo", rounds=4) != hashed  # salted


def test_check_password_against_a_malformed_hash_is_false():
    assert not check_password("demo", "not-a-bcrypt-hash")


# -- token versions and sessions (issue 8) ----------------------------------------------------
def test_token_carries_the_account_token_version_and_the_session():
    principal = read_token(issue_token(dict(ACCOUNT, token_version=7), SECRET, 60, session_id="s-1"), SECRET)
    assert principal.token_version == 7 and principal.session_id == "s-1"
    assert read_token(issue_token(ACCOUNT, SECRET, 60), SECRET).session_id is None


@pytest.mark.parametrize("version", [None, "3", 1.5, True])
def test_token_without_an_integer_version_is_refused(version):
    """A token that carries no token version could never be revoked: refused."""
    import time
    claims = {"sub": "D0001", "role": "deputy", "exp": int(time.time()) + 60}
    if version is not None:
        claims["ver"] = version
    with pytest.raises(jwt.InvalidTokenError):
        read_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)
