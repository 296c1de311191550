"""The suggestion service owns the departments at run time (issue 14 §4): staff add and change
them (handlers.save_department), a new one is provisioned on the broker before it commits,
and every change reaches the other services as ``department_saved``."""
import pytest

from kernel.errors import Forbidden, ServiceUnavailable, Unprocessable
from kernel.testing import FakeUnitOfWork
from services.suggestion import handlers

STAFF = {"role": "staff", "subject": None, "username": "staff"}


class FakeDepartments:
    def __init__(self):
        self.rows = {"edu": {"code": "edu", "name": "宁陕县教育体育和科技局", "short_name": "教育局",
                             "keywords": [], "active": True, "version": 1}}

    def get(self, code, for_update=False):
        return self.rows.get(code)

    def save(self, code, name, short_name, active):
        before = self.rows.get(code)
        self.rows[code] = {"code": code, "name": name, "short_name": short_name, "keywords": [], "active": active,
                           "version": before["version"] + 1 if before else 1}
        return self.rows[code]


class Provisioner:
    def __init__(self, fails=False):
        self.calls, self.fails = [], fails

    def __call__(self, code):
        self.calls.append(code)
        if self.fails:
            raise ServiceUnavailable("the department's queue could not be provisioned", {"reason": "test"})


def save(code, command, actor=STAFF, provision=None):
    uow = FakeUnitOfWork(departments=FakeDepartments())
    provision = provision or Provisioner()
    result = handlers.save_department(code, command, actor, uow, provision)
    return result, uow, provision


def test_a_new_department_is_provisioned_then_saved_and_announced():
    (department, created), uow, provision = save("grain", {"name": "宁陕县粮食和物资储备局", "short_name": "粮储局"})
    assert created and provision.calls == ["grain"]
    assert uow.published[0]["type"] == "department_saved"
    assert uow.published[0]["data"] == {"code": "grain", "name": "宁陕县粮食和物资储备局", "short_name": "粮储局",
                                        "active": True, "version": 1}
    assert department["version"] == 1


def test_a_change_is_announced_with_a_higher_version_and_provisions_nothing():
    (department, created), uow, provision = save("edu", {"name": "宁陕县教育局", "short_name": "教育局", "active": False})
    assert not created and provision.calls == []
    assert [(e["data"]["version"], e["data"]["active"]) for e in uow.published] == [(2, False)]


def test_saving_what_is_stored_already_announces_nothing():
    (department, created), uow, provision = save("edu", {"name": "宁陕县教育体育和科技局", "short_name": "教育局"})
    assert not created and uow.published == [] and uow.commits == 0 and department["version"] == 1


def test_a_department_the_broker_could_not_provision_is_not_saved():
    uow = FakeUnitOfWork(departments=FakeDepartments())
    with pytest.raises(ServiceUnavailable):
        handlers.save_department("grain", {"name": "粮储局"}, STAFF, uow, Provisioner(fails=True))
    assert "grain" not in uow.departments.rows and uow.published == [] and uow.commits == 0


@pytest.mark.parametrize("code, command, field", [
    ("Grain", {"name": "粮储局"}, "code"),
    ("9grain", {"name": "粮储局"}, "code"),
    ("grain", {"name": "   "}, "name"),
])
def test_bad_codes_and_blank_names_are_refused_by_field(code, command, field):
    with pytest.raises(Unprocessable) as info:
        save(code, command)
    assert list(info.value.details) == [field]


def test_only_staff_keep_the_department_list():
    with pytest.raises(Forbidden):
        save("grain", {"name": "粮储局"}, actor={"role": "department", "subject": "edu", "username": "dept-edu"})
