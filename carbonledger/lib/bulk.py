"""Insert many rows of one model without building model instances.

`Model.objects.bulk_create` prepares every value of every row through the
field API and, on SQLite, splits the insert into statements of at most 999
parameters (about 25 rows of a wide table). For imports of tens of thousands of
rows that dominates the time. `GroupedRowInserter` prepares each column once:
values that are the same for every row are converted once, the others through
the backend's own adapter for their type; values that rows share in groups (the
lines of one kind in an imported file) are sent once per group, through two
temporary tables and one INSERT ... SELECT. Signals are not sent, as with
`bulk_create`.

`insert_rows` is the part that sends already adapted rows to a table.
`copy_to_history` writes the django-simple-history rows of the inserted rows in
one INSERT ... SELECT, so the history holds exactly what the table holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations as BaseOperations

# Fields whose Python values the database drivers take as they are; the values
# are checked upstream, as `bulk_create` would not check them either.
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _adapter(field: models.Field):
    """Return the per-value conversion of a column, or None when there is none.

    The backend's own adapters are used, as `get_db_prep_save` would use them,
    without the field API's overhead per value.
    """
    ops = connection.ops
    if isinstance(field, models.DecimalField):
        if (
            type(ops).adapt_decimalfield_value
            is BaseOperations.adapt_decimalfield_value
        ):
            return None  # the base adapter returns the Decimal as it is
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        empty = ops.adapt_json_value({}, encoder)  # the common case, adapted once
        return lambda value: (
            empty if value == {} else ops.adapt_json_value(value, encoder)
        )
    if isinstance(field, _AS_IS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(
    connection: BaseDatabaseWrapper,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple],
) -> None:
    """Insert plain rows (already adapted values) into a table.

    PostgreSQL gets one COPY: an INSERT per row (executemany), or the ORM's
    multi-row INSERT, takes it several times as long. Other databases run one
    prepared INSERT for every row (executemany), which SQLite's C module does
    fast and which avoids its limit of 999 parameters per statement. Only the
    quoted table and column names are put into the SQL text; database errors
    come out as Django's (IntegrityError ...).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors:
                command = f"COPY {quote(table)} ({names}) FROM STDIN"
                with cursor.cursor.copy(command) as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(table), names, ", ".join(["%s"] * len(columns))
        )
        cursor.executemany(sql, rows)


def copy_to_history(
    model: type[models.Model],
    *,
    field_name: str,
    value: object,
    history_date: datetime,
    history_user_id: int | None,
    change_reason: str,
    history_type: str = "+",
) -> None:
    """Write one history row for each row of `model` whose `field_name` is `value`."""
    history = model.history.model
    tracked = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    into: list[str] = []
    select: list[str] = []
    extra: list[object] = []
    history_values = {
        "history_date": history_date,
        "history_user_id": history_user_id,
        "history_change_reason": change_reason,
        "history_type": history_type,
    }
    for field in history._meta.concrete_fields:
        if field.attname == "history_id":
            continue
        if field.attname in history_values:
            into.append(quote(field.column))
            select.append("%s")
            extra.append(
                field.get_db_prep_save(history_values[field.attname], connection)
            )
        elif field.attname in tracked:
            into.append(quote(field.column))
            select.append(quote(tracked[field.attname].column))
        else:
            raise ValueError(f"No value for the history column {field.attname}.")
    where = model._meta.get_field(field_name)
    # Identifiers come from the models' metadata, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) SELECT {} FROM {} WHERE {} = %s".format(  # noqa: S608
        quote(history._meta.db_table),
        ", ".join(into),
        ", ".join(select),
        quote(model._meta.db_table),
        quote(where.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*extra, where.get_db_prep_value(value, connection)])


