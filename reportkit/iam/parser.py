"""Parse OCI IAM policy statements into frozen dataclasses.

Grammar (the synthesis in docs/iam.md, from Oracle's policy syntax pages)::

    statement := ("allow" | "deny") subject "to" action "in" location ["where" condition]
               | ["deny"] ("define" | "endorse" | "admit") ...      (recognised, out of scope)
    subject   := "group" principal {"," principal} | "dynamic-group" principal {"," principal}
               | "any-user" | "any-group" | "service" NAME {"," NAME}
    principal := NAME | "'" DOMAIN "'" "/" "'" NAME "'" | DOMAIN "/" NAME | "id" OCID
    action    := VERB RESOURCE_TYPE | "{" PERMISSION {"," PERMISSION} "}"
    location  := "tenancy" | "compartment" NAME {":" NAME} | "compartment" "id" OCID
    condition := ("all" | "any") "{" condition {"," condition} "}" | clause
    clause    := VARIABLE ("=" | "!=") value | VARIABLE "in" "(" value {"," value} ")"
               | VARIABLE ("before" | "after") value | VARIABLE "between" value "and" value
    value     := "'" text "'" | "/" pattern "/"

Keywords are matched case-insensitively. The tokenizer is one compiled regular expression and never
fails: anything it does not recognise becomes a one-character token the parser rejects with a
message naming the column and what was expected.

A statement that does not parse raises :class:`~reportkit.errors.PolicyParseError` from
:func:`parse_statement`; :func:`parse_policy` collects such errors as :class:`MalformedStatement`
entries (which grant nothing) and keeps parsing the other statements.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from reportkit.errors import PolicyParseError
from reportkit.iam.statements import (
    Clause,
    Condition,
    ConditionGroup,
    CrossTenancyStatement,
    Location,
    MalformedStatement,
    ParsedEntry,
    ParsedPolicy,
    Principal,
    Statement,
    StatementOrigin,
    Subject,
    Value,
)

VERBS = ("inspect", "read", "use", "manage")

# One pass, one compiled expression: ``findall`` returns every token as a string in a single C
# call (the parser's hot path). Leading whitespace is consumed by each match. Order matters:
# "!=" before the single-character punctuation, a closed quote before an unterminated one.
_TOKEN_RE = re.compile(r"""\s*('[^']*'|[A-Za-z0-9_.\-+@$#*]+|!=|[{}(),:/=]|'[^']*\Z|\S)""")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-+@$#*")
_PUNCT = frozenset(("{", "}", "(", ")", ",", ":", "/", "=", "!="))
_END = "end"


def _kind(token: str) -> str:
    """``s`` quoted string, ``w`` word, the punctuation itself, ``u`` unterminated quote, ``x``
    anything else, ``end`` for the end marker (the empty string)."""
    first = token[:1]
    if first in _WORD_CHARS:
        return "w"
    if first == "'":
        return "s" if len(token) > 1 and token[-1] == "'" else "u"
    if token in _PUNCT:
        return token
    return _END if not token else "x"


def tokenize(text: str, pos: int = 0) -> list[tuple[str, str, int]]:
    """Return ``(kind, text, offset)`` tokens of ``text`` from ``pos``, ending with an ``end`` token.

    ``kind`` is ``s`` (quoted string, quotes included), ``w`` (word), the punctuation itself
    (``{ } ( ) , : / = !=``), ``u`` (unterminated quote) or ``x`` (unexpected character). The
    parser itself uses the faster offset-free form and finds offsets only to report an error.
    """
    out = [(_kind(m.group(1)), m.group(1), m.start(1)) for m in _TOKEN_RE.finditer(text, pos)]
    # The end token sits just after the last visible character, so "found the end" points there.
    out.append((_END, "", max(len(text.rstrip()), pos)))
    return out


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------
_SUBJECT_KINDS = ("group", "dynamic-group", "any-user", "any-group", "service")
_OPERATORS = ("in", "before", "after", "between")


def _describe(token: tuple[str, str, int]) -> str:
    kind, value, _ = token
    if kind == _END:
        return "the end of the statement"
    if kind == "u":
        return "a quote that is never closed"
    return repr(value)


class _Parser:
    """Recursive descent over token strings; ``self.partial`` records what has been parsed so far.

    Tokens carry no offsets (building them would double the parse time); :meth:`position`
    recomputes the offset of a token only when an error needs its column.
    """

    __slots__ = ("text", "tokens", "low", "i", "origin", "partial", "segments")

    def __init__(self, text: str, origin: StatementOrigin) -> None:
        self.text = text
        self.tokens = _TOKEN_RE.findall(text)
        self.tokens.append("")
        # Keywords are compared lower-cased; a non-word token can never equal a keyword, so the
        # lower-cased token itself serves as "the keyword here".
        self.low = [t.lower() for t in self.tokens]
        self.i = 0
        self.origin = origin
        self.partial: dict[str, object] = {}
        # (first token index, text offset) of each tokenized stretch; a /pattern/ starts a new one
        self.segments: list[tuple[int, int]] = [(0, 0)]

    # -- helpers ------------------------------------------------------------------------------
    def peek(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        return _kind(tok), tok, self.i

    def kind_at(self, index: int) -> str:
        return _kind(self.tokens[index])

    def keyword(self) -> str:
        """The current token lower-cased (compare it with keywords only)."""
        return self.low[self.i]

    def position(self, index: int) -> int:
        """The text offset of token ``index`` (slow path: errors and patterns only)."""
        first, offset = max(seg for seg in self.segments if seg[0] <= index)
        for k, match in enumerate(_TOKEN_RE.finditer(self.text, offset)):
            if k == index - first:
                return match.start(1)
        return max(len(self.text.rstrip()), offset)

    def fail(self, expected: str) -> PolicyParseError:
        token = self.peek()
        column = self.position(self.i) + 1
        found = _describe(token)
        origin = self.origin
        message = (f"policy {origin.policy_name!r} statement {origin.number}, column {column}: "
                   f"expected {expected} but found {found}; this statement grants nothing until it "
                   f"is corrected in the policy")
        error = PolicyParseError(message)
        error.policy_name = origin.policy_name
        error.statement_number = origin.number
        error.column = column
        error.expected = expected
        error.found = found
        error.statement = self.text
        return error

    def expect_keyword(self, word: str) -> None:
        if self.keyword() != word:
            raise self.fail(f"'{word}'")
        self.i += 1

    def expect(self, kind: str, expected: str) -> tuple[str, str, int]:
        tok = self.peek()
        if tok[0] != kind:
            raise self.fail(expected)
        self.i += 1
        return tok

    # -- statement -----------------------------------------------------------------------------
    def statement(self) -> Statement | CrossTenancyStatement:
        first = self.keyword()
        deny = first == "deny"
        if first not in ("allow", "deny", "define", "endorse", "admit"):
            raise self.fail("'Allow', 'Deny', 'Define', 'Endorse' or 'Admit'")
        if first in ("define", "endorse", "admit"):
            return CrossTenancyStatement(kind=first, deny=False, text=self.text, origin=self.origin)
        self.i += 1
        if deny and self.keyword() in ("endorse", "admit"):
            return CrossTenancyStatement(kind=self.keyword(), deny=True, text=self.text, origin=self.origin)
        self.partial["effect"] = first
        subject = self.subject()
        self.partial["subject"] = subject
        self.expect_keyword("to")
        verb, resource_type, permissions = self.action()
        self.partial.update(verb=verb, resource_type=resource_type, permissions=permissions)
        self.expect_keyword("in")
        location = self.location()
        self.partial["location"] = location
        condition = None
        if self.keyword() == "where":
            self.i += 1
            condition = self.condition()
        if self.tokens[self.i] != "":
            raise self.fail("'where' or the end of the statement" if condition is None
                            else "the end of the statement")
        return Statement(effect=first, subject=subject, location=location, verb=verb,
                         resource_type=resource_type, permissions=permissions, condition=condition,
                         text=self.text, origin=self.origin)

    def subject(self) -> Subject:
        kind = self.keyword()
        if kind not in _SUBJECT_KINDS:
            raise self.fail("a subject: 'group', 'dynamic-group', 'any-user', 'any-group' or 'service'")
        self.i += 1
        if kind in ("any-user", "any-group"):
            return Subject(kind)
        principals = [self.principal(kind)]
        while self.tokens[self.i] == ",":
            self.i += 1
            if self.keyword() in _SUBJECT_KINDS:
                raise self.fail(f"another {kind} name (a statement names only one type of principal)")
            principals.append(self.principal(kind))
        return Subject(kind, tuple(principals))

    def principal(self, kind: str) -> Principal:
        tok = self.peek()
        if kind == "service":
            if tok[0] != "w" or tok[1].lower() == "to":
                raise self.fail("a service name")
            self.i += 1
            return Principal(name=tok[1])
        if tok[0] == "w" and tok[1].lower() == "id" and self.kind_at(self.i + 1) == "w" \
                and self.tokens[self.i + 1].lower() != "to":
            self.i += 2
            return Principal(ocid=self.tokens[self.i - 1])
        if tok[0] not in ("w", "s") or (tok[0] == "w" and tok[1].lower() == "to"):
            raise self.fail(f"a {kind} name, 'Domain'/'Name' or 'id <ocid>'")
        self.i += 1
        first = tok[1][1:-1] if tok[0] == "s" else tok[1]
        if self.tokens[self.i] == "/":
            self.i += 1
            second = self.peek()
            if second[0] not in ("w", "s"):
                raise self.fail(f"the {kind} name after 'Domain'/")
            self.i += 1
            return Principal(name=second[1][1:-1] if second[0] == "s" else second[1], domain=first)
        return Principal(name=first)

    def action(self) -> tuple[str | None, str | None, tuple[str, ...] | None]:
        if self.tokens[self.i] == "{":
            self.i += 1
            perms = [self.expect("w", "a permission name")[1].upper()]
            while self.tokens[self.i] == ",":
                self.i += 1
                perms.append(self.expect("w", "a permission name")[1].upper())
            self.expect("}", "',' or '}' to close the permission list")
            return None, None, tuple(perms)
        verb = self.keyword()
        if verb not in VERBS:
            raise self.fail("a verb ('inspect', 'read', 'use', 'manage') or a '{PERMISSION, ...}' list")
        self.i += 1
        self.partial["verb"] = verb
        tok = self.peek()
        if tok[0] != "w" or tok[1].lower() == "in":
            raise self.fail("a resource type such as 'boot-volume-backups', 'volume-family' or 'all-resources'")
        self.i += 1
        return verb, tok[1].lower(), None

    def location(self) -> Location:
        kind = self.keyword()
        if kind == "tenancy":
            self.i += 1
            return Location("tenancy")
        if kind != "compartment":
            raise self.fail("'tenancy' or 'compartment'")
        self.i += 1
        if self.keyword() == "id" and self.kind_at(self.i + 1) == "w" \
                and self.tokens[self.i + 1].lower().startswith("ocid"):
            self.i += 2
            return Location("compartment_id", ocid=self.tokens[self.i - 1])
        path = [self.compartment_name()]
        while self.tokens[self.i] == ":":
            self.i += 1
            path.append(self.compartment_name())
        return Location("compartment", path=tuple(path))

    def compartment_name(self) -> str:
        tok = self.peek()
        if tok[0] == "s":
            self.i += 1
            return tok[1][1:-1]
        if tok[0] != "w" or tok[1].lower() == "where":
            raise self.fail("a compartment name, 'A:B' path or 'id <ocid>'")
        self.i += 1
        return tok[1]

    # -- conditions ---------------------------------------------------------------------------
    def condition(self) -> Condition:
        mode = self.keyword()
        if mode in ("all", "any") and self.tokens[self.i + 1] == "{":
            brace = self.i + 1
            self.i += 2
            items = [self.condition()]
            while self.tokens[self.i] == ",":
                self.i += 1
                if not self.tokens[self.i]:
                    raise self.fail(f"another condition, or '}}' to close the '{mode} {{' opened at "
                                    f"column {self.position(brace) + 1}")
                items.append(self.condition())
            if self.tokens[self.i] != "}":
                raise self.fail(f"',' or '}}' to close the '{mode} {{' opened at column {self.position(brace) + 1}")
            self.i += 1
            return ConditionGroup(mode, tuple(items))
        return self.clause()

    def clause(self) -> Clause:
        tok = self.peek()
        if tok[0] != "w" or "." not in tok[1]:
            raise self.fail("a condition: a variable such as request.permission, or 'all {' / 'any {'")
        self.i += 1
        variable = tok[1].lower()
        op_tok = self.peek()
        op = op_tok[0] if op_tok[0] in ("=", "!=") else self.keyword()
        if op in ("=", "!="):
            self.i += 1
            return Clause(variable, op, (self.value(),))
        if op == "in":
            self.i += 1
            self.expect("(", "'(' after 'in'")
            values = [self.value()]
            while self.tokens[self.i] == ",":
                self.i += 1
                values.append(self.value())
            self.expect(")", "',' or ')' to close the 'in (' list")
            return Clause(variable, "in", tuple(values))
        if op in ("before", "after"):
            self.i += 1
            return Clause(variable, op, (self.value(),))
        if op == "between":
            self.i += 1
            low = self.value()
            self.expect_keyword("and")
            return Clause(variable, "between", (low, self.value()))
        raise self.fail("an operator: '=', '!=', 'in', 'before', 'after' or 'between'")

    def value(self) -> Value:
        tok = self.peek()
        if tok[0] == "s":
            self.i += 1
            return Value(tok[1][1:-1])
        if tok[0] == "/":
            # A pattern runs to the next '/' in the raw text, whatever it contains; the tokens after
            # it are re-read from there (the first pass may have cut the pattern differently).
            start = self.position(self.i)
            end = self.text.find("/", start + 1)
            if end < 0:
                raise self.fail("a closing '/' for the pattern")
            self.tokens = self.tokens[: self.i] + _TOKEN_RE.findall(self.text, end + 1) + [""]
            self.low = self.low[: self.i] + [t.lower() for t in self.tokens[self.i:]]
            self.segments.append((self.i, end + 1))
            return Value(self.text[start + 1:end], is_pattern=True)
        raise self.fail("a value in single quotes, e.g. 'BOOT_VOLUME_BACKUP_COPY', or a /pattern/")


def parse_statement(text: str, policy_name: str = "policy", number: int = 1,
                    compartment_id: str | None = None) -> Statement | CrossTenancyStatement:
    """Parse one statement; return a :class:`Statement` or :class:`CrossTenancyStatement`.

    Raises :class:`~reportkit.errors.PolicyParseError` (with ``policy_name``, ``statement_number``,
    ``column`` and ``expected`` attributes) when the statement is malformed.
    """
    return _Parser(text, StatementOrigin(policy_name, number, compartment_id)).statement()


def parse_entry(text: str, origin: StatementOrigin) -> ParsedEntry:
    """Parse one statement without raising: a malformed one becomes a :class:`MalformedStatement`."""
    parser = _Parser(text, origin)
    try:
        return parser.statement()
    except PolicyParseError as error:
        return MalformedStatement(error=error, text=text, origin=origin, **parser.partial)  # type: ignore[arg-type]


def parse_policy(statements: str | Iterable[str], policy_name: str = "policy",
                 compartment_id: str | None = None) -> ParsedPolicy:
    """Parse every statement of one policy; return them all, malformed ones included.

    ``statements`` is a list of statement strings (as ``Policy.statements`` holds them) or one
    string with one statement a line (blank lines and lines starting with ``#`` are skipped). A
    malformed statement does not stop the others: it becomes a :class:`MalformedStatement` and its
    error is listed in :attr:`ParsedPolicy.problems`. Statement numbers are 1-based.
    """
    if isinstance(statements, str):
        lines = [line for line in statements.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    else:
        lines = list(statements)
    return ParsedPolicy(tuple(parse_entry(text, StatementOrigin(policy_name, n, compartment_id))
                              for n, text in enumerate(lines, start=1)))
