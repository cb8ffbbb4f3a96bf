"""Read a TMDL semantic model folder (as Power BI Desktop saves it) into a typed model.

TMDL is indentation-based: an object line (``table 'Order Lines'``, ``measure Sales = ...``) owns
the more-indented lines under it: properties (``dataType: int64``), flags (``isHidden``), ``=``
expressions (on the line, on the lines two levels deeper, or between ````` fences), child
objects, and ``///`` descriptions on the lines just above an object. ``parse_tmdl`` turns one file
into a tree of ``Node``; ``parse_semantic_model`` reads every ``.tmdl`` file of a model folder and
builds the ``TmdlModel`` the checks work on. Errors name the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from salespulse.errors import Problem

FENCE = "```"
_PROPERTY = re.compile(r"^([A-Za-z_]\w*)\s*:\s?(.*)$")
_EXPRESSION_PROPERTY = re.compile(r"^([A-Za-z_]\w*)\s*=\s?(.*)$")
_FLAG = re.compile(r"^([A-Za-z_]\w*)$")
_REF = re.compile(r"^ref\s+([A-Za-z_]\w*)\s+(.+)$")
_OBJECT = re.compile(r"^([A-Za-z_]\w*)\s+(.*)$")


class TmdlError(Exception):
    """A TMDL file that cannot be read; names the file and line."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}, line {line}: {message}")

    def problem(self) -> Problem:
        return Problem(file=self.file, line=self.line, message=f"TMDL syntax: {self.message}")


@dataclass
class Node:
    """One TMDL object, property group or ``name = expression`` line, with what is indented under it."""

    kind: str
    name: str | None
    file: str
    line: int
    value: str | None = None  # the expression after '=' (None: no '=')
    value_line: int | None = None  # first line of the expression's text
    description: str = ""
    properties: dict[str, str] = field(default_factory=dict)  # 'name: value', flags ('true')
    property_lines: dict[str, int] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    def objects(self, kind: str) -> list[Node]:
        return [child for child in self.children if child.kind == kind]

    def first(self, kind: str) -> Node | None:
        return next((child for child in self.children if child.kind == kind), None)

    def annotations(self) -> dict[str, str]:
        return {child.name or "": child.value or "" for child in self.objects("annotation")}


@dataclass
class _Line:
    number: int  # 1-based
    level: int  # indentation levels (tabs, or the file's space unit)
    text: str  # without indentation
    raw: str

    @property
    def blank(self) -> bool:
        return not self.text


def unquote_name(text: str) -> str:
    """``'Order Lines'`` -> ``Order Lines`` (``''`` is a quote); unquoted names are stripped."""
    text = text.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text


def unquote_value(text: str) -> str:
    """A property value: ``"#,0;-#,0;0"`` -> ``#,0;-#,0;0`` (``""`` is a quote); else as written."""
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def split_name(text: str, stop: str = "=") -> tuple[str, str]:
    """Read one (quoted or unquoted) name at the start of ``text``: (name, rest of text).

    An unquoted name ends before any character of ``stop``.
    """
    text = text.lstrip()
    if not text.startswith("'"):
        end = next((index for index, char in enumerate(text) if char in stop), len(text))
        return text[:end].strip(), text[end:]
    index = 1
    while index < len(text):
        if text[index] == "'":
            if text[index + 1 : index + 2] == "'":
                index += 2
                continue
            return text[1:index].replace("''", "'"), text[index + 1 :]
        index += 1
    raise ValueError(f"unterminated quoted name: {text}")


def split_column_ref(text: str) -> tuple[str, str]:
    """``'Order Lines'.'Order Date Key'`` -> (``Order Lines``, ``Order Date Key``)."""
    table, rest = split_name(text, stop=".")
    if not rest.startswith("."):
        raise ValueError(f"expected Table.Column, got {text!r}")
    return table, unquote_name(rest[1:])


def _indent_unit(raw_lines: list[str]) -> int:
    """0 for tab indentation, else the number of spaces of one level (the smallest indentation)."""
    if any(line.startswith("\t") for line in raw_lines):
        return 0
    widths = [len(line) - len(line.lstrip(" ")) for line in raw_lines if line.strip()]
    return min((width for width in widths if width), default=4)


def _lines(text: str, unit: int) -> list[_Line]:
    raw_lines = text.splitlines()
    tabs = unit == 0
    result = []
    for number, raw in enumerate(raw_lines, start=1):
        indent = len(raw) - len(raw.lstrip("\t" if tabs else " "))
        level = indent if tabs else indent // unit
        result.append(_Line(number, level, raw.strip(), raw))
    return result


