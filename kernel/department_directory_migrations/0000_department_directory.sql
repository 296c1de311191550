-- Read model of the county departments (承办单位), owned by the suggestion service and fed by its
-- department_saved events (kernel/department_directory.py). applied_count lets tests prove
-- each change applied once.
CREATE TABLE department_directory (
    code           text PRIMARY KEY,
    name           text NOT NULL,
    short_name     text NOT NULL,
    active         boolean NOT NULL,
    version        integer NOT NULL,
    applied_count  integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
