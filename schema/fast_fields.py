"""Plain model attributes resolved without Strawberry's per-field machinery.

A page of 50 tasks with their project and assignee resolves ~600 fields; through Strawberry
and strawberry-django each one builds an `Info`, parses (absent) arguments, chains field
extensions and asks strawberry-django whether the attribute is loaded: ~20 us a field, most of
an uncached list request. For a field that is only a model column or a forward relation, with
no resolver, permission or extension of its own, none of that can change the answer, so its
GraphQL resolver is replaced by a direct read of the loaded value.

When the value is not loaded (a deferred column, a relation not joined) the fast resolver
hands over to the original one, which loads it as before: same answers, same queries, and the
same async safety for subscriptions (which must not touch the database from the event loop).

A page whose whole selection is such fields is not even built as instances: it is fetched as
rows of exactly the selected columns (`UnfetchedPage`, `PlainObjectCompletion`), with SQL
remembered for the list's later reads by any viewer with the same flags.
"""

import dataclasses
import functools
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, time
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.db.models.query_utils import DeferredAttribute
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    Undefined,
    Visitor,
    is_leaf_type,
    visit,
)
from strawberry import Schema
from strawberry.schema.types.base_scalars import isoformat as strawberry_isoformat
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import optimizer
from strawberry_django.utils.typing import get_django_definition

_NOT_LOADED = object()


def _direct_resolver(read_loaded, original, *, model, column=None, relation=None):
    def resolve(source, info, **kwargs):
        value = read_loaded(source)
        if value is _NOT_LOADED:
            return original(source, info, **kwargs)
        return value

    # For PlainObjectCompletion, which reads without going through graphql-core at all, from
    # instances (`read_loaded`) or from rows of columns (`column`, `relation`).
    resolve.read_loaded = read_loaded
    resolve.model = model
    resolve.column = column
    resolve.relation = relation
    return resolve


def _column_resolver(model, attname: str, original):
    return _direct_resolver(
        lambda source: source.__dict__.get(attname, _NOT_LOADED),
        original,
        model=model,
        column=attname,
    )


def _relation_resolver(model, relation, original):
    return _direct_resolver(
        lambda source: relation.get_cached_value(source, _NOT_LOADED),
        original,
        model=model,
        relation=relation,
    )


def _fast_resolver(model: type[Model], field: StrawberryDjangoField, original):
    if (
        field.base_resolver is not None
        or field.permission_classes
        or field.extensions
        or field.directives
    ):
        return None
    name = field.django_name or field.python_name
    descriptor = model.__dict__.get(name)
    # Exact classes: subclasses (FileField's descriptor, reverse one-to-one) wrap the value.
    if type(descriptor) is DeferredAttribute:
        return _column_resolver(model, descriptor.field.attname, original)
    if type(descriptor) is ForwardManyToOneDescriptor:
        return _relation_resolver(model, descriptor.field, original)
    return None


def resolve_plain_fields_directly(schema: Schema) -> list[str]:
    """Swap in direct resolvers for every eligible field of the schema's model types.

    Returns the `Type.field` names it changed, so that a test can pin the hot ones.
    """
    changed = []
    for definition in schema.schema_converter.type_map.values():
        strawberry_type = definition.definition
        graphql_type = definition.implementation
        django_definition = get_django_definition(getattr(strawberry_type, "origin", None))
        if django_definition is None or not isinstance(graphql_type, GraphQLObjectType):
            continue
        model = django_definition.model
        for field in strawberry_type.fields:
            if not isinstance(field, StrawberryDjangoField):
                continue
            graphql_name = schema.config.name_converter.get_graphql_name(field)
            graphql_field = graphql_type.fields[graphql_name]
            fast = _fast_resolver(model, field, graphql_field.resolve)
            if fast is None:
                continue
            graphql_field.resolve = fast
            changed.append(f"{graphql_type.name}.{graphql_name}")
    return sorted(changed)


class _Entry(NamedTuple):
    """One selected field of a plain selection."""

    key: str
    read: Callable  # the loaded value of an instance, or _NOT_LOADED
    resolve: Callable | None  # the direct resolver (None for `__typename`)
    coerce: Callable | None  # a leaf's value as sent, or _NOT_LOADED when refused
    nested: "_PlainSelection | None"
    nullable: bool