class GroupedRowInserter:
    """Insert rows whose values are partly their own, partly shared by groups.

    An imported file's lines of one kind share a dozen values (the unit, the
    factor, its key, its note of a few hundred characters ...) and differ in a
    dozen others (period, quantity, results). Sending every value of every row
    costs binding and transfer; inserting row by row into a table with many
    indexes costs more than filling a bare table and moving the rows over in
    the database. So the rows are collected with `add`, and `insert` stages
    each distinct group of shared values once and each row's own values in two
    temporary tables, then moves them into the model's table with one
    ``INSERT ... SELECT`` in the order they were added.

    `columns` names the fields each row gives itself, `shared` those it shares
    with others (both by attribute name); `constants` holds the values of every
    row. The other fields take their default, `auto_now` ones take `now`.
    """

    GROUPS = "bulk_groups"
    ROWS = "bulk_rows"

    def __init__(
        self,
        model: type[models.Model],
        *,
        columns: Sequence[str],
        shared: Sequence[str],
        constants: dict,
        now: datetime,
    ) -> None:
        self.model = model
        fields = {
            field.attname: field
            for field in model._meta.concrete_fields
            if not (field.primary_key and isinstance(field, models.AutoField))
        }
        unknown = (set(columns) | set(shared) | set(constants)) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no field {sorted(unknown)}.")
        self._defaults = _defaults(model, fields, {*columns, *shared}, constants, now)
        self._own = _Columns([fields[name] for name in columns])
        self._shared = _Columns([fields[name] for name in shared])
        self._groups: dict[tuple, int] = {}
        self._group_rows: list[tuple] = []
        self._rows: list[tuple] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, values: dict) -> None:
        """Collect one row given as a dict of attribute names."""
        key = self._shared.get(values)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = len(self._group_rows) + 1
            shared = self._shared.adapted(key)
            self._group_rows.append((group, *shared, *self._defaults.values()))
        own = self._own.adapted(self._own.get(values))
        self._rows.append((len(self._rows) + 1, group, *own))

    def clear(self) -> None:
        self._groups.clear()
        self._group_rows.clear()
        self._rows.clear()

    def insert(self) -> None:
        """Write the collected rows; call it inside the transaction that keeps them."""
        quote = connection.ops.quote_name
        shared = self._shared.names + list(self._defaults)
        own = self._own.names
        table = quote(self.model._meta.db_table)
        with connection.cursor() as cursor:
            self._create(cursor, self.GROUPS, ["bulk_group"], shared)
            self._create(cursor, self.ROWS, ["bulk_row", "bulk_group"], own)
            insert_rows(
                connection, self.GROUPS, ["bulk_group", *shared], self._group_rows
            )
            insert_rows(
                connection, self.ROWS, ["bulk_row", "bulk_group", *own], self._rows
            )
            names = ", ".join(quote(name) for name in [*own, *shared])
            picked = ", ".join(
                [f"r.{quote(name)}" for name in own]
                + [f"g.{quote(name)}" for name in shared]
            )
            # Identifiers come from the model's metadata, quoted.
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {picked} "  # noqa: S608
                f"FROM {self.ROWS} r JOIN {self.GROUPS} g "
                "ON g.bulk_group = r.bulk_group ORDER BY r.bulk_row"
            )
            schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
            cursor.execute(f"DROP TABLE {schema}.{self.ROWS}")
            cursor.execute(f"DROP TABLE {schema}.{self.GROUPS}")

    def _create(self, cursor, name: str, keys: list[str], columns: list[str]) -> None:
        """Create a temporary table of integer `keys` and `columns` of the model's.

        The first key is the primary key on SQLite. PostgreSQL gives the columns
        the model's types (values are then converted as they would be on their
        way into the model's table) and drops the table at the end of the
        transaction; SQLite's columns have no type, so the values reach the
        model's table exactly as they were bound.
        """
        quote = connection.ops.quote_name
        listed = ", ".join(quote(column) for column in columns)
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {listed} FROM {quote(self.model._meta.db_table)} WITH NO DATA"
            )
            added = ", ".join(f"ADD COLUMN {key} bigint" for key in keys)
            cursor.execute(f"ALTER TABLE {name} {added}")
        else:
            first, *others = keys
            cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {name} "
                f"({first} INTEGER PRIMARY KEY, {', '.join([*others, listed])})"
            )


class _Columns:
    """Some fields of a model: their values taken from a row's dict, adapted."""

    def __init__(self, fields: list[models.Field]) -> None:
        self.names = [field.column for field in fields]
        self.get = itemgetter(*[field.attname for field in fields])
        if len(fields) == 1:
            single = self.get
            self.get = lambda values: (single(values),)
        self._adapt = [
            (index, adapt)
            for index, field in enumerate(fields)
            if (adapt := _adapter(field)) is not None
        ]

    def adapted(self, values: tuple) -> list:
        """Return the values as the database driver takes them."""
        params = list(values)
        for index, adapt in self._adapt:
            if params[index] is not None:
                params[index] = adapt(params[index])
        return params


def _defaults(
    model: type[models.Model],
    fields: dict[str, models.Field],
    given: set[str],
    constants: dict,
    now: datetime,
) -> dict[str, object]:
    """Return the adapted values of the fields rows do not give, by column."""
    values: dict[str, object] = {}
    for name, field in fields.items():
        if name in given:
            continue
        if name in constants:
            value = constants[name]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            raise ValueError(f"No value for {model.__name__}.{name}.")
        values[field.column] = field.get_db_prep_save(value, connection)
    return values