def _dedent(raw: str, levels: int, unit: int) -> str:
    """Remove ``levels`` indentation levels (tabs, or ``unit`` spaces each) from an expression line."""
    if not raw.strip():
        return ""
    if unit == 0:
        removed = 0
        while removed < levels and raw.startswith("\t"):
            raw, removed = raw[1:], removed + 1
        return raw.rstrip()
    width = len(raw) - len(raw.lstrip(" "))
    return raw[min(width, levels * unit) :].rstrip()


class _Parser:
    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.unit = _indent_unit(text.splitlines())
        self.lines = _lines(text, self.unit)
        self.index = 0

    def error(self, line: int, message: str) -> TmdlError:
        return TmdlError(self.file, line, message)

    def _peek_nonblank(self, start: int) -> _Line | None:
        for line in self.lines[start:]:
            if not line.blank:
                return line
        return None

    def parse(self) -> list[Node]:
        root = Node(kind="file", name=None, file=self.file, line=0)
        self._block(root, 0)
        if self.index < len(self.lines):
            line = self.lines[self.index]
            raise self.error(line.number, f"unexpected indentation: {line.text!r}")
        return root.children

    def _block(self, parent: Node, level: int) -> None:
        description: list[str] = []
        description_line = 0
        while self.index < len(self.lines):
            line = self.lines[self.index]
            if line.blank:
                self.index += 1
                continue
            if line.level < level:
                break
            if line.level > level:
                raise self.error(line.number, f"unexpected indentation: {line.text!r}")
            if line.text.startswith("///"):
                text = line.text[3:]
                description_line = description_line if description else line.number
                description.append(text[1:] if text.startswith(" ") else text)
                self.index += 1
                continue
            node = self._statement(line, parent)
            if description:
                node.description = "\n".join(description).strip()
                description = []
            following = self._peek_nonblank(self.index)
            if following is not None and following.level > level:
                if node.kind == "property":
                    raise self.error(following.number, f"unexpected indentation: {following.text!r}")
                self._block(node, level + 1)
        if description:
            raise self.error(description_line, "/// description is not followed by an object")

    def _statement(self, line: _Line, parent: Node) -> Node:
        """Read the statement at ``self.index`` (and its expression lines); return its node."""
        text = line.text
        self.index += 1
        if match := _PROPERTY.match(text):
            name, value = match.group(1), unquote_value(match.group(2))
            parent.properties[name] = value
            parent.property_lines[name] = line.number
            return Node(kind="property", name=name, file=self.file, line=line.number, value=value)
        if match := _EXPRESSION_PROPERTY.match(text):
            node = Node(kind=match.group(1), name=None, file=self.file, line=line.number)
            self._expression(node, line, match.group(2), property_expression=True)
            parent.properties[node.kind] = node.value or ""
            parent.property_lines[node.kind] = node.value_line or line.number
            parent.children.append(node)
            return node
        if match := _FLAG.match(text):
            node = Node(kind=match.group(1), name=None, file=self.file, line=line.number)
            following = self._peek_nonblank(self.index)
            if following is None or following.level <= line.level:
                parent.properties[node.kind] = "true"
                parent.property_lines[node.kind] = line.number
            parent.children.append(node)
            return node
        if match := _REF.match(text):
            node = Node(kind="ref", name=unquote_name(match.group(2)), file=self.file, line=line.number)
            node.properties["type"] = match.group(1)
            parent.children.append(node)
            return node
        if match := _OBJECT.match(text):
            kind, rest = match.group(1), match.group(2)
            try:
                name, rest = split_name(rest) if not rest.lstrip().startswith("=") else ("", rest)
            except ValueError as error:
                raise self.error(line.number, str(error)) from None
            rest = rest.strip()
            node = Node(kind=kind, name=name, file=self.file, line=line.number)
            if rest.startswith("="):
                self._expression(node, line, rest[1:].lstrip(), property_expression=False)
            elif rest:
                raise self.error(line.number, f"unexpected text after the name of {kind} {name!r}: {rest!r}")
            parent.children.append(node)
            return node
        raise self.error(line.number, f"cannot read {text!r}")

    def _expression(self, node: Node, line: _Line, first: str, *, property_expression: bool) -> None:
        """The expression after '=': on the line, fenced by ```, or on the more-indented lines below."""
        if first.startswith(FENCE):
            self._fenced(node, line, first)
            return
        body = [first] if first else []
        node.value_line = line.number if first else None
        following = self._peek_nonblank(self.index)
        if following is not None:
            deep = following.level >= line.level + 2
            shallow = following.level == line.level + 1 and property_expression and not first
            if deep or shallow:
                levels = following.level
                node.value_line = node.value_line or following.number
                while self.index < len(self.lines):
                    current = self.lines[self.index]
                    if not current.blank and current.level < levels:
                        break
                    if current.blank:
                        after = self._peek_nonblank(self.index)
                        if after is None or after.level < levels:
                            break
                    body.append(_dedent(current.raw, levels, self.unit))
                    self.index += 1
        node.value = "\n".join(body)
        node.value_line = node.value_line or line.number

    def _fenced(self, node: Node, line: _Line, first: str) -> None:
        rest = first[len(FENCE) :]
        if FENCE in rest:
            node.value, node.value_line = rest[: rest.index(FENCE)], line.number
            return
        body = [rest] if rest.strip() else []
        start = self.index
        while self.index < len(self.lines):
            current = self.lines[self.index]
            self.index += 1
            if current.text.startswith(FENCE):
                node.value = "\n".join(_dedent(raw, current.level, self.unit) for raw in body)
                node.value_line = start + 1
                return
            body.append(current.raw)
        raise self.error(line.number, "``` expression is never closed")


