"""Use cases of the news service: functions of (command, uow)."""
import datetime
import logging

from contracts.events import news as events
from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from services.news import domain, search
from services.news.domain import RuleViolation
from services.news.sanitize import clean_html

log = logging.getLogger(__name__)
_ERRORS = {"conflict": Conflict, "forbidden": Forbidden, "unprocessable": Unprocessable}


def _raise(violation):
    raise _ERRORS[violation.kind](violation.message, violation.details) from violation


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _role(actor):
    return (actor or {}).get("role") or "public"


# -- columns ----------------------------------------------------------------------------------------
def _column_view(row):
    return {"id": row["id"], "slug": row["slug"], "name": row["name"], "parent_id": row["parent_id"],
            "position": row["position"], "description": row["description"]}


def column_tree(rows):
    views = {r["id"]: {**_column_view(r), "children": []} for r in rows}
    roots = []
    for row in rows:
        view = views[row["id"]]
        parent = views.get(row["parent_id"])
        (parent["children"] if parent else roots).append(view)
    return roots


def list_columns(uow):
    with uow:
        rows = uow.columns.all()
    return {"items": column_tree(rows), "total": len(rows)}


def _column_or_404(uow, slug):
    column = uow.columns.get(slug=slug)
    if column is None:
        raise NotFound(f"no column {slug}", {"column": slug})
    return column


def _referenced_column(uow, slug, field):
    """A column named in a body: unknown is 422 naming the field (the request itself was fine)."""
    column = uow.columns.get(slug=slug)
    if column is None:
        raise Unprocessable(f"no column {slug}", {field: [f"no column {slug}"]})
    return column


def create_column(command, uow):
    with uow:
        parent_id = None
        if command.get("parent"):
            parent_id = _referenced_column(uow, command["parent"], "parent")["id"]
        row = uow.columns.add(command["slug"], command["name"], parent_id, command.get("position", 0),
                              command.get("description", ""))
        if row is None:
            raise Conflict(f"column {command['slug']} exists", {"slug": command["slug"]})
        uow.commit()
    return _column_view(row)


def update_column(slug, command, uow):
    with uow:
        column = _column_or_404(uow, slug)
        changes = {k: command[k] for k in ("name", "position", "description") if k in command}
        if "parent" in command:
            if command["parent"] is None:
                changes["parent_id"] = None
            else:
                parent = _referenced_column(uow, command["parent"], "parent")
                if column["id"] in uow.columns.ancestors(parent["id"]):
                    raise Unprocessable("a column cannot move under itself", {"parent": [command["parent"]]})
                changes["parent_id"] = parent["id"]
        row = uow.columns.update(column["id"], changes) if changes else column
        uow.commit()
    return _column_view(row)


# -- articles (editorial) ---------------------------------------------------------------------------
def _content(command):
    body = clean_html(command["body"])
    if not search.plain_text(body).strip() and "<img" not in body:
        raise ValidationFailed("invalid input", {"body": ["empty after removing what is not allowed"]})
    return {"title": command["title"].strip(), "summary": (command.get("summary") or "").strip(),
            "source": (command.get("source") or "").strip(), "cover": command.get("cover"), "body": body}


def _article_or_404(uow, article_id, for_update=False):
    article = uow.articles.get(article_id, for_update=for_update)
    if article is None:
        raise NotFound(f"article {article_id} not found", {"id": article_id})
    return article


def _may_write(actor, article=None):
    role = _role(actor)
    if role not in domain.EDITOR_ROLES:
        raise Forbidden(f"role {role} may not write articles", {"required_roles": list(domain.EDITOR_ROLES)})


