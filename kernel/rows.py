"""Rows of a psycopg cursor as dicts keyed by column name (repositories' reads)."""


def fetch_dicts(cursor):
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def fetch_dict(cursor):
    """The first row as a dict, or None when there is none."""
    rows = fetch_dicts(cursor)
    return rows[0] if rows else None