def parse_tmdl(text: str, file: str = "<tmdl>") -> list[Node]:
    """The top-level objects of one TMDL file."""
    return _Parser(text.lstrip("\ufeff"), file).parse()


# ---------------------------------------------------------------------------------------------
# The typed model


def _flag(properties: dict[str, str], name: str, default: bool = False) -> bool:
    value = properties.get(name)
    if value is None:
        return default
    return value.strip().lower() != "false"


@dataclass
class Located:
    file: str
    line: int

    def problem(self, message: str, line: int | None = None) -> Problem:
        return Problem(file=self.file, line=line or self.line, message=message)


@dataclass
class Column(Located):
    name: str
    table: str
    data_type: str | None = None
    is_hidden: bool = False
    is_key: bool = False
    source_column: str | None = None
    summarize_by: str | None = None
    sort_by_column: str | None = None
    data_category: str | None = None
    format_string: str | None = None
    display_folder: str | None = None
    description: str = ""
    expression: str | None = None  # calculated column
    expression_line: int | None = None
    properties: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def is_calculated(self) -> bool:
        return self.expression is not None

    @property
    def is_numeric(self) -> bool:
        return (self.data_type or "").lower() in {"int64", "decimal", "double"}


@dataclass
class Measure(Located):
    name: str
    table: str
    expression: str
    expression_line: int
    format_string: str | None = None
    format_string_expression: str | None = None
    display_folder: str | None = None
    description: str = ""
    is_hidden: bool = False
    properties: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass
class Level(Located):
    name: str
    column: str | None


@dataclass
class Hierarchy(Located):
    name: str
    table: str
    levels: list[Level] = field(default_factory=list)


@dataclass
class Partition(Located):
    name: str
    table: str
    source_type: str  # m | calculated | entity | ...
    mode: str | None = None
    source: str | None = None  # M (import) or DAX (calculated)
    source_line: int | None = None


@dataclass
class RefreshPolicy(Located):
    table: str
    source_expression: str | None = None
    source_expression_line: int | None = None
    polling_expression: str | None = None  # detect data changes: M evaluated per partition
    polling_expression_line: int | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class CalculationItem(Located):
    name: str
    table: str
    expression: str
    expression_line: int


@dataclass
class Table(Located):
    name: str
    description: str = ""
    data_category: str | None = None
    is_hidden: bool = False
    columns: list[Column] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    hierarchies: list[Hierarchy] = field(default_factory=list)
    partitions: list[Partition] = field(default_factory=list)
    calculation_items: list[CalculationItem] = field(default_factory=list)
    refresh_policy: RefreshPolicy | None = None
    properties: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column | None:
        wanted = name.lower()
        return next((column for column in self.columns if column.name.lower() == wanted), None)

    def measure(self, name: str) -> Measure | None:
        wanted = name.lower()
        return next((measure for measure in self.measures if measure.name.lower() == wanted), None)

    @property
    def key_columns(self) -> list[Column]:
        return [column for column in self.columns if column.is_key]

    @property
    def is_calculated(self) -> bool:
        return any(partition.source_type.lower() == "calculated" for partition in self.partitions)

    @property
    def is_date_table(self) -> bool:
        return (self.data_category or "").lower() == "time"


@dataclass
class Relationship(Located):
    name: str
    from_table: str
    from_column: str
    to_table: str
    to_column: str
    is_active: bool = True
    cross_filtering_behavior: str = "oneDirection"
    from_cardinality: str = "many"
    to_cardinality: str = "one"
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class TablePermission(Located):
    role: str
    table: str
    expression: str
    expression_line: int