class _PlainSelection:
    """How to complete one object type's selection made only of direct reads."""

    def __init__(self, object_type: GraphQLObjectType):
        self.object_type = object_type
        self.entries: list[_Entry] = []
        self._row_readers: dict[type[Model], _RowReader | None] = {}

    def complete(self, source, info):
        """The completed dict, or _NOT_LOADED when graphql-core must do it (and report)."""
        is_type_of = self.object_type.is_type_of
        if is_type_of is not None and is_type_of(source, info) is not True:
            return _NOT_LOADED
        completed = {}
        for key, read, _, coerce, nested, nullable in self.entries:
            value = read(source)
            if value is None:
                if not nullable:
                    return _NOT_LOADED
            elif value is _NOT_LOADED:
                return _NOT_LOADED
            elif nested is not None:
                value = nested.complete(value, info)
            elif coerce is not None:
                value = coerce(value)
            if value is _NOT_LOADED:
                return _NOT_LOADED
            completed[key] = value
        return completed

    def row_reader(self, model: type[Model]) -> "_RowReader | None":
        """How to complete this selection from rows of `model`'s columns, or None when some
        selected field is not a column or a forward relation of `model`."""
        if model not in self._row_readers:
            self._row_readers[model] = _RowReader.plan(self, model)
        return self._row_readers[model]


class _Fast(NamedTuple):
    """A leaf's common case as generated source: when `condition` holds for the value `{v}`,
    `expression` is what the coercer would return (the row reader inlines it)."""

    condition: str
    expression: str
    values: dict  # names the source uses, as `{name}` placeholders


@functools.cache
def _coercer(leaf_type: GraphQLLeafType) -> Callable:
    """A leaf's value as sent, or _NOT_LOADED when its type refuses it.

    Strings, ids, booleans, enums and dates, most of a page's values, skip graphql-core's
    checks when they are already of a type they are sent as (graphql-core's own answer for
    them). The coercer's `fast` holds that shortcut for generated code.
    """

    def coerced(value):
        try:
            value = leaf_type.coerce_output_value(value)
        except Exception:
            return _NOT_LOADED
        return _NOT_LOADED if value is None or value is Undefined else value

    if leaf_type is GraphQLString or leaf_type is GraphQLBoolean:
        plain = str if leaf_type is GraphQLString else bool
        return _with_fast(
            lambda value: value if type(value) is plain else coerced(value),
            _Fast("type({v}) is {plain}", "{v}", {"plain": plain}),
        )
    if leaf_type is GraphQLID:
        return _with_fast(
            lambda value: str(value) if type(value) is int else coerced(value),
            _Fast("type({v}) is int", "str({v})", {}),
        )
    if isinstance(leaf_type, GraphQLEnumType):
        # A handful of stored values, each always sent as the same name: remembered.
        names: dict = {}

        def named(value):
            name = names.get(value, _NOT_LOADED) if type(value) is str else _NOT_LOADED
            if name is _NOT_LOADED:
                name = coerced(value)
                if name is not _NOT_LOADED and type(value) is str and len(names) < 256:
                    names[value] = name
            return name

        # Only strings are remembered, so a value of another type is never found.
        return _with_fast(named, _Fast("{v} in {names}", "{names}[{v}]", {"names": names}))
    if getattr(leaf_type, "coerce_output_value", None) is strawberry_isoformat:
        # Strawberry's Date, DateTime and Time send `value.isoformat()`.
        return _with_fast(
            coerced,
            _Fast("type({v}) in {dates}", "{v}.isoformat()", {"dates": (datetime, date, time)}),
        )
    return coerced


def _with_fast(coerce: Callable, fast: _Fast) -> Callable:
    coerce.fast = fast
    return coerce


