-- Online budget supervision (预算联网监督): reference tables, budget lines with adjustments,
-- treasury payments, imports (with their staging and row-level error report), alerts and
-- their handling timeline. Money is NUMERIC(18,2) yuan: never float.

CREATE TABLE departments (            -- 主管部门
    code  text PRIMARY KEY,
    name  text NOT NULL
);

CREATE TABLE units (                  -- 预算单位
    code             text PRIMARY KEY,
    name             text NOT NULL,
    department_code  text NOT NULL REFERENCES departments (code),
    kind             text NOT NULL    -- administrative | institution | town
);
CREATE INDEX units_department ON units (department_code);

CREATE TABLE budget_kinds (           -- the four budgets of 预算法
    code  text PRIMARY KEY,
    name  text NOT NULL
);

CREATE TABLE func_classes (           -- 功能分类 类/款/项: 3, 5 or 7 digits
    code   text PRIMARY KEY CHECK (code ~ '^[0-9]{3}([0-9]{2}){0,2}$'),
    name   text NOT NULL,
    level  smallint NOT NULL
);

CREATE TABLE econ_classes (           -- 经济分类 类/款: 3 or 5 digits
    code   text PRIMARY KEY CHECK (code ~ '^[0-9]{3}([0-9]{2})?$'),
    name   text NOT NULL,
    level  smallint NOT NULL
);

CREATE TABLE budget_lines (           -- 指标
    id             bigserial PRIMARY KEY,
    year           integer NOT NULL,
    line_ref       text NOT NULL,     -- 指标文号
    unit_code      text NOT NULL REFERENCES units (code),
    budget_kind    text NOT NULL REFERENCES budget_kinds (code),
    func_code      text NOT NULL REFERENCES func_classes (code),
    econ_code      text NOT NULL REFERENCES econ_classes (code),
    project_code   text,
    project_name   text,
    amount         numeric(18, 2) NOT NULL,
    issued_on      date,
    import_id      uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, line_ref)
);
CREATE INDEX budget_lines_unit ON budget_lines (year, unit_code);

CREATE TABLE line_adjustments (       -- 调整 (追加 / 调减)
    id            bigserial PRIMARY KEY,
    line_id       bigint NOT NULL REFERENCES budget_lines (id),
    amount        numeric(18, 2) NOT NULL,
    adjusted_on   date NOT NULL,
    document_no   text NOT NULL,
    reason        text,
    UNIQUE (line_id, document_no)
);

CREATE TABLE payments (               -- 国库集中支付
    voucher_no     text PRIMARY KEY,  -- 支付凭证号
    year           integer NOT NULL,
    pay_date       date NOT NULL,
    unit_code      text NOT NULL REFERENCES units (code),
    func_code      text NOT NULL,
    econ_code      text NOT NULL,
    project_code   text,
    line_ref       text,
    payee_name     text NOT NULL,
    payee_account  text NOT NULL,
    payee_type     text NOT NULL CHECK (payee_type IN ('unit', 'person')),
    amount         numeric(18, 2) NOT NULL,
    memo           text,
    import_id      uuid
);
CREATE INDEX payments_unit ON payments (year, unit_code, pay_date);
CREATE INDEX payments_line ON payments (year, line_ref) WHERE line_ref IS NOT NULL;

CREATE TABLE imports (
    id             uuid PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('payments', 'lines')),
    year           integer NOT NULL,
    filename       text NOT NULL,
    content_hash   text NOT NULL,     -- sha256 of the file: the same file is the same import
    size_bytes     bigint NOT NULL,
    file_ref       text NOT NULL,     -- name of the uploaded file in BUDGET_IMPORT_DIR
    encoding       text NOT NULL DEFAULT 'auto',
    status         text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'committed', 'rejected')),
    rows_total     bigint NOT NULL DEFAULT 0,
    rows_done      bigint NOT NULL DEFAULT 0,
    rows_applied   bigint NOT NULL DEFAULT 0,
    rows_skipped   bigint NOT NULL DEFAULT 0,
    error_count    integer NOT NULL DEFAULT 0,
    message        text,
    created_by     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    UNIQUE (content_hash, kind, year)
);
CREATE INDEX imports_open ON imports (created_at) WHERE status IN ('queued', 'running');

CREATE TABLE import_errors (
    import_id  uuid NOT NULL REFERENCES imports (id),
    seq        integer NOT NULL,
    row_no     bigint,                -- as a spreadsheet shows it: the header is row 1
    column_name text,
    message    text NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- Staging: each import streams its file with COPY into a temporary table of its own
-- session (not WAL-logged, dropped at commit), validated and merged in the same transaction.

CREATE TABLE alerts (
    id             bigserial PRIMARY KEY,
    rule           text NOT NULL,
    year           integer NOT NULL,
    subject        text NOT NULL,      -- what the alert is about: unit, line ref, voucher, unit:func:econ
    unit_code      text NOT NULL REFERENCES units (code),
    severity       text NOT NULL,
    status         text NOT NULL,
    holds          boolean NOT NULL DEFAULT true,   -- the condition holds as of the last evaluation
    message        text NOT NULL,
    figures        jsonb NOT NULL DEFAULT '{}',
    evidence       jsonb NOT NULL DEFAULT '{}',
    as_of          date NOT NULL,
    raised_at      timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (rule, subject, year)
);
CREATE INDEX alerts_unit ON alerts (year, unit_code);

CREATE TABLE alert_timeline (
    id        bigserial PRIMARY KEY,
    alert_id  bigint NOT NULL REFERENCES alerts (id),
    at        timestamptz NOT NULL DEFAULT now(),
    action    text NOT NULL,
    actor     text,
    note      text,
    status    text NOT NULL
);
CREATE INDEX alert_timeline_alert ON alert_timeline (alert_id, id);