@dataclass
class Role(Located):
    name: str
    description: str = ""
    model_permission: str | None = None
    table_permissions: list[TablePermission] = field(default_factory=list)


@dataclass
class NamedExpression(Located):
    """A shared expression of expressions.tmdl: a parameter, a query or an M function."""

    name: str
    expression: str
    expression_line: int
    description: str = ""
    query_group: str | None = None
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def is_parameter(self) -> bool:
        return bool(re.search(r"IsParameterQuery\s*=\s*true", self.expression, re.IGNORECASE))

    @property
    def is_function(self) -> bool:
        return bool(re.match(r"\s*\([^()]*\)\s*(as\s+\w+\s*)?=>", self.expression))


@dataclass
class Ref(Located):
    type: str
    name: str


@dataclass
class TmdlModel:
    folder: Path
    name: str = "Model"
    model_file: str = "model.tmdl"
    properties: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    annotation_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    database: dict[str, str] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    expressions: list[NamedExpression] = field(default_factory=list)
    cultures: list[str] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    other: list[Node] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        wanted = name.lower()
        return next((table for table in self.tables if table.name.lower() == wanted), None)

    def column(self, table: str, column: str) -> Column | None:
        found = self.table(table)
        return found.column(column) if found else None

    def measures(self) -> Iterator[Measure]:
        for table in self.tables:
            yield from table.measures

    def measure(self, name: str) -> Measure | None:
        wanted = name.lower()
        return next((measure for measure in self.measures() if measure.name.lower() == wanted), None)

    def expression(self, name: str) -> NamedExpression | None:
        return next((item for item in self.expressions if item.name.lower() == name.lower()), None)


def _column(node: Node, table: str) -> Column:
    props = node.properties
    return Column(
        file=node.file,
        line=node.line,
        name=node.name or "",
        table=table,
        data_type=props.get("dataType"),
        is_hidden=_flag(props, "isHidden"),
        is_key=_flag(props, "isKey"),
        source_column=props.get("sourceColumn"),
        summarize_by=props.get("summarizeBy"),
        sort_by_column=unquote_name(props["sortByColumn"]) if "sortByColumn" in props else None,
        data_category=props.get("dataCategory"),
        format_string=props.get("formatString"),
        display_folder=props.get("displayFolder"),
        description=node.description,
        expression=node.value,
        expression_line=node.value_line,
        properties=props,
        annotations=node.annotations(),
    )


def _measure(node: Node, table: str) -> Measure:
    props = node.properties
    dynamic = node.first("formatStringDefinition")
    return Measure(
        file=node.file,
        line=node.line,
        name=node.name or "",
        table=table,
        expression=node.value or "",
        expression_line=node.value_line or node.line,
        format_string=props.get("formatString"),
        format_string_expression=dynamic.value if dynamic else None,
        display_folder=props.get("displayFolder"),
        description=node.description,
        is_hidden=_flag(props, "isHidden"),
        properties=props,
        annotations=node.annotations(),
    )


def _hierarchy(node: Node, table: str) -> Hierarchy:
    levels = [
        Level(
            file=level.file,
            line=level.property_lines.get("column", level.line),
            name=level.name or "",
            column=unquote_name(level.properties["column"]) if "column" in level.properties else None,
        )
        for level in node.objects("level")
    ]
    return Hierarchy(file=node.file, line=node.line, name=node.name or "", table=table, levels=levels)


def _partition(node: Node, table: str) -> Partition:
    source = node.first("source")
    return Partition(
        file=node.file,
        line=node.line,
        name=node.name or "",
        table=table,
        source_type=(node.value or "").strip(),
        mode=node.properties.get("mode"),
        source=source.value if source else node.properties.get("source"),
        source_line=(source.value_line or source.line) if source else None,
    )