def create_article(command, actor, uow, origin=None, at=None, claim=None):
    """A new draft (version 1); returns its id (None when ``origin`` already made one, or the
    event ``claim`` = (consumer, event_id) was handled before)."""
    if origin is None:
        _may_write(actor)
    content = _content(command)
    with uow:
        if claim is not None and not uow.claim_event(*claim):
            return None
        column = _referenced_column(uow, command["column"], "column")
        if command.get("slug") and uow.articles.slug_taken(command["slug"]):
            raise Conflict(f"slug {command['slug']} is taken", {"slug": command["slug"]})
        article_id = uow.articles.create(column["id"], actor["username"], origin=origin, slug=command.get("slug"),
                                         at=at)
        if article_id is None:
            return None
        uow.articles.put_version(article_id, 1, content, actor["username"])
        uow.articles.step(article_id, "create", 1, actor, at=at)
        uow.commit()
    return article_id


def edit_article(article_id, command, actor, uow):
    _may_write(actor)
    content = _content(command)
    with uow:
        article = _article_or_404(uow, article_id, for_update=True)
        if command.get("expected_version") is not None and command["expected_version"] != article["version"]:
            raise Conflict("the article changed meanwhile", {"version": article["version"]})
        changes = {}
        if command.get("column"):
            changes["column_id"] = _referenced_column(uow, command["column"], "column")["id"]
        if command.get("slug") and command["slug"] != article["slug"]:
            if article["live_version"] is not None:
                raise Conflict("the slug of an article on the portal is its address: it does not change",
                               {"slug": article["slug"]})
            if uow.articles.slug_taken(command["slug"], article_id):
                raise Conflict(f"slug {command['slug']} is taken", {"slug": command["slug"]})
            changes["slug"] = command["slug"]
        version = article["version"]
        if domain.edit_effect(article["status"]) == "new_version":
            version += 1
            changes.update(status="draft", version=version, publish_at=None)
        uow.articles.put_version(article_id, version, content, actor["username"])
        uow.articles.update(article_id, **changes)
        uow.articles.step(article_id, "edit", version, actor)
        uow.commit()
    return article_id


def act(article_id, action, command, actor, uow, now=None):
    """submit | reject | approve | publish | withdraw, as the workflow allows."""
    now = now or _now()
    with uow:
        article = _article_or_404(uow, article_id, for_update=True)
        try:
            domain.check_action(action, _role(actor), article["status"], article["live_version"])
        except RuleViolation as violation:
            _raise(violation)
        version = article["version"]
        note = command.get("reason")
        if action == "submit":
            uow.articles.update(article_id, status="submitted")
        elif action == "reject":
            uow.articles.update(article_id, status="draft")
        elif action == "approve":
            uow.articles.approve_version(article_id, version, actor["username"])
            uow.articles.update(article_id, status="approved")
        elif action == "publish":
            target, moment = domain.publish_target(command.get("publish_at"), now)
            if target == "scheduled":
                uow.articles.update(article_id, status="scheduled", publish_at=moment)
                uow.articles.step(article_id, "schedule", version, actor, note=_iso(moment), at=now)
                uow.commit()
                return article_id
            _publish(uow, article, moment, scheduled=False)
        elif action == "withdraw":
            uow.articles.update(article_id, status="withdrawn", withdrawn_reason=note, live_version=None,
                                publish_at=None)
            uow.articles.remove_public(article_id)
            column = uow.columns.get(article["column_id"])
            uow.emit(events.ARTICLE_WITHDRAWN, {"article_id": article_id, "slug": article["slug"],
                                                "column": column["slug"], "reason": note}, aggregate_id=article_id)
        uow.articles.step(article_id, action, version, actor, note=note, at=now)
        uow.commit()
    return article_id


def _publish(uow, article, moment, scheduled):
    content = uow.articles.version(article["id"], article["version"])
    uow.articles.make_public(article, content, moment)
    first = article["first_published_at"] or moment
    uow.articles.update(article["id"], status="published", live_version=article["version"], publish_at=None,
                        first_published_at=first, withdrawn_reason=None)
    column = uow.columns.get(article["column_id"])
    uow.emit(events.ARTICLE_PUBLISHED, {
        "article_id": article["id"], "slug": article["slug"], "column": column["slug"], "title": content["title"],
        "version": article["version"], "published_at": _iso(moment), "scheduled": scheduled},
        aggregate_id=article["id"])


