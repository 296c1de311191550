"""Suggestion statistics arithmetic (services/suggestion/stats_domain.py) and its CSV form —
pure functions over counts. (Named test_notification* with the deputies' notifications:
one helper owns both.)"""
import csv
import datetime
import io

from gateway.statistics import csv_response
from services.suggestion import stats_domain as sd


def counts(**values):
    return {name: values.get(name, 0) for name in sd.COUNT_FIELDS + sd.SUM_FIELDS}


def test_rates_follow_the_definitions_with_four_places():
    figures = sd.rates(counts(assigned=3, replied=2, closed=1, evaluated=3, satisfied=1, basically_satisfied=1,
                              unsatisfied=1, replies_a=1, replies_b=1, replies_c=1, reply_days_sum=25))
    assert figures == {"reply_rate": 0.6667, "close_rate": 0.3333, "satisfaction_rate": 0.6667,
                       "share_a": 0.3333, "share_b": 0.3333, "share_c": 0.3333, "avg_days_to_reply": 12.5}


def test_basically_satisfied_counts_as_satisfied():
    assert sd.rates(counts(evaluated=4, basically_satisfied=1))["satisfaction_rate"] == 0.25
    assert sd.rates(counts(evaluated=4, satisfied=2, basically_satisfied=1, unsatisfied=1))[
        "satisfaction_rate"] == 0.75


def test_a_zero_denominator_gives_none_not_zero():
    figures = sd.rates(counts())
    assert set(figures.values()) == {None}
    assert sd.rates(counts(assigned=2))["reply_rate"] == 0.0


def test_rounding_is_half_up():
    assert sd.ratio(1, 8) == 0.125
    assert sd.ratio(5, 80000) == 0.0001  # 0.0000625 rounds up, not to even
    assert sd.ratio(2, 3) == 0.6667 and sd.ratio(1, 3) == 0.3333
    assert sd.ratio(3, 9, sd.ONE_PLACE) == 0.3


def test_totals_are_rates_of_summed_counts_not_averages_of_rates():
    groups = [dict(counts(assigned=1, replied=1, reply_days_sum=10), group="a", label="甲"),
              dict(counts(assigned=3, replied=0), group="b", label="乙")]
    answer = sd.report("department", groups, {"term": 19})
    assert [r["reply_rate"] for r in answer["rows"]] == [1.0, 0.0]
    total = answer["totals"]
    assert (total["group"], total["assigned"], total["replied"], total["reply_rate"]) == ("total", 4, 1, 0.25)
    assert total["avg_days_to_reply"] == 10.0
    assert answer["filters"] == {"term": 19} and "reply_days_sum" not in total


def test_labels_of_terms_and_sessions():
    assert sd.term_label(19) == "第19届"
    assert sd.session_label(19, 3) == "第19届第3次会议期间" and sd.session_label(19, None) == "第19届闭会期间"


def test_csv_has_a_bom_a_header_and_a_totals_row_and_quotes_formulas():
    groups = [dict(counts(assigned=3, replied=2, reply_days_sum=9), group="edu", label="教育局"),
              dict(counts(), group="x", label="=HYPERLINK(\"evil\")")]
    answer = sd.report("department", groups)
    response = csv_response(answer)
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf") and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="suggestion-stats-department.csv"'
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = records[0]
    assert header[:3] == ["分组(group)", "名称(label)", "建议数(suggestions)"] and "办复率(reply_rate)" in header
    assert len(records) == 4 and records[-1][:2] == ["total", "合计"]
    edu = dict(zip(header, records[1]))
    assert edu["办复率(reply_rate)"] == "0.6667" and edu["平均答复天数(avg_days_to_reply)"] == "4.5"
    assert edu["满意率(satisfaction_rate)"] == ""  # nothing evaluated: no rate, not 0
    assert records[2][1] == "'=HYPERLINK(\"evil\")"


def test_xlsx_has_the_csv_columns_numbers_as_numbers_and_formulas_as_text():
    import openpyxl

    from gateway.statistics import xlsx_response
    groups = [dict(counts(assigned=3, replied=2, reply_days_sum=9), group="edu", label="教育局"),
              dict(counts(), group="x", label="=HYPERLINK(\"evil\")")]
    response = xlsx_response(sd.report("category", groups, {"term": 19}))
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="suggestion-stats-category-term19.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "按类别" and rows[0][:3] == ("分组", "名称", "建议数") and len(rows) == 4
    header = list(rows[0])
    edu = dict(zip(header, rows[1]))
    assert edu["交办数"] == 3 and abs(edu["办复率"] - 0.6667) < 1e-9 and edu["平均答复天数"] == 4.5
    assert edu["满意率"] is None                                           # nothing evaluated: empty, not 0
    assert sheet.cell(row=2, column=header.index("办复率") + 1).number_format == "0.00%"
    evil = sheet.cell(row=3, column=2)
    assert evil.value == "=HYPERLINK(\"evil\")" and evil.data_type == "s"   # text, never run as a formula
    assert rows[-1][:2] == ("total", "合计") and sheet.cell(row=4, column=1).font.b


def test_the_last_ended_quarter_is_the_one_before_todays():
    assert sd.last_ended_quarter(datetime.date(2026, 12, 31)) == (2026, 3)
    assert sd.last_ended_quarter(datetime.date(2026, 10, 1)) == (2026, 3)
    assert sd.last_ended_quarter(datetime.date(2027, 1, 1)) == (2026, 4)
    assert sd.last_ended_quarter(datetime.date(2027, 4, 1)) == (2027, 1)
