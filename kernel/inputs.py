"""Input the platform refuses at every edge (HTTP in the gateway, RPC in every service).

PostgreSQL stores no NUL character in text and no lone UTF-16 surrogate (they are not
UTF-8), and a driver that meets one fails with an error that would be a 500. So such text
is a 400 naming the field, before it reaches any use case. JSON bodies are also held to
what a client means: no duplicate keys (which value counts would be the parser's choice)
and no nesting deeper than ``MAX_JSON_DEPTH`` (Python's parser recurses).
"""
import json
import re

MAX_JSON_DEPTH = 64
UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"
SURROGATE_MESSAGE = "must be valid Unicode text (no lone surrogates or invalid UTF-8)"
DUPLICATE_MESSAGE = "duplicate key in a JSON object"
# Strings (with their escapes) removed, what is left of a JSON text are the brackets.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class JsonInputError(ValueError):
    """The text is not JSON the platform accepts; ``details`` says why."""

    def __init__(self, message, details):
        super().__init__(message)
        self.details = details


def text_problem(text):
    """Why ``text`` may not be stored, or None."""
    match = UNSAFE_TEXT.search(text)
    if match is None:
        return None
    return NUL_MESSAGE if match.group() == "\x00" else SURROGATE_MESSAGE


def printable(name):
    """A field name that may itself hold refused text, escaped so that it can be shown."""
    return name.encode("unicode_escape").decode("ascii") if text_problem(name) else name


def field_details(problems):
    """``[(path, message)]`` → ``{"title": [msg], "assignments.0.department": [msg]}``:
    each field named by its dotted path (``_body`` for the body as a whole)."""
    details = {}
    for path, message in problems:
        details.setdefault(".".join(str(part) for part in path) or "_body", []).append(message)
    return details


def unsafe_text(value, path=(), duplicates=None):
    """``[(path, message)]`` for every string (key or value) inside ``value`` that may
    not be stored, and for every object ``duplicates`` (``{id(obj): (obj, [keys])}``) names.
    Iterative: a deep value cannot exhaust the stack."""
    problems = []
    stack = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            message = text_problem(node)
            if message:
                problems.append((where, message))
        elif isinstance(node, dict):
            for key in (duplicates or {}).get(id(node), (None, ()))[1]:
                problems.append((where + (key,), DUPLICATE_MESSAGE))
            for key, item in node.items():
                if isinstance(key, str) and text_problem(key):
                    # the key itself cannot be named as it is: show it escaped
                    problems.append((where + (printable(key),), text_problem(key)))
                    continue
                stack.append((where + (key,), item))
        elif isinstance(node, (list, tuple)):
            stack.extend((where + (index,), item) for index, item in enumerate(node))
    problems.reverse()
    return problems


def json_depth(text):
    """How deeply arrays and objects nest in the JSON ``text`` (strings ignored)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0  # cannot be too deep: spare the scan
    depth = deepest = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name):
    raise JsonInputError(f"{name} is not JSON", {"_body": [f"{name} is not a JSON number"]})


def parse_json(raw):
    """A JSON text (bytes, UTF-8) → its value, or ``JsonInputError``/``ValueError``.

    Refused: invalid UTF-8, NaN/Infinity, nesting deeper than MAX_JSON_DEPTH (checked
    before parsing), and — as ``(value, problems)`` for the caller to answer with the field
    names — duplicate keys and strings with NUL or lone surrogates."""
    text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
    if json_depth(text) > MAX_JSON_DEPTH:
        raise JsonInputError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
                             {"_body": [f"nested deeper than {MAX_JSON_DEPTH} levels"], "max_depth": MAX_JSON_DEPTH})
    duplicates = {}

    def pairs_to_dict(pairs):
        obj = {}
        for key, value in pairs:
            if key in obj:
                # the object is kept with its id, so that the id is not reused meanwhile
                duplicates.setdefault(id(obj), (obj, []))[1].append(key)
            obj[key] = value
        return obj

    value = json.loads(text, object_pairs_hook=pairs_to_dict, parse_constant=_refuse_constant)
    return value, unsafe_text(value, duplicates=duplicates)
