"""DAX as the checks see it: pbi-parsers' lexer and parser, plus the references an expression makes.

pbi-parsers (0.9.5) is used as it is, with repairs made around it where it does not read valid DAX:

- its lexer matches the keywords VAR, RETURN, TRUE, FALSE, ASC and DESC as prefixes, so
  ``VAR.S`` or a name such as ``Variance`` comes out as a keyword and a stub: touching pieces are
  joined back into one identifier;
- ``IN`` is only recognised when a space follows it: other spellings become the IN operator;
- a quoted table name with an escaped quote (``'O''Brien'``) comes out as two names: joined;
  an escaped ``]]`` in a column name stops its lexer: it lexes a copy with the escape masked;
- ``.5`` comes out as a period and 5: joined into one number;
- its parser has no prefix ``NOT`` (only ``NOT ( ... )``): the operand of a bare ``NOT`` (up to
  the next ``&&``, ``||``, comma, closing bracket, VAR or RETURN, as DAX's precedence says) is
  put in parentheses;
- its parser has no row constructor (``{ ( 1, "a" ), ( 2, "b" ) }``): such parentheses are
  given to it as braces.

Its formatter is not used (it drops VAR statements).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pbi_parsers.base.tokens import TextSlice
from pbi_parsers.dax import Lexer, Parser, Token, TokenType

from salespulse.powerbi.tmdl import TmdlModel

_SKIPPED = {TokenType.WHITESPACE, TokenType.SINGLE_LINE_COMMENT, TokenType.MULTI_LINE_COMMENT}
_PREFIX_KEYWORDS = {
    TokenType.VARIABLE,
    TokenType.RETURN,
    TokenType.TRUE,
    TokenType.FALSE,
    TokenType.ASC,
    TokenType.DESC,
}
_NAMES = {TokenType.SINGLE_QUOTED_IDENTIFIER, TokenType.UNQUOTED_IDENTIFIER}
_NOT_ENDS = {
    TokenType.DOUBLE_AMPERSAND_OPERATOR,
    TokenType.DOUBLE_PIPE_OPERATOR,
    TokenType.COMMA,
    TokenType.VARIABLE,
    TokenType.RETURN,
}
# Bare words DAX accepts as arguments that are neither tables nor variables.
KEYWORDS = frozenset(
    (
        *("not", "in", "var", "return", "true", "false", "asc", "desc"),
        *("day", "month", "quarter", "year", "week", "hour", "minute", "second"),
        *("both", "oneway", "none", "oneway_leftfiltersright", "oneway_rightfiltersleft"),
        *("skip", "dense", "rel", "abs", "keep", "first", "last", "default"),
        *("integer", "int64", "double", "string", "boolean", "currency", "datetime", "decimal", "variant"),
        *("define", "evaluate", "measure", "column", "table", "order", "by", "start", "at"),
    )
)


class DaxSyntaxError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        self.message, self.offset = message, offset
        super().__init__(message)


def _token(kind: TokenType, text: str, start: int, end: int) -> Token:
    return Token(tok_type=kind, text_slice=TextSlice(text, start, end))


def _lexable(text: str) -> str:
    """``text`` with each escaped ``]]`` inside a [name] masked (same length, so offsets hold)."""
    chars = list(text)
    index, length, state = 0, len(text), ""
    while index < length:
        pair = text[index : index + 2]
        char = text[index]
        if state == "":
            if pair in {"//", "--"}:
                end = text.find("\n", index)
                index = length if end < 0 else end
                continue
            if pair == "/*":
                end = text.find("*/", index + 2)
                index = length if end < 0 else end + 2
                continue
            state = {'"': '"', "'": "'", "[": "]"}.get(char, "")
        elif pair == state * 2:  # "" '' ]] are escapes
            if state == "]":
                chars[index : index + 2] = "__"
            index += 2
            continue
        elif char == state:
            state = ""
        index += 1
    return "".join(chars)


def _scan(text: str) -> list[Token]:
    lexer = Lexer(_lexable(text))
    try:
        scanned = lexer.scan()
    except ValueError as error:
        raise DaxSyntaxError(str(error), lexer.current_position) from None
    return [
        _token(token.tok_type, text, *token.position())
        for token in scanned
        if token.tok_type not in _SKIPPED and token.tok_type != TokenType.EOF
    ]


def _touching(left: Token, right: Token) -> bool:
    return left.text_slice.end == right.text_slice.start


def _joins(previous: Token, token: Token) -> bool:
    """Whether two touching tokens are one word the lexer split (``VAR`` + ``iance``, ``'O'`` + ``'B'``)."""
    if not _touching(previous, token):
        return False
    if previous.tok_type == token.tok_type == TokenType.SINGLE_QUOTED_IDENTIFIER:
        return True
    if previous.tok_type == TokenType.PERIOD and token.tok_type == TokenType.NUMBER_LITERAL:
        return True
    word = {TokenType.UNQUOTED_IDENTIFIER, TokenType.NUMBER_LITERAL} | _PREFIX_KEYWORDS
    return previous.tok_type in _PREFIX_KEYWORDS and token.tok_type in word


def tokenize(text: str) -> list[Token]:
    """The executing tokens of a DAX expression (no whitespace or comments), lexer quirks repaired."""
    tokens: list[Token] = []
    for token in _scan(text):
        if tokens and _joins(tokens[-1], token):
            previous = tokens[-1]
            kind = previous.tok_type
            if kind == TokenType.PERIOD:
                kind = TokenType.NUMBER_LITERAL
            elif kind != TokenType.SINGLE_QUOTED_IDENTIFIER:
                kind = TokenType.UNQUOTED_IDENTIFIER
            tokens[-1] = _token(kind, text, previous.text_slice.start, token.text_slice.end)
        else:
            tokens.append(token)
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.tok_type == TokenType.VARIABLE and following and following.tok_type == TokenType.PERIOD:
            tokens[index] = _token(TokenType.UNQUOTED_IDENTIFIER, text, *token.position())  # VAR.S ( ...
        elif token.tok_type == TokenType.UNQUOTED_IDENTIFIER and token.text.upper() == "IN":
            tokens[index] = _token(TokenType.IN, text, *token.position())
    return tokens


def _is_bare_not(tokens: list[Token], index: int) -> bool:
    token = tokens[index]
    if token.tok_type != TokenType.UNQUOTED_IDENTIFIER or token.text.upper() != "NOT":
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is None or following.tok_type != TokenType.LEFT_PAREN


def _with_not_parenthesised(tokens: list[Token], text: str) -> list[Token]:
    result = list(tokens)
    index = 0
    while index < len(result):
        if not _is_bare_not(result, index):
            index += 1
            continue
        end = next(
            (
                at
                for at, token in _top_level(result, index + 1)
                if token is None or token.tok_type in _NOT_ENDS
            ),
            len(result),
        )
        start = result[index].text_slice.end
        stop = result[end - 1].text_slice.end if end > index + 1 else start
        result.insert(end, _token(TokenType.RIGHT_PAREN, text, stop, stop))
        result.insert(index + 1, _token(TokenType.LEFT_PAREN, text, start, start))
        index += 1
    return result


_OPENING = {TokenType.LEFT_PAREN, TokenType.LEFT_CURLY_BRACE}
_CLOSING = {TokenType.RIGHT_PAREN, TokenType.RIGHT_CURLY_BRACE}


def _top_level(tokens: Sequence[Token], start: int) -> Iterator[tuple[int, Token | None]]:
    """``(index, token)`` of the tokens from ``start`` not nested in brackets opened after it; then
    ``(index, None)`` at the first unmatched closing bracket (or the end), and stop."""
    depth = 0
    for index in range(start, len(tokens)):
        kind = tokens[index].tok_type
        if kind in _OPENING:
            depth += 1
        elif kind in _CLOSING:
            if depth == 0:
                yield index, None
                return
            depth -= 1
        elif depth == 0:
            yield index, tokens[index]
    yield len(tokens), None


def _closing(tokens: list[Token], opening: int) -> tuple[int, bool]:
    """Index of the bracket closing the one at ``opening``, and whether a comma is directly inside."""
    comma = False
    for index, token in _top_level(tokens, opening + 1):
        if token is None:
            return index, comma
        comma = comma or token.tok_type == TokenType.COMMA
    return len(tokens), comma


def _with_rows_as_braces(tokens: list[Token], text: str) -> list[Token]:
    """``( 1, "a" )`` that is no function call's is a row of a table constructor: give it as braces."""
    result = list(tokens)
    callers = {TokenType.UNQUOTED_IDENTIFIER, TokenType.TRUE, TokenType.FALSE}
    for index, token in enumerate(result):
        if token.tok_type != TokenType.LEFT_PAREN or (index and result[index - 1].tok_type in callers):
            continue
        closing, comma = _closing(result, index)
        if comma and closing < len(result):
            result[index] = _token(TokenType.LEFT_CURLY_BRACE, text, *token.position())
            result[closing] = _token(TokenType.RIGHT_CURLY_BRACE, text, *result[closing].position())
    return result


