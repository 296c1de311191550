"""kernel.sqlwhere: the optional filters of a list query."""
from kernel.sqlwhere import Where


def test_filters_left_out_add_nothing():
    where = Where().equal(("status", None), ("town", ""), ("level", "county")).add_if(False, "published")
    assert (str(where), where.params) == (" WHERE level = %s", ["county"])


def test_fixed_conditions_come_first_and_parameters_keep_their_order():
    where = (Where("department = %s", params=["edu"]).add_if(2026, "year BETWEEN %s AND %s", 2026, 2027)
             .equal(("kind", "inspection")).add_if(True, "published"))
    assert where.clause == "department = %s AND year BETWEEN %s AND %s AND kind = %s AND published"
    assert where.params == ["edu", 2026, 2027, "inspection"]


def test_no_condition_reads_everything():
    assert (Where().clause, str(Where()), Where().params) == ("TRUE", " WHERE TRUE", [])
