"""The WHERE clause of a repository's list query, built from the filters its caller gave.

Every list query of the services filters by a few optional values: a filter left out (None,
an empty string or False) adds nothing, one given adds its condition and parameters, in order.
Conditions are fixed text of the repository (never text from a request); values are always
parameters."""


def given(value):
    return value is not None and value != "" and value is not False


class Where:
    def __init__(self, *conditions, params=()):
        self.conditions = list(conditions)
        self.params = list(params)

    def add(self, condition, *params):
        self.conditions.append(condition)
        self.params.extend(params)
        return self

    def add_if(self, value, condition, *params):
        """``condition`` with ``params`` when ``value`` was given."""
        if given(value):
            self.add(condition, *params)
        return self

    def equal(self, *pairs):
        """``column = value`` for each (column, value) pair whose value was given."""
        for column, value in pairs:
            self.add_if(value, f"{column} = %s", value)
        return self

    @property
    def clause(self):
        """The conditions AND-ed ("TRUE" for none): the text after WHERE."""
        return " AND ".join(self.conditions) or "TRUE"

    def __str__(self):
        return " WHERE " + self.clause
