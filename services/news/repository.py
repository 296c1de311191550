"""SQL of the news schema (columns, articles, versions, steps, the public read model, towns,
submissions, adoptions, scoring schemes)."""
from psycopg.types.json import Jsonb

from kernel.rows import fetch_dict as _dict, fetch_dicts as _dicts
from kernel.sqlwhere import Where
from services.news import search
from services.news.domain import default_slug

ARTICLE = ("id", "column_id", "slug", "status", "version", "live_version", "author", "publish_at",
           "first_published_at", "withdrawn_reason", "origin", "created_at", "updated_at")
VERSION = ("title", "summary", "source", "cover", "body", "created_by", "created_at", "approved_by", "approved_at")
SEARCH_CANDIDATES = 200       # matches given the exact rank (PublicRepository.search)
PUBLIC = ("article_id", "column_id", "slug", "version", "title", "summary", "source", "cover", "published_at",
          "updated_at")


class ColumnRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def all(self):
        self.cursor.execute("SELECT id, slug, name, parent_id, position, description, updated_at FROM columns "
                            "ORDER BY position, id")
        return _dicts(self.cursor)

    def get(self, column_id=None, slug=None):
        if slug is not None:
            self.cursor.execute("SELECT * FROM columns WHERE slug = %s", (slug,))
        else:
            self.cursor.execute("SELECT * FROM columns WHERE id = %s", (column_id,))
        return _dict(self.cursor)

    def add(self, slug, name, parent_id, position, description):
        self.cursor.execute(
            "INSERT INTO columns (slug, name, parent_id, position, description) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (slug) DO NOTHING RETURNING *", (slug, name, parent_id, position, description))
        return _dict(self.cursor)

    def update(self, column_id, changes):
        sets = ", ".join(f"{name} = %s" for name in changes)
        self.cursor.execute(f"UPDATE columns SET {sets}, updated_at = now() WHERE id = %s RETURNING *",
                            (*changes.values(), column_id))
        return _dict(self.cursor)

    def ancestors(self, column_id):
        self.cursor.execute(
            "WITH RECURSIVE up AS (SELECT id, parent_id FROM columns WHERE id = %s "
            "UNION ALL SELECT c.id, c.parent_id FROM columns c JOIN up ON c.id = up.parent_id) SELECT id FROM up",
            (column_id,))
        return [r[0] for r in self.cursor.fetchall()]


class ArticleRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def create(self, column_id, author, origin=None, slug=None, at=None):
        """A new draft article; slug None = ``YYYYMMDD-<id>`` (Beijing date). None when
        ``origin`` already made one (drafts from events are made once)."""
        self.cursor.execute("SELECT nextval(pg_get_serial_sequence('articles', 'id')), COALESCE(%s::timestamptz, now())", (at,))
        article_id, created_at = self.cursor.fetchone()
        self.cursor.execute(
            "INSERT INTO articles (id, column_id, slug, status, author, origin, created_at, updated_at) "
            "VALUES (%s, %s, %s, 'draft', %s, %s, %s, %s) ON CONFLICT (origin) DO NOTHING RETURNING id",
            (article_id, column_id, slug or default_slug(article_id, created_at), author, origin, created_at,
             created_at))
        row = self.cursor.fetchone()
        return row[0] if row else None

    def slug_taken(self, slug, except_id=None):
        self.cursor.execute("SELECT 1 FROM articles WHERE slug = %s AND id IS DISTINCT FROM %s", (slug, except_id))
        return self.cursor.fetchone() is not None

    def get(self, article_id, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(ARTICLE) + " FROM articles WHERE id = %s"
                            + (" FOR UPDATE" if for_update else ""), (article_id,))
        return _dict(self.cursor)

    def update(self, article_id, **changes):
        sets = "".join(f"{name} = %s, " for name in changes)
        self.cursor.execute(f"UPDATE articles SET {sets}updated_at = now() WHERE id = %s",
                            (*changes.values(), article_id))

    def put_version(self, article_id, version, content, by):
        self.cursor.execute(
            "INSERT INTO article_versions (article_id, version, title, summary, source, cover, body, created_by) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (article_id, version) DO UPDATE SET "
            "title = EXCLUDED.title, summary = EXCLUDED.summary, source = EXCLUDED.source, cover = EXCLUDED.cover, "
            "body = EXCLUDED.body, created_by = EXCLUDED.created_by, created_at = now()",
            (article_id, version, content["title"], content.get("summary") or "", content.get("source") or "",
             content.get("cover"), content["body"], by))

    def version(self, article_id, version):
        self.cursor.execute("SELECT " + ", ".join(VERSION) + " FROM article_versions "
                            "WHERE article_id = %s AND version = %s", (article_id, version))
        return _dict(self.cursor)

    def versions(self, article_id):
        self.cursor.execute("SELECT version, title, created_by, created_at, approved_by, approved_at "
                            "FROM article_versions WHERE article_id = %s ORDER BY version", (article_id,))
        return _dicts(self.cursor)

    def approve_version(self, article_id, version, by):
        self.cursor.execute("UPDATE article_versions SET approved_by = %s, approved_at = now() "
                            "WHERE article_id = %s AND version = %s", (by, article_id, version))

    def step(self, article_id, action, version, actor, note=None, at=None):
        self.cursor.execute(
            "INSERT INTO article_steps (article_id, action, version, actor, role, note, at) "
            "VALUES (%s, %s, %s, %s, %s, %s, COALESCE(%s::timestamptz, now()))",
            (article_id, action, version, actor.get("username") or "system", actor.get("role") or "system", note, at))

    def steps(self, article_id):
        self.cursor.execute("SELECT action, version, actor, role, note, at FROM article_steps "
                            "WHERE article_id = %s ORDER BY id", (article_id,))
        return _dicts(self.cursor)

    def list(self, status=None, column_ids=None, author=None, limit=50, offset=0):
        where = Where().equal(("a.status", status), ("a.author", author))
        if column_ids:  # none given or empty: every column
            where.add("a.column_id = ANY(%s)", column_ids)
        clause, params = where.clause, where.params
        self.cursor.execute(f"SELECT count(*) FROM articles a WHERE {clause}", params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute(
            "SELECT " + ", ".join(f"a.{c}" for c in ARTICLE) + ", v.title, c.name AS column_name "
            "FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.version = a.version "
            f"JOIN columns c ON c.id = a.column_id WHERE {clause} "
            "ORDER BY a.updated_at DESC, a.id DESC LIMIT %s OFFSET %s", params + [limit, offset])
        return _dicts(self.cursor), total

    def claim_due(self, limit=100):
        """Scheduled articles whose moment has come, locked for this transaction; rows another
        process has locked are skipped (it is publishing them)."""
        self.cursor.execute(
            "SELECT " + ", ".join(ARTICLE) + " FROM articles WHERE status = 'scheduled' AND publish_at <= now() "
            "ORDER BY publish_at, id LIMIT %s FOR UPDATE SKIP LOCKED", (limit,))
        return _dicts(self.cursor)

    def next_due(self):
        self.cursor.execute("SELECT min(publish_at) FROM articles WHERE status = 'scheduled'")
        return self.cursor.fetchone()[0]

    # -- the public read model ----------------------------------------------------------------------
    def make_public(self, article, content, published_at):
        title_doc = search.document(content["title"])
        body_doc = search.document(content.get("summary", "") + " " + search.plain_text(content["body"]))
        self.cursor.execute(
            "INSERT INTO published (article_id, column_id, slug, version, title, summary, source, cover, body, "
            "published_at, updated_at, search) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now(), "
            "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')) "
            "ON CONFLICT (article_id) DO UPDATE SET column_id = EXCLUDED.column_id, slug = EXCLUDED.slug, "
            "version = EXCLUDED.version, title = EXCLUDED.title, summary = EXCLUDED.summary, "
            "source = EXCLUDED.source, cover = EXCLUDED.cover, body = EXCLUDED.body, updated_at = now(), "
            "search = EXCLUDED.search",
            (article["id"], article["column_id"], article["slug"], article["version"], content["title"],
             content.get("summary") or "", content.get("source") or "", content.get("cover"), content["body"],
             published_at, title_doc, body_doc))

    def remove_public(self, article_id):
        self.cursor.execute("DELETE FROM published WHERE article_id = %s", (article_id,))


class PublicRepository:
    """Reads of the portal: only what is published."""

    def __init__(self, cursor):
        self.cursor = cursor

    def latest(self, column_ids=None, limit=10, offset=0, with_cover=False, with_body=False):
        where = Where().add_if(with_cover, "cover IS NOT NULL")
        if column_ids is not None:  # an empty list: no column, no article
            where.add("column_id = ANY(%s)", column_ids)
        clause, params = where.clause, where.params
        self.cursor.execute(f"SELECT count(*) FROM published WHERE {clause}", params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT " + ", ".join(PUBLIC) + (", body" if with_body else "")
                            + f" FROM published WHERE {clause} "
                            "ORDER BY published_at DESC, article_id DESC LIMIT %s OFFSET %s",
                            params + [limit, offset])
        return _dicts(self.cursor), total

    def latest_per_column(self, per_column):
        self.cursor.execute(
            "SELECT " + ", ".join(f"p.{c}" for c in PUBLIC) + " FROM columns c CROSS JOIN LATERAL ("
            "  SELECT * FROM published WHERE column_id = c.id ORDER BY published_at DESC, article_id DESC LIMIT %s"
            ") p ORDER BY c.position, c.id, p.published_at DESC", (per_column,))
        return _dicts(self.cursor)

    def get(self, article_id=None, slug=None):
        if slug is not None:
            self.cursor.execute("SELECT " + ", ".join(PUBLIC) + ", body FROM published WHERE slug = %s", (slug,))
        else:
            self.cursor.execute("SELECT " + ", ".join(PUBLIC) + ", body FROM published WHERE article_id = %s",
                                (article_id,))
        return _dict(self.cursor)

    def search(self, tsquery, column_ids=None, limit=20, offset=0, candidates=SEARCH_CANDIDATES):
        """Matches ranked by ``ts_rank_cd`` (title weighted above body), latest first among
        equals, with the number of matches.

        Only the top candidates are ranked: the matches ordered by (title matches, newest
        first) — read from the small in-row ``title_search`` — and the first ``candidates``
        of them (at least offset + limit) get the exact rank, the only step that reads the
        whole article's vector (kilobytes, out of line). Ranking every match read one such
        vector per match: 127 ms p99 over 100,000 articles (bench/portal.py). The count
        rides along as a window over the matches. A page past the candidates widens them."""
        where = Where("search @@ q")
        if column_ids is not None:  # an empty list: no column, no article
            where.add("column_id = ANY(%s)", column_ids)
        clause, params = where.clause, where.params
        # MATERIALIZED: the candidates are chosen once; ordering by the title test first also
        # keeps the planner off walking the recency index while testing every row's vector
        self.cursor.execute(
            "WITH matches AS MATERIALIZED ("
            "  SELECT article_id, count(*) OVER () AS total "
            f"  FROM published, to_tsquery('simple', %s) q WHERE {clause} "
            "  ORDER BY title_search @@ q DESC, published_at DESC, article_id DESC LIMIT %s) "
            "SELECT " + ", ".join("p." + c for c in PUBLIC) + ", ts_rank_cd(p.search, q) AS rank, m.total "
            "FROM matches m JOIN published p USING (article_id), to_tsquery('simple', %s) q "
            "ORDER BY rank DESC, p.published_at DESC, p.article_id DESC LIMIT %s OFFSET %s",
            [tsquery] + params + [max(candidates, offset + limit), tsquery, limit, offset])
        rows = _dicts(self.cursor)
        if rows:
            total = rows[0]["total"]
        else:
            self.cursor.execute(f"SELECT count(*) FROM published, to_tsquery('simple', %s) q WHERE {clause}",
                                [tsquery] + params)
            total = self.cursor.fetchone()[0]
        for row in rows:
            del row["total"]
        return rows, total

    def sitemap(self, limit=50000):
        self.cursor.execute("SELECT slug, updated_at FROM published ORDER BY published_at DESC LIMIT %s", (limit,))
        return _dicts(self.cursor)

    def last_change(self):
        self.cursor.execute("SELECT max(updated_at) FROM published")
        return self.cursor.fetchone()[0]


class SubmissionRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def towns(self):
        self.cursor.execute("SELECT code, name, position FROM towns ORDER BY position, code")
        return _dicts(self.cursor)

    def town(self, code):
        self.cursor.execute("SELECT code, name FROM towns WHERE code = %s", (code,))
        return _dict(self.cursor)

    def add_towns(self, rows):
        self.cursor.executemany("INSERT INTO towns (code, name, position) VALUES (%s, %s, %s) "
                                "ON CONFLICT (code) DO NOTHING", rows)

    def add(self, town_code, title, body, kind, by, at=None):
        self.cursor.execute(
            "INSERT INTO submissions (town_code, title, body, kind, submitted_by, submitted_at) "
            "VALUES (%s, %s, %s, %s, %s, COALESCE(%s::timestamptz, now())) RETURNING *", (town_code, title, body, kind, by, at))
        return _dict(self.cursor)

    def get(self, submission_id, for_update=False):
        self.cursor.execute("SELECT * FROM submissions WHERE id = %s" + (" FOR UPDATE" if for_update else ""),
                            (submission_id,))
        return _dict(self.cursor)

    def add_adoption(self, submission_id, command, by):
        self.cursor.execute(
            "INSERT INTO adoptions (submission_id, level, channel, adopted_on, link, leader_comment, recorded_by) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
            (submission_id, command["level"], command["channel"], command["adopted_on"], command.get("link"),
             command.get("leader_comment"), by))
        return _dict(self.cursor)

    def adoptions(self, submission_ids):
        self.cursor.execute("SELECT * FROM adoptions WHERE submission_id = ANY(%s) ORDER BY id",
                            (list(submission_ids),))
        return _dicts(self.cursor)

    def list(self, town_code=None, start=None, end=None, limit=50, offset=0):
        where = (Where().equal(("town_code", town_code))
                 .add_if(start, "(submitted_at AT TIME ZONE 'Asia/Shanghai')::date >= %s", start)
                 .add_if(end, "(submitted_at AT TIME ZONE 'Asia/Shanghai')::date < %s", end))
        clause, params = where.clause, where.params
        self.cursor.execute(f"SELECT count(*) FROM submissions WHERE {clause}", params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute(f"SELECT * FROM submissions WHERE {clause} ORDER BY submitted_at DESC, id DESC "
                            "LIMIT %s OFFSET %s", params + [limit, offset])
        return _dicts(self.cursor), total

    def scheme(self, year):
        self.cursor.execute("SELECT year, rules, updated_by, updated_at FROM scoring_schemes WHERE year = %s",
                            (year,))
        return _dict(self.cursor)

    def put_scheme(self, year, rules, by):
        self.cursor.execute(
            "INSERT INTO scoring_schemes (year, rules, updated_by) VALUES (%s, %s, %s) ON CONFLICT (year) DO UPDATE "
            "SET rules = EXCLUDED.rules, updated_by = EXCLUDED.updated_by, updated_at = now() RETURNING *",
            (year, Jsonb(rules), by))
        return _dict(self.cursor)


REPOSITORIES = {"columns": ColumnRepository, "articles": ArticleRepository, "public": PublicRepository,
                "submissions": SubmissionRepository}