SYSTEM = {"username": "scheduler", "role": "system"}


def publish_due(uow, limit=100, on_claimed=None):
    """Publish every scheduled article whose moment has come, in ONE transaction: the rows
    are claimed with ``FOR UPDATE SKIP LOCKED`` so two news processes never publish the same
    article twice, and the outbox event commits with the state. The publication time is the
    scheduled moment, not when the timer happened to run. Returns how many were published."""
    with uow:
        due = uow.articles.claim_due(limit)
        if on_claimed is not None:
            on_claimed(due)
        for article in due:
            _publish(uow, article, article["publish_at"], scheduled=True)
            uow.articles.step(article["id"], "auto_publish", article["version"], SYSTEM)
        uow.commit()
    return len(due)


def article_view(article_id, uow):
    with uow:
        article = _article_or_404(uow, article_id)
        content = uow.articles.version(article_id, article["version"])
        column = uow.columns.get(article["column_id"])
        versions = uow.articles.versions(article_id)
        steps = uow.articles.steps(article_id)
    return {"id": article["id"], "column": column["slug"], "column_name": column["name"], "slug": article["slug"],
            "status": article["status"], "version": article["version"], "live_version": article["live_version"],
            "author": article["author"], "publish_at": _iso(article["publish_at"]),
            "first_published_at": _iso(article["first_published_at"]),
            "withdrawn_reason": article["withdrawn_reason"], "created_at": _iso(article["created_at"]),
            "updated_at": _iso(article["updated_at"]),
            "title": content["title"], "summary": content["summary"], "source": content["source"],
            "cover": content["cover"], "body": content["body"],
            "versions": [{k: _iso(v) for k, v in row.items()} for row in versions],
            "steps": [{k: _iso(v) for k, v in row.items()} for row in steps]}


def list_articles_for_editors(query, uow):
    with uow:
        column_ids = None
        if query.get("column"):
            column_ids = [_column_or_404(uow, query["column"])["id"]]
        rows, total = uow.articles.list(query.get("status"), column_ids, query.get("author"),
                                        query.get("limit", 20), query.get("offset", 0))
    return {"items": [{"id": r["id"], "title": r["title"], "column": None, "column_name": r["column_name"],
                       "slug": r["slug"], "status": r["status"], "version": r["version"],
                       "live_version": r["live_version"], "author": r["author"], "publish_at": _iso(r["publish_at"]),
                       "updated_at": _iso(r["updated_at"])} for r in rows], "total": total}


# -- the public portal -------------------------------------------------------------------------------
def _public_item(row, columns):
    column = columns.get(row["column_id"], {})
    return {"id": row["article_id"], "slug": row["slug"], "column": column.get("slug"),
            "column_name": column.get("name"), "title": row["title"], "summary": row["summary"],
            "source": row["source"], "cover": row["cover"], "version": row["version"],
            "published_at": _iso(row["published_at"]), "updated_at": _iso(row["updated_at"])}


def _subtree(rows, column_id):
    ids, frontier = [], [column_id]
    while frontier:
        ids += frontier
        frontier = [r["id"] for r in rows if r["parent_id"] in frontier]
    return ids


def public_articles(query, uow):
    """Published articles: latest first, or ranked by relevance when ``q`` is given; ``column``
    includes its sub-columns."""
    limit, offset = query.get("limit", 20), query.get("offset", 0)
    with uow:
        rows = uow.columns.all()
        columns = {r["id"]: r for r in rows}
        column_ids = None
        column = None
        if query.get("column"):
            column = next((r for r in rows if r["slug"] == query["column"]), None)
            if column is None:
                raise NotFound(f"no column {query['column']}", {"column": query["column"]})
            column_ids = _subtree(rows, column["id"])
        q = (query.get("q") or "").strip()
        if q:
            tsquery = search.query(q)
            if tsquery is None:
                items, total = [], 0
            else:
                items, total = uow.public.search(tsquery, column_ids, limit, offset)
        else:
            items, total = uow.public.latest(column_ids, limit, offset, with_cover=bool(query.get("with_cover")))
    return {"items": [_public_item(r, columns) for r in items], "total": total,
            "column": _column_view(column) if column else None}