@lru_cache(maxsize=2048)
def parse_dax(text: str) -> tuple[Token, ...]:
    """Parse ``text`` with pbi-parsers; its tokens. Raises ``DaxSyntaxError`` with the offset."""
    tokens = tokenize(text)
    if not tokens:
        raise DaxSyntaxError("empty expression", 0)
    stream = _with_rows_as_braces(_with_not_parenthesised(tokens, text), text)
    parser = Parser(stream)
    try:
        parser.to_ast()
        complete = parser.index >= len(stream)
    except (ValueError, AssertionError, IndexError, TypeError, AttributeError, RecursionError):
        complete = False
    if not complete:
        at = stream[min(parser.index, len(stream) - 1)]
        where = at.text_slice.start if parser.index < len(stream) else len(text)
        near = at.text if parser.index < len(stream) else "the end"
        raise DaxSyntaxError(f"cannot parse near {near!r}", max(where, 0))
    return tuple(tokens)


def line_offset(text: str, offset: int) -> int:
    """Lines between the start of ``text`` and ``offset``."""
    return text.count("\n", 0, max(offset, 0))


def name_of(token: Token) -> str:
    """The name a table, column or measure token stands for."""
    text = token.text
    if token.tok_type == TokenType.SINGLE_QUOTED_IDENTIFIER:
        return text[1:-1].replace("''", "'")
    if token.tok_type == TokenType.BRACKETED_IDENTIFIER:
        return text[1:-1].replace("]]", "]")
    return text


