-- The portal (门户网站): columns, articles with their versions and workflow steps, the public
-- read model of what is published, and information submissions by towns with their scoring.
CREATE TABLE columns (
    id          serial PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    parent_id   integer REFERENCES columns(id),
    position    integer NOT NULL DEFAULT 0,
    description text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The working copy: status is the workflow state of version ``version``; ``live_version`` is
-- what the public sees (NULL: nothing public).
CREATE TABLE articles (
    id              bigserial PRIMARY KEY,
    column_id       integer NOT NULL REFERENCES columns(id),
    slug            text NOT NULL UNIQUE,
    status          text NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'scheduled', 'published',
                                                    'withdrawn')),
    version         integer NOT NULL DEFAULT 1,
    live_version    integer,
    author          text NOT NULL,
    publish_at      timestamptz,
    first_published_at timestamptz,
    withdrawn_reason text,
    origin          text UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX articles_due ON articles (publish_at) WHERE status = 'scheduled';
CREATE INDEX articles_status ON articles (status, updated_at DESC);

CREATE TABLE article_versions (
    article_id  bigint NOT NULL REFERENCES articles(id),
    version     integer NOT NULL,
    title       text NOT NULL,
    summary     text NOT NULL DEFAULT '',
    source      text NOT NULL DEFAULT '',
    cover       text,
    body        text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    approved_by text,
    approved_at timestamptz,
    PRIMARY KEY (article_id, version)
);

-- Every step of the workflow: who did what when (and why, for reject and withdraw).
CREATE TABLE article_steps (
    id          bigserial PRIMARY KEY,
    article_id  bigint NOT NULL REFERENCES articles(id),
    action      text NOT NULL,
    version     integer NOT NULL,
    actor       text NOT NULL,
    role        text NOT NULL,
    note        text,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_steps_article ON article_steps (article_id, id);

-- The public read model: one row per article the public may see, at its live version.
CREATE TABLE published (
    article_id   bigint PRIMARY KEY REFERENCES articles(id),
    column_id    integer NOT NULL REFERENCES columns(id),
    slug         text NOT NULL UNIQUE,
    version      integer NOT NULL,
    title        text NOT NULL,
    summary      text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    cover        text,
    body         text NOT NULL,
    published_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    search       tsvector NOT NULL
);
CREATE INDEX published_column ON published (column_id, published_at DESC, article_id DESC);
CREATE INDEX published_recent ON published (published_at DESC, article_id DESC);
CREATE INDEX published_search ON published USING gin (search);

-- 信息报送考核
CREATE TABLE towns (
    code     text PRIMARY KEY,
    name     text NOT NULL UNIQUE,
    position integer NOT NULL DEFAULT 0
);

CREATE TABLE submissions (
    id           bigserial PRIMARY KEY,
    town_code    text NOT NULL REFERENCES towns(code),
    title        text NOT NULL,
    body         text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('news', 'research')),
    submitted_by text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submissions_town ON submissions (town_code, submitted_at);

CREATE TABLE adoptions (
    id             bigserial PRIMARY KEY,
    submission_id  bigint NOT NULL REFERENCES submissions(id),
    level          text NOT NULL CHECK (level IN ('county', 'city', 'province', 'national')),
    channel        text NOT NULL,
    adopted_on     date NOT NULL,
    link           text,
    leader_comment text CHECK (leader_comment IN ('county', 'city', 'province')),
    recorded_by    text NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adoptions_submission ON adoptions (submission_id);

-- Scoring rules per year: changing this year's rules never rewrites last year's report.
CREATE TABLE scoring_schemes (
    year       integer PRIMARY KEY,
    rules      jsonb NOT NULL,
    updated_by text NOT NULL DEFAULT 'system',
    updated_at timestamptz NOT NULL DEFAULT now()
);