class _RowReader:
    """Completes a plain selection from tuples of column values (`values_list`).

    The columns are the ones the instances would have been loaded with, read through the same
    joins, so each value is the one the direct resolver would have read from the instance.
    """

    def __init__(self, lookups: list[str]):
        # Shared by a reader and its nested readers: they read one row.
        self.lookups = lookups
        # (key, constant, column index, coercer, nested reader, nullable)
        self.steps: list[tuple] = []

    @classmethod
    def plan(cls, selection: _PlainSelection, model, prefix="", lookups=None, joined_on=None):
        """`joined_on`: for a related row, its key column and the lookup of the foreign key that
        holds the same value (read there, without going through the join)."""
        reader = cls([] if lookups is None else lookups)
        for entry in selection.entries:
            resolve = entry.resolve
            if resolve is None:  # __typename
                reader.steps.append((entry.key, selection.object_type.name, 0, None, None, False))
                continue
            if resolve.model is not model:
                return None
            if resolve.column is not None:
                if joined_on is not None and resolve.column == joined_on[0]:
                    index = reader._column(joined_on[1])
                else:
                    index = reader._column(prefix + resolve.column)
                reader.steps.append((entry.key, None, index, entry.coerce, None, entry.nullable))
                continue
            # A forward relation: null when its key column is, else the joined row's columns.
            relation = resolve.relation
            key_lookup = prefix + relation.attname
            index = reader._column(key_lookup)
            nested = cls.plan(
                entry.nested,
                relation.related_model,
                f"{prefix}{relation.name}__",
                reader.lookups,
                (relation.target_field.attname, key_lookup),
            )
            if nested is None:
                return None
            reader.steps.append((entry.key, None, index, None, nested, entry.nullable))
        return reader

    def _column(self, lookup: str) -> int:
        if lookup not in self.lookups:
            self.lookups.append(lookup)
        return self.lookups.index(lookup)

    @functools.cached_property
    def complete(self) -> Callable:
        """`complete(row)`: the completed dict of one row, or _NOT_LOADED when it breaks a rule."""
        return self._compile()

    def _compile(self) -> Callable:
        """This reader as one generated function, made once per plan (plans are shared by
        the requests of one document): a page completes 50 rows and their related rows, and
        a loop over the steps cost more than the values it completed.

        The source holds only generated names, column indexes and response keys (GraphQL
        names, which the parser allows only as `[_A-Za-z][_0-9A-Za-z]*`); every value it uses
        (constants, coercers) comes in through its globals.
        """
        lines, values = ["def complete(row):"], {"NOT_LOADED": _NOT_LOADED}
        result = self._emit(lines, values, itertools.count(), "    ")
        lines.append(f"    return {result}")
        namespace: dict = {}
        source = compile("\n".join(lines), f"<row reader {id(self)}>", "exec")
        exec(source, values, namespace)  # noqa: S102 (see the docstring)
        return namespace["complete"]

    def _emit(self, lines: list[str], values: dict, numbers, indent: str) -> str:
        """Lines that compute this reader's dict into a variable; that variable's name."""
        entries = []
        for key, constant, index, coerce, nested, nullable in self.steps:
            variable = f"v{next(numbers)}"
            entries.append(f"{key!r}: {variable}")
            if constant is not None:
                values[variable] = constant
                continue
            lines.append(f"{indent}{variable} = row[{index}]")
            lines.append(f"{indent}if {variable} is None:")
            lines.append(f"{indent}    {'pass' if nullable else 'return NOT_LOADED'}")
            lines.append(f"{indent}else:")
            if nested is not None:
                completed = nested._emit(lines, values, numbers, indent + "    ")
                lines.append(f"{indent}    {variable} = {completed}")
                continue
            values[f"coerce_{variable}"] = coerce
            inner = indent + "    "
            fast = getattr(coerce, "fast", None)
            if fast is not None:
                names = {name: f"{name}_{variable}" for name in fast.values}
                values.update({names[name]: value for name, value in fast.values.items()})
                condition = fast.condition.format(v=variable, **names)
                expression = fast.expression.format(v=variable, **names)
                if expression == variable:
                    lines.append(f"{inner}if not ({condition}):")
                else:
                    lines.append(f"{inner}if {condition}:")
                    lines.append(f"{inner}    {variable} = {expression}")
                    lines.append(f"{inner}else:")
                inner += "    "
            lines.append(f"{inner}{variable} = coerce_{variable}({variable})")
            lines.append(f"{inner}if {variable} is NOT_LOADED:")
            lines.append(f"{inner}    return NOT_LOADED")
        variable = f"d{next(numbers)}"
        lines.append(f"{indent}{variable} = {{{', '.join(entries)}}}")
        return variable


def optimized(queryset: QuerySet, info) -> QuerySet:
    """`queryset` planned by strawberry-django's optimizer for the field `info` resolves."""
    extension = optimizer.get()
    return extension.optimize(queryset, info=info) if extension is not None else queryset


class _Remembered:
    """A bounded, thread-safe memory, least recently used first out.

    Keys made of ids must keep their objects alive in the value, so that no id is reused while
    it is a key.
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _PlannedRead(NamedTuple):
    """How a page of a plain selection is read: its SQL (None when it matches nothing), whose
    last two parameters, LIMIT and OFFSET, come after `params`, and which of `params` are the
    viewer's id."""

    reader: _RowReader
    database: str
    sql: str | None
    params: tuple
    viewer_params: tuple[int, ...] = ()

    def params_for(self, viewer_id) -> tuple:
        if not self.viewer_params:
            return self.params
        params = list(self.params)
        for index in self.viewer_params:
            params[index] = viewer_id
        return tuple(params)