def public_feed(column_slug, limit, uow):
    """The newest published articles with their bodies (for Atom), of a column and its
    sub-columns or of the whole site."""
    with uow:
        rows = uow.columns.all()
        columns = {r["id"]: r for r in rows}
        column = None
        column_ids = None
        if column_slug:
            column = next((r for r in rows if r["slug"] == column_slug), None)
            if column is None:
                raise NotFound(f"no column {column_slug}", {"column": column_slug})
            column_ids = _subtree(rows, column["id"])
        items, _ = uow.public.latest(column_ids, limit, with_body=True)
    return {"column": _column_view(column) if column else None,
            "items": [{**_public_item(r, columns), "body": r["body"]} for r in items]}


def public_home(uow, per_column=6):
    with uow:
        rows = uow.columns.all()
        columns = {r["id"]: r for r in rows}
        latest, _ = uow.public.latest(None, 8)
        pictures, _ = uow.public.latest(None, 4, with_cover=True)
        per = uow.public.latest_per_column(per_column)
    sections = []
    for row in rows:
        items = [_public_item(p, columns) for p in per if p["column_id"] == row["id"]]
        if items:
            sections.append({"column": _column_view(row), "items": items})
    return {"columns": column_tree(rows), "latest": [_public_item(r, columns) for r in latest],
            "pictures": [_public_item(r, columns) for r in pictures], "sections": sections}


def public_article(key, uow):
    """By id (digits) or slug; 404 unless published."""
    with uow:
        row = uow.public.get(article_id=int(key)) if str(key).isdigit() else uow.public.get(slug=str(key))
        if row is None:
            raise NotFound("no such article on the portal", {"article": key})
        rows = uow.columns.all()
    columns = {r["id"]: r for r in rows}
    return {**_public_item(row, columns), "body": row["body"], "columns": column_tree(rows)}


def sitemap(uow):
    with uow:
        rows = uow.public.sitemap()
        columns = uow.columns.all()
    return {"articles": [{"slug": r["slug"], "updated_at": _iso(r["updated_at"])} for r in rows],
            "columns": [{"slug": c["slug"], "updated_at": _iso(c["updated_at"])} for c in columns]}


# -- drafts from other services' events (never published without an editor) -------------------------
def draft_from_vote(envelope, uow, consumer):
    data = envelope["data"]
    result = data.get("result") or {}
    title = f"常委会会议表决：{data.get('title', '')}" + ("获得通过" if result.get("passed") else "未获通过")
    rows = "".join(f"<tr><th scope=\"row\">{label}</th><td>{result.get(key, '')}</td></tr>" for key, label in (
        ("expected", "应到"), ("present", "实到"), ("yes", "赞成"), ("no", "反对"), ("abstain", "弃权"),
        ("not_voted", "未按"), ("threshold", "通过所需票数")))
    body = (f"<p>会议对《{data.get('title', '')}》进行了表决，结果如下：</p><table><tbody>{rows}</tbody></table>"
            f"<p>表决结果：{'通过' if result.get('passed') else '未通过'}。</p>")
    return create_article({"column": "standing-committee", "title": title[:200], "body": body,
                           "source": "常委会办公室"}, {"username": "system", "role": "system"}, uow,
                          origin=f"vote_closed:{data.get('meeting_id')}:{data.get('item_id')}",
                          claim=(consumer, envelope["event_id"]))


MEETING_COLUMNS = {"standing_committee": "standing-committee", "chairpersons": "council", "plenary": "headlines"}


