"""Use cases of information submissions and scoring (信息报送考核)."""
import datetime

from contracts.events import news as events
from kernel.errors import Forbidden, NotFound, Unprocessable, ValidationFailed
from kernel.errors import Conflict
from services.news import domain


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def list_towns(uow):
    with uow:
        rows = uow.submissions.towns()
    return {"items": [{"code": r["code"], "name": r["name"], "account": f"town-{r['code']}"} for r in rows],
            "total": len(rows)}


def _view(row, adoptions, town_name=None):
    return {"id": row["id"], "town": row["town_code"], "town_name": town_name, "title": row["title"],
            "body": row["body"], "kind": row["kind"], "submitted_by": row["submitted_by"],
            "submitted_at": _iso(row["submitted_at"]),
            "adoptions": [{"id": a["id"], "level": a["level"], "channel": a["channel"],
                           "adopted_on": _iso(a["adopted_on"]), "link": a["link"],
                           "leader_comment": a["leader_comment"], "recorded_by": a["recorded_by"]}
                          for a in adoptions]}


def submit(command, actor, uow, at=None):
    """A town's reporter submits a piece (a town account submits for its own town only;
    staff may submit on a town's behalf with ``town``)."""
    role = actor.get("role")
    if role == "town":
        town_code = actor.get("subject")
        if command.get("town") and command["town"] != town_code:
            raise Forbidden("a town submits for itself", {"town": command["town"]})
    elif role in ("staff", "admin"):
        town_code = command.get("town")
        if not town_code:
            raise ValidationFailed("invalid input", {"town": ["required when staff submit on a town's behalf"]})
    else:
        raise Forbidden(f"role {role} may not submit information pieces", {"required_roles": ["town", "staff"]})
    with uow:
        town = uow.submissions.town(town_code)
        if town is None:
            raise Unprocessable(f"no town {town_code}", {"town": [f"no town {town_code}"]})
        row = uow.submissions.add(town_code, command["title"].strip(), command["body"].strip(), command["kind"],
                                  actor["username"], at=at)
        uow.commit()
    return _view(row, [], town["name"])


def adopt(submission_id, command, actor, uow):
    with uow:
        row = uow.submissions.get(submission_id, for_update=True)
        if row is None:
            raise NotFound(f"submission {submission_id} not found", {"id": submission_id})
        uow.submissions.add_adoption(submission_id, command, actor["username"])
        uow.emit(events.SUBMISSION_ADOPTED, {"submission_id": submission_id, "town": row["town_code"],
                                             "level": command["level"], "adopted_on": _iso(command["adopted_on"])},
                 aggregate_id=submission_id)
        adoptions = uow.submissions.adoptions([submission_id])
        uow.commit()
    return _view(row, adoptions)


def list_submissions(query, actor, uow):
    town = query.get("town")
    if actor.get("role") == "town":
        town = actor.get("subject")
    start = end = None
    if query.get("year"):
        if query.get("quarter"):
            start, end = domain.quarter_bounds(query["year"], query["quarter"])
        else:
            start, end = datetime.date(query["year"], 1, 1), datetime.date(query["year"] + 1, 1, 1)
    with uow:
        rows, total = uow.submissions.list(town, start, end, query.get("limit", 50), query.get("offset", 0))
        adoptions = uow.submissions.adoptions([r["id"] for r in rows]) if rows else []
        names = {t["code"]: t["name"] for t in uow.submissions.towns()}
    return {"items": [_view(r, [a for a in adoptions if a["submission_id"] == r["id"]], names.get(r["town_code"]))
                      for r in rows], "total": total}


def rules_for(year, uow):
    row = uow.submissions.scheme(year)
    return (row["rules"], row["updated_at"]) if row else (domain.DEFAULT_RULES, None)


def get_scheme(year, uow):
    with uow:
        rules, updated_at = rules_for(year, uow)
    return {"year": year, "rules": rules, "default": updated_at is None}


def put_scheme(year, rules, actor, uow):
    problems = domain.check_rules(rules)
    if problems:
        raise ValidationFailed("invalid input", problems)
    with uow:
        uow.submissions.put_scheme(year, rules, actor["username"])
        uow.commit()
    return {"year": year, "rules": rules, "default": False}


def scores(year, quarter, uow):
    start, end = domain.quarter_bounds(year, quarter)
    with uow:
        rules, _ = rules_for(year, uow)
        towns = uow.submissions.towns()
        rows, _ = uow.submissions.list(None, start, end, limit=100000)
        adoptions = uow.submissions.adoptions([r["id"] for r in rows]) if rows else []
    by_piece = {}
    for adoption in adoptions:
        by_piece.setdefault(adoption["submission_id"], []).append(adoption)
    pieces = [{"town_code": r["town_code"], "kind": r["kind"], "adoptions": by_piece.get(r["id"], [])} for r in rows]
    return {"year": year, "quarter": quarter, "rules": rules, "items": domain.rank_towns(towns, pieces, rules)}


def report_draft(year, quarter, actor, uow_factory):
    """The quarter's 通报 as a draft article in 各镇人大 for editors to finish (never published
    by itself); made once per quarter (409 the second time, naming the draft)."""
    from services.news import handlers
    answer = scores(year, quarter, uow_factory())
    rows = "".join(
        f"<tr><td>{r['rank']}</td><td>{r['name']}</td><td>{r['points']}</td><td>{r['pieces']}</td>"
        f"<td>{r['adopted']}</td><td>{'是' if r['quota_met'] else '否'}</td></tr>" for r in answer["items"])
    under = [r["name"] for r in answer["items"] if not r["quota_met"]]
    body = (f"<p>现将{year}年第{quarter}季度各镇人大信息报送情况通报如下：</p>"
            "<table><thead><tr><th>名次</th><th>镇</th><th>得分</th><th>报送篇数</th><th>采用篇数</th><th>完成任务</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            + (f"<p>未完成季度报送任务（{answer['rules']['quarterly_quota']}篇）的镇：{'、'.join(under)}。</p>" if under
               else "<p>各镇均完成季度报送任务。</p>"))
    article_id = handlers.create_article(
        {"column": "towns", "title": f"关于{year}年第{quarter}季度各镇人大信息报送情况的通报", "body": body,
         "source": "县人大常委会办公室"}, actor, uow_factory(), origin=f"town-report:{year}-Q{quarter}")
    if article_id is None:
        raise Conflict("this quarter's report draft exists already", {"year": year, "quarter": quarter})
    return handlers.article_view(article_id, uow_factory())