# One per list query, selection and viewer flags: every viewer's reads of a list after the
# second one anybody made skip building and compiling its QuerySet.
_planned_reads = _Remembered(1024)

# What is remembered of a page read once (its SQL is shared from its second read on: sharing
# costs a second build, not worth it for a page read once, such as a search as it is typed),
# and of one whose SQL cannot be shared (never tried again).
_READ_ONCE = "read once"
_NOT_SHAREABLE = "not shareable"

# No user has it (ids start at 1): a page built for it shows which parameters are the id.
_ANOTHER_VIEWER_ID = -1


class UnfetchedPage:
    """A page handed to the executor before its QuerySet is even built (synchronous execution
    only: the database must not be touched from an event loop).

    `PlainObjectCompletion` reads a plain selection of it as rows of exactly the selected
    columns, without building model instances, and fetches any other selection optimized.

    `paginated_for(viewer)` builds the page of what `viewer` sees (see schema/pagination.py,
    `Viewer`). `plan_key`, when given, names everything else the page's SQL depends on (the
    list field's nodes, the variables its arguments but the pagination read, the viewer's
    flags): the SQL compiled for a plain selection is remembered under it, the viewer's id and
    the page's window its parameters, and from the third read of the list on, by any viewers
    with those flags, any page of it runs at once. Building and compiling a filtered, joined
    QuerySet is most of Django's work for a page of 50 tasks (~1.1 ms of ~1.5 ms here);
    GraphQL servers such as Hasura and PostGraphile keep their SQL the same way.
    """

    def __init__(
        self,
        paginated_for: Callable[..., QuerySet],
        window: tuple[int | None, int],
        viewer=None,
        plan_key: "PlanKey | None" = None,
    ):
        self._paginated_for = paginated_for
        # (LIMIT, OFFSET) of the page: parameters of its SQL, so that the pages of a list
        # share one (Django would write them into the SQL text).
        self.window = window
        self.viewer = viewer
        self.plan_key = plan_key

    @functools.cached_property
    def queryset(self):
        return self._paginated_for(self.viewer)

    def fetched(self, info) -> list:
        queryset = self.queryset
        if not isinstance(queryset, QuerySet):
            return list(queryset)
        return list(optimized(queryset, info))

    def rows(self, selection: _PlainSelection) -> tuple[_RowReader, list] | None:
        """The page as rows of the selection's columns, and the reader that completes them;
        None when it must be fetched as instances."""
        key = None if self.plan_key is None else (self.plan_key, selection)
        remembered = None if key is None else _planned_reads.get(key)
        if isinstance(remembered, _PlannedRead):
            planned = remembered
            params = planned.params_for(self.viewer.pk)
        else:
            planned = _planned_read(self.queryset, selection, self.window)
            if planned is None:
                return None
            if planned.sql is None:
                # Nothing to read (`.none()`, or a limit of 0: not for the list's other pages).
                return planned.reader, []
            params = planned.params
            if key is not None and remembered is None:
                _planned_reads.put(key, _READ_ONCE)
            elif remembered is _READ_ONCE:
                shared = self._shared(planned, selection)
                _planned_reads.put(key, _NOT_SHAREABLE if shared is None else shared)
        with connections[planned.database].cursor() as cursor:
            cursor.execute(planned.sql, (*params, *self.window))
            return planned.reader, cursor.fetchall()

    def _shared(self, planned: _PlannedRead, selection) -> _PlannedRead | None:
        """This viewer's read as a read for any viewer with the same flags: the same page
        built for another id shows which parameters are the id. None when the two reads
        differ in any other way (SQL, or a parameter that is not just the id)."""
        another = self.viewer._replace(pk=_ANOTHER_VIEWER_ID)
        theirs = _planned_read(self._paginated_for(another), selection, self.window)
        if theirs is None or theirs.sql != planned.sql or len(theirs.params) != len(planned.params):
            return None
        viewer_params = []
        for index, (mine, other) in enumerate(zip(planned.params, theirs.params, strict=True)):
            if type(mine) is type(other) and mine == other:
                continue
            if not (mine == self.viewer.pk and other == _ANOTHER_VIEWER_ID and type(mine) is int):
                return None
            viewer_params.append(index)
        return planned._replace(viewer_params=tuple(viewer_params))