@dataclass(frozen=True)
class Reference:
    kind: str  # column | measure (an unqualified [Name]) | table
    name: str
    table: str | None
    offset: int


def variables(tokens: Sequence[Token]) -> set[str]:
    """Names declared with VAR (lower case)."""
    return {
        tokens[index + 1].text.lower()
        for index, token in enumerate(tokens[:-1])
        if token.tok_type == TokenType.VARIABLE
        and tokens[index + 1].tok_type == TokenType.UNQUOTED_IDENTIFIER
    }


def references(tokens: Sequence[Token]) -> Iterator[Reference]:
    """Columns (``'T'[C]``, ``T[C]``), unqualified names (``[M]``) and tables an expression uses."""
    declared = variables(tokens)
    count = len(tokens)
    index = 0
    while index < count:
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < count else None
        previous = tokens[index - 1] if index else None
        kind = token.tok_type
        start = token.text_slice.start
        if kind in _NAMES and following is not None and following.tok_type == TokenType.BRACKETED_IDENTIFIER:
            if token.text.lower() not in declared:
                yield Reference("column", name_of(following), name_of(token), start)
            index += 2
            continue
        if kind == TokenType.BRACKETED_IDENTIFIER:
            if previous is None or previous.tok_type != TokenType.PERIOD:  # not a hierarchy level
                yield Reference("measure", name_of(token), None, start)
        elif kind == TokenType.SINGLE_QUOTED_IDENTIFIER:
            yield Reference("table", name_of(token), None, start)
        elif kind == TokenType.UNQUOTED_IDENTIFIER:
            is_word = token.text.lower() in KEYWORDS or token.text.lower() in declared
            in_name = (
                following is not None and following.tok_type in {TokenType.LEFT_PAREN, TokenType.PERIOD}
            ) or (previous is not None and previous.tok_type in {TokenType.PERIOD, TokenType.VARIABLE})
            if not is_word and not in_name:
                yield Reference("table", name_of(token), None, start)
        index += 1