def _beijing_day(value):
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    moment = moment.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    return f"{moment.year}年{moment.month}月{moment.day}日"


def draft_from_meeting(envelope, uow, consumer):
    """``meeting_ended`` → a draft "<meeting title>召开" with the date and attendance, in the
    column of the meeting's kind, for an editor to add what was discussed (never published by
    itself). Once per meeting (origin) and once per event (claim)."""
    data = envelope["data"]
    title = (data.get("title") or "会议").strip()
    counts = data.get("counts") or {}
    body = (f"<p>{_beijing_day(data.get('starts_at'))}，{title}召开。会议应出席{data.get('expected', 0)}人，"
            f"实到{counts.get('present', 0)}人，请假{counts.get('leave', 0)}人，缺席{counts.get('absent', 0)}人。</p>"
            "<p>（会议议程、审议和表决情况请编辑补充。）</p>")
    return create_article({"column": MEETING_COLUMNS.get(data.get("kind"), "headlines"), "title": f"{title}召开"[:200],
                           "body": body, "source": "常委会办公室"}, {"username": "system", "role": "system"}, uow,
                          origin=f"meeting_ended:{data.get('meeting_id')}", claim=(consumer, envelope["event_id"]))


def _percent(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _suggestion_report(year, quarter, statistics):
    """The draft's fields for a quarter's statistics (by department, as of ``statistics['today']``)."""
    totals = statistics["totals"]
    rows = "".join(
        f"<tr><td>{r['label']}</td><td>{r['assigned']}</td><td>{r['replied']}</td><td>{_percent(r['reply_rate'])}</td>"
        f"<td>{r['closed']}</td><td>{_percent(r['satisfaction_rate'])}</td><td>{r['overdue']}</td></tr>"
        for r in statistics["rows"])
    body = (f"<p>截至{_beijing_day(statistics['today'] + 'T12:00:00+08:00')}，代表建议共交办承办单位{totals['assigned']}件次，"
            f"已答复{totals['replied']}件次（办复率{_percent(totals['reply_rate'])}），已办结{totals['closed']}件次"
            f"（办结率{_percent(totals['close_rate'])}），代表满意率{_percent(totals['satisfaction_rate'])}，"
            f"逾期未办复{totals['overdue']}件次。各承办单位办理情况如下：</p>"
            "<table><thead><tr><th>承办单位</th><th>交办</th><th>已答复</th><th>办复率</th><th>已办结</th><th>满意率</th>"
            f"<th>逾期</th></tr></thead><tbody>{rows}</tbody></table>")
    return {"column": "suggestions", "title": f"{year}年第{quarter}季度代表建议办理情况", "body": body,
            "source": "县人大常委会选任联工委"}


def _suggestion_report_origin(year, quarter):
    """One draft per quarter, whether staff asked for it or the quarter's event made it."""
    return f"suggestion-report:{year}-Q{quarter}"


def suggestion_report_draft(year, quarter, statistics, actor, uow_factory):
    """Staff action: the quarter's suggestion-handling figures as a draft in 建议办理 for
    editors; once per quarter (409 the second time, also after the quarter's event made it)."""
    article_id = create_article(_suggestion_report(year, quarter, statistics), actor, uow_factory(),
                                origin=_suggestion_report_origin(year, quarter))
    if article_id is None:
        raise Conflict("this quarter's suggestion report draft exists already", {"year": year, "quarter": quarter})
    return article_view(article_id, uow_factory())


def draft_from_suggestion_quarter(envelope, uow, consumer):
    """``suggestion_quarter_closed`` → the same draft as the staff action (never published by
    itself). Once per quarter (origin, shared with the staff action) and once per event (claim);
    None when either made it before."""
    data = envelope["data"]
    return create_article(_suggestion_report(data["year"], data["quarter"], data["statistics"]),
                          {"username": "system", "role": "system"}, uow,
                          origin=_suggestion_report_origin(data["year"], data["quarter"]),
                          claim=(consumer, envelope["event_id"]))