def _planned_read(queryset, selection: _PlainSelection, window) -> _PlannedRead | None:
    """How to read `queryset`, sliced to `window`, as rows of the selection's columns, its
    SQL taking the window's LIMIT and OFFSET as its last parameters; None when it cannot be."""
    if not isinstance(queryset, QuerySet):
        return None
    query = queryset.query
    if (
        query.distinct
        or query.combinator
        or query.select_for_update
        or queryset._prefetch_related_lookups
        or _window_of(query) != window
    ):
        return None
    reader = selection.row_reader(queryset.model)
    if reader is None:
        return None
    rows = queryset.values_list(*reader.lookups)
    compiler = rows.query.get_compiler(rows.db)
    try:
        sql, params = compiler.as_sql(with_limits=False)
    except EmptyResultSet:
        sql = None
    if not sql:
        return _PlannedRead(reader, rows.db, None, ())
    # Rows that Django's `results_iter` would change after reading them (JSON decoded, say)
    # are left to the instances, which convert them the same way.
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    if (
        compiler.has_extra_select
        or compiler.get_converters(columns)
        or compiler.has_composite_fields(columns)
    ):
        return None
    return _PlannedRead(reader, rows.db, f"{sql} LIMIT %s OFFSET %s", tuple(params))


def _window_of(query) -> tuple[int | None, int]:
    high, low = query.high_mark, query.low_mark
    return (None if high is None else high - low), low


_shared_plans = _Remembered(512)


def _variables_key(operation, variables: dict, names=None) -> tuple:
    """The variables' values (of `names` only, when given) as a key."""
    if not operation.variable_definitions:
        return ()
    if names is not None:
        variables = {name: variables.get(name) for name in names}
    return tuple(sorted((name, repr(value)) for name, value in variables.items()))


class _VariableNames(Visitor):
    """Collects the names of the variables that nodes read; with `within`, only those read
    inside nodes of those kinds."""

    def __init__(self, within: tuple[str, ...] = ()):
        super().__init__()
        self.names: set[str] = set()
        self._within = within
        self._depth = 0

    def enter(self, node, *_):
        if node.kind in self._within:
            self._depth += 1
        elif node.kind == "variable" and (self._depth or not self._within):
            self.names.add(node.name.value)

    def leave(self, node, *_):
        if node.kind in self._within:
            self._depth -= 1


_variable_names = _Remembered(1024)


def _variables_read(purpose: str, anchors: tuple, nodes, within=()) -> frozenset[str]:
    """The variables that `nodes` read (see `_VariableNames`), worked out once per document:
    remembered by `purpose` and the ids of `anchors`, which the entry keeps alive."""
    key = (purpose, tuple(map(id, anchors)))
    remembered = _variable_names.get(key)
    if remembered is None:
        collector = _VariableNames(within)
        for node in nodes:
            visit(node, collector)
        remembered = (anchors, frozenset(collector.names))
        _variable_names.put(key, remembered)
    return remembered[1]


def _variables_read_by_directives(operation, fragments: dict) -> frozenset[str]:
    """The variables that may change which fields an operation selects: those its directives
    read, and those passed to fragments (whose directives may read them under another name);
    the other variables are field arguments."""
    return _variables_read(
        "directives",
        (operation,),
        (operation, *(fragment.definition for fragment in fragments.values())),
        within=("directive", "fragment_spread"),
    )


@dataclasses.dataclass(frozen=True)
class PlanKey:
    """What a list field's SQL depends on: its nodes in a prepared document (which hold its
    arguments), the variables they may read, and what the list's rules read of the viewer.

    Nodes compare by value, deeply: the key holds their ids, and the nodes only to keep those
    ids from being reused while the key is remembered.
    """

    node_ids: tuple
    variables: tuple
    viewer: tuple
    nodes: tuple = dataclasses.field(compare=False, repr=False)

    @classmethod
    def of(cls, operation, nodes, variables: dict, viewer: tuple, *, window_argument: str):
        """The key of a list field's `nodes`; the variables read by its `window_argument`
        (`pagination`) are left out: the page's window is a parameter of its SQL."""
        nodes = tuple(nodes)
        read = _variables_read(
            "arguments",
            nodes,
            (
                argument
                for node in nodes
                for argument in node.arguments or ()
                if argument.name.value != window_argument
            ),
        )
        return cls(tuple(map(id, nodes)), _variables_key(operation, variables, read), viewer, nodes)