def function_calls(tokens: Sequence[Token]) -> Iterator[tuple[str, int, int]]:
    """(upper-case function name, index of its '(' token, offset) of every call."""
    for index, token in enumerate(tokens[:-1]):
        if (
            token.tok_type == TokenType.UNQUOTED_IDENTIFIER
            and tokens[index + 1].tok_type == TokenType.LEFT_PAREN
        ):
            yield token.text.upper(), index + 1, token.text_slice.start


def call_arguments(tokens: Sequence[Token], paren: int) -> list[list[Token]]:
    """The arguments (token lists) of the call whose '(' is at ``paren``."""
    arguments: list[list[Token]] = [[]]
    start = paren + 1
    for index, token in _top_level(tokens, start):
        if token is None or token.tok_type == TokenType.COMMA:
            arguments[-1] = list(tokens[start:index])
            if token is None:
                break
            arguments.append([])
            start = index + 1
    return arguments


@dataclass(frozen=True)
class DaxSite:
    """One DAX expression of the model and where it is written."""

    label: str  # "measure [Sales]", "role 'Sales Rep' filter on 'Customer'", ...
    expression: str
    file: str
    line: int  # line of the expression's first line
    table: str | None  # the table whose rows are in context (calculated column, RLS filter)
    home_table: str | None  # the table the object belongs to
    measure: str | None = None

    def line_at(self, offset: int) -> int:
        return self.line + line_offset(self.expression, offset)


def dax_sites(model: TmdlModel) -> list[DaxSite]:
    """Every DAX expression: measures (and dynamic format strings), calculated columns and tables,
    calculation items and row-level security filters."""
    sites: list[DaxSite] = []
    for table in model.tables:
        for measure in table.measures:
            label = f"measure [{measure.name}]"
            sites.append(
                DaxSite(
                    label,
                    measure.expression,
                    measure.file,
                    measure.expression_line,
                    None,
                    table.name,
                    measure.name,
                )
            )
            if measure.format_string_expression is not None:
                sites.append(
                    DaxSite(
                        f"{label} format string",
                        measure.format_string_expression,
                        measure.file,
                        measure.line,
                        None,
                        table.name,
                    )
                )
        for column in table.columns:
            if column.expression is not None:
                sites.append(
                    DaxSite(
                        f"calculated column '{table.name}'[{column.name}]",
                        column.expression,
                        column.file,
                        column.expression_line or column.line,
                        table.name,
                        table.name,
                    )
                )
        for partition in table.partitions:
            if partition.source_type.lower() == "calculated" and partition.source is not None:
                sites.append(
                    DaxSite(
                        f"calculated table '{table.name}'",
                        partition.source,
                        partition.file,
                        partition.source_line or partition.line,
                        None,
                        table.name,
                    )
                )
        for item in table.calculation_items:
            sites.append(
                DaxSite(
                    f"calculation item '{table.name}'[{item.name}]",
                    item.expression,
                    item.file,
                    item.expression_line,
                    None,
                    table.name,
                )
            )
    for role in model.roles:
        for permission in role.table_permissions:
            sites.append(
                DaxSite(
                    f"role '{role.name}' filter on '{permission.table}'",
                    permission.expression,
                    permission.file,
                    permission.expression_line,
                    permission.table,
                    permission.table,
                )
            )
    return sites
