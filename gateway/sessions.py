"""Browser sessions: the cookie and its CSRF token.

``POST /api/v1/auth/session`` signs a browser in: the token (the same JWT as a bearer
token, plus the session id ``sid``) goes into an httpOnly, SameSite=Strict cookie (Secure in
production), so page scripts never hold it. The gateway accepts the cookie like a bearer
token. A write (POST/PUT/PATCH/DELETE) authenticated by the cookie must also send
``X-CSRF-Token``: HMAC(JWT_SECRET, session id), given in the sign-in answer and by
``GET /api/v1/me``. Another site can make a browser send the cookie (where SameSite does
not stop it) but cannot read that value. Bearer clients need no CSRF token: nothing sends
their header on its own.
"""
import hashlib
import hmac

from werkzeug.http import dump_cookie

SESSION_COOKIE = "renda_session"
CSRF_HEADER = "X-CSRF-Token"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token(secret, session_id):
    return hmac.new(str(secret).encode(), b"csrf|" + session_id.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret, session_id, sent):
    return bool(sent) and hmac.compare_digest(str(sent), csrf_token(secret, session_id))


def session_cookie(token, max_age, secure):
    return dump_cookie(SESSION_COOKIE, token, max_age=max_age, path="/", secure=secure, httponly=True,
                       samesite="Strict")


def cleared_session_cookie(secure):
    return dump_cookie(SESSION_COOKIE, "", max_age=0, expires=0, path="/", secure=secure, httponly=True,
                       samesite="Strict")