class PlainObjectCompletion:
    """Execution context mixin: objects whose selected fields are all direct reads (columns,
    joined relations, `__typename`) are completed in one pass, without graphql-core building
    a `GraphQLResolveInfo`, calling the middleware and completing each field one by one.

    The middleware skipped is the optimizer's `resolve` hook, which only acts on QuerySets,
    never on a column or a joined row. An object whose values are not all loaded, or that
    breaks a rule (null in a non-null field, a value a scalar refuses), goes the normal way,
    which loads or reports it as before: reads have no side effects, so nothing runs twice.

    An `UnfetchedPage` of such objects is read as rows (`values_list`) of the selected columns
    and completed from them: the same SQL joins and filters, without instances. A row that
    breaks a rule sends the whole page the normal way.
    """

    def complete_list_value(
        self, return_type, field_details_list, info, path, result, position_context
    ):
        if isinstance(result, UnfetchedPage):
            completed = self._completed_rows(return_type.of_type, field_details_list, result)
            if completed is not None:
                return completed
            result = result.fetched(info)
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _completed_rows(self, item_type, field_details_list, page: UnfetchedPage):
        nullable = not isinstance(item_type, GraphQLNonNull)
        object_type = item_type if nullable else item_type.of_type
        if not isinstance(object_type, GraphQLObjectType):
            return None
        selection = self._plain_selection(object_type, field_details_list)
        read = page.rows(selection) if selection is not None else None
        if read is None:
            return None
        reader, rows = read
        completed, complete = [], reader.complete
        for row in rows:
            value = complete(row)
            if value is _NOT_LOADED:
                return None
            completed.append(value)
        return completed

    def complete_object_value(
        self, return_type, field_details_list, info, path, result, position_context
    ):
        selection = self._plain_selection(return_type, field_details_list)
        if selection is not None:
            completed = selection.complete(result, info)
            if completed is not _NOT_LOADED:
                return completed
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plain_selection(self, object_type, field_details_list) -> _PlainSelection | None:
        plans = self.__dict__.setdefault("_plain_selections", {})
        # Keyed like graphql-core's own memo: the list is kept alive so its id is not reused.
        key = (object_type.name, id(field_details_list))
        if key not in plans:
            plans[key] = (field_details_list, self._shared_plan(object_type, field_details_list))
        return plans[key][1]

    def _shared_plan(self, object_type, field_details_list) -> _PlainSelection | None:
        """The plan of a selection, made once for every request of the same parsed document.

        The parser cache (schema/limits.py) gives every request with the same query text the
        same document, so its nodes identify the selection; the variables that `@skip` and
        `@include` read are part of the key (a plan holds no field with arguments, so no other
        variable changes it: a list paged with `offset: $offset` shares one plan). Entries keep
        their operation and nodes alive, so that no id is reused while it is a key.
        """
        if any(details.defer_usage is not None for details in field_details_list):
            return self._plan(object_type, field_details_list)
        nodes = tuple(details.node for details in field_details_list)
        selecting = _variables_read_by_directives(self.operation, self.fragments)
        key = (
            id(self.operation),
            object_type.name,
            tuple(map(id, nodes)),
            _variables_key(self.operation, self.variable_values.coerced, selecting),
        )
        shared = _shared_plans.get(key)
        if shared is not None:
            return shared[2]
        plan = self._plan(object_type, field_details_list)
        _shared_plans.put(key, (self.operation, nodes, plan))
        return plan

    def _plan(self, object_type, field_details_list) -> _PlainSelection | None:
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        selection = _PlainSelection(object_type)
        for key, sub_field_details in grouped_field_set.items():
            node = sub_field_details[0].node
            if node.name.value == "__typename":
                selection.entries.append(
                    _Entry(
                        key,
                        lambda source, name=object_type.name: name,
                        None,
                        None,
                        None,
                        False,
                    )
                )
                continue
            field = object_type.fields.get(node.name.value)
            read = getattr(field.resolve, "read_loaded", None) if field else None
            if read is None or node.arguments:
                return None
            nullable = not isinstance(field.type, GraphQLNonNull)
            field_type = field.type if nullable else field.type.of_type
            if is_leaf_type(field_type):
                selection.entries.append(
                    _Entry(key, read, field.resolve, _coercer(field_type), None, nullable)
                )
            elif isinstance(field_type, GraphQLObjectType):
                nested = self._plain_selection(field_type, sub_field_details)
                if nested is None:
                    return None
                selection.entries.append(_Entry(key, read, field.resolve, None, nested, nullable))
            else:
                return None
        return selection