def _table(node: Node) -> Table:
    name = node.name or ""
    table = Table(
        file=node.file,
        line=node.line,
        name=name,
        description=node.description,
        data_category=node.properties.get("dataCategory"),
        is_hidden=_flag(node.properties, "isHidden"),
        properties=node.properties,
        annotations=node.annotations(),
    )
    for child in node.children:
        if child.kind == "column":
            table.columns.append(_column(child, name))
        elif child.kind == "measure":
            table.measures.append(_measure(child, name))
        elif child.kind == "hierarchy":
            table.hierarchies.append(_hierarchy(child, name))
        elif child.kind == "partition":
            table.partitions.append(_partition(child, name))
        elif child.kind == "refreshPolicy":
            source = child.first("sourceExpression")
            polling = child.first("pollingExpression")
            table.refresh_policy = RefreshPolicy(
                file=child.file,
                line=child.line,
                table=name,
                source_expression=source.value if source else None,
                source_expression_line=(source.value_line or source.line) if source else None,
                polling_expression=polling.value if polling else None,
                polling_expression_line=(polling.value_line or polling.line) if polling else None,
                properties=child.properties,
            )
        elif child.kind == "calculationGroup":
            table.calculation_items += [
                CalculationItem(
                    file=item.file,
                    line=item.line,
                    name=item.name or "",
                    table=name,
                    expression=item.value or "",
                    expression_line=item.value_line or item.line,
                )
                for item in child.objects("calculationItem")
            ]
    return table


def _relationship(node: Node) -> Relationship:
    props = node.properties
    try:
        from_table, from_column = split_column_ref(props["fromColumn"])
        to_table, to_column = split_column_ref(props["toColumn"])
    except KeyError as missing:
        raise TmdlError(node.file, node.line, f"relationship {node.name} has no {missing.args[0]}") from None
    except ValueError as error:
        raise TmdlError(node.file, node.line, str(error)) from None
    return Relationship(
        file=node.file,
        line=node.line,
        name=node.name or "",
        from_table=from_table,
        from_column=from_column,
        to_table=to_table,
        to_column=to_column,
        is_active=_flag(props, "isActive", default=True),
        cross_filtering_behavior=props.get("crossFilteringBehavior", "oneDirection"),
        from_cardinality=props.get("fromCardinality", "many"),
        to_cardinality=props.get("toCardinality", "one"),
        properties=props,
    )


def _role(node: Node) -> Role:
    permissions = [
        TablePermission(
            file=child.file,
            line=child.line,
            role=node.name or "",
            table=child.name or "",
            expression=child.value or "",
            expression_line=child.value_line or child.line,
        )
        for child in node.objects("tablePermission")
        if child.value is not None
    ]
    return Role(
        file=node.file,
        line=node.line,
        name=node.name or "",
        description=node.description,
        model_permission=node.properties.get("modelPermission"),
        table_permissions=permissions,
    )


def _named_expression(node: Node) -> NamedExpression:
    return NamedExpression(
        file=node.file,
        line=node.line,
        name=node.name or "",
        expression=node.value or "",
        expression_line=node.value_line or node.line,
        description=node.description,
        query_group=node.properties.get("queryGroup"),
        properties=node.properties,
    )


def _add(model: TmdlModel, node: Node) -> None:
    kind = node.kind
    if kind == "table":
        model.tables.append(_table(node))
    elif kind == "relationship":
        model.relationships.append(_relationship(node))
    elif kind == "role":
        model.roles.append(_role(node))
    elif kind == "expression":
        model.expressions.append(_named_expression(node))
    elif kind == "cultureInfo":
        model.cultures.append(node.name or "")
    elif kind == "database":
        model.database.update(node.properties)
    elif kind == "model":
        model.name, model.model_file = node.name or "Model", node.file
        model.properties.update(node.properties)
        for child in node.children:
            _add(model, child)
    elif kind == "annotation":
        model.annotations[node.name or ""] = (node.value or "").strip()
        model.annotation_lines[node.name or ""] = (node.file, node.line)
    elif kind == "ref":
        model.refs.append(
            Ref(file=node.file, line=node.line, type=node.properties["type"], name=node.name or "")
        )
    elif node.name is not None or node.value is not None or node.children:
        model.other.append(node)


def definition_folder(folder: Path) -> Path:
    """The ``definition`` folder of a semantic model folder (or the folder itself)."""
    if (folder / "definition").is_dir():
        return folder / "definition"
    return folder


def parse_semantic_model(folder: Path) -> TmdlModel:
    """Every ``.tmdl`` file under ``folder`` (a ``*.SemanticModel`` or its ``definition`` folder).

    File names in the model (and in errors) are relative to ``folder``.
    """
    folder = Path(folder)
    definition = definition_folder(folder)
    files = sorted(definition.rglob("*.tmdl"))
    if not files:
        raise TmdlError(str(folder), 0, "no .tmdl files (expected a definition/ folder)")
    model = TmdlModel(folder=folder, model_file=(definition / "model.tmdl").relative_to(folder).as_posix())
    for path in files:
        relative = path.relative_to(folder).as_posix()
        model.files.append(relative)
        for node in parse_tmdl(path.read_text(encoding="utf-8-sig"), relative):
            _add(model, node)
    return model
