"""The deputy's profile (mobile story 8) relies on the server, not the page, to keep contact
data private: every answer that carries a deputy — the profile, the list, the dashboard the
home page reads — gives phone and email to the deputy themself and staff only."""
import pytest


@pytest.mark.parametrize("as_user, sees_contact", [
    ("D0003", True),      # the deputy themself
    ("staff", True),
    (None, False),        # the public
    ("D0004", False),     # another deputy
    ("dept-edu", False),  # a department
])
def test_the_dashboard_carries_contact_data_for_the_deputy_and_staff_only(client, as_user, sees_contact):
    response = client.get("/api/v1/deputies/D0003/dashboard", as_user=as_user)
    assert response.status_code == 200, response.text
    deputy = response.json()["deputy"]
    assert deputy["id"] == "D0003" and deputy["name"]
    assert ("phone" in deputy) == sees_contact and ("email" in deputy) == sees_contact
    if sees_contact:
        assert deputy["phone"].startswith("1") and len(deputy["phone"]) == 11


def test_the_public_profile_is_the_deputys_own_without_contact(client):
    """What the profile page shows as 'seen by the public' is the anonymous answer: the
    deputy's own answer minus exactly phone and email (nothing else differs)."""
    own = client.get("/api/v1/deputies/D0003", as_user="D0003").json()
    public = client.get("/api/v1/deputies/D0003").json()
    assert set(own) - set(public) == {"phone", "email"}
    assert public == {key: value for key, value in own.items() if key not in ("phone", "email")}
