"""Insert many rows of one model without building model instances.

`Model.objects.bulk_create` prepares every value of every row through the
field API and, on SQLite, splits the insert into statements of at most 999
parameters (about 25 rows of a wide table). For imports of tens of thousands of
rows that dominates the time. `RowInserter` prepares each column once: values
that are the same for every row are converted once, the others through the
backend's own adapter for their type, and the rows go to the database with one
`executemany` per chunk. Signals are not sent, as with `bulk_create`.

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


class RowInserter:
    """Insert rows given as dicts of attribute names into one model's table.

    `columns` names the fields each row gives (foreign keys by attribute name,
    e.g. ``business_unit_id``); `constants` holds the values shared by every
    row. The other fields take their default, `auto_now` ones take `now`.
    On PostgreSQL rows go through COPY, elsewhere through `executemany`.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        columns: Sequence[str],
        constants: dict,
        now: datetime,
    ) -> None:
        self.model = model
        fields = {
            field.attname: field
            for field in model._meta.concrete_fields
            if not (field.primary_key and isinstance(field, models.AutoField))
        }
        unknown = (set(columns) | set(constants)) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no field {sorted(unknown)}.")
        shared: dict[str, object] = {}
        for name, field in fields.items():
            if name in columns:
                continue
            if name in constants:
                value = constants[name]
            elif getattr(field, "auto_now", False) or getattr(
                field, "auto_now_add", False
            ):
                value = now
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            else:
                raise ValueError(f"No value for {model.__name__}.{name}.")
            shared[field.column] = field.get_db_prep_save(value, connection)
        self._get = itemgetter(*columns) if len(columns) > 1 else None
        self._columns = list(columns)
        self._adapt = [
            (index, adapt)
            for index, name in enumerate(columns)
            if (adapt := _adapter(fields[name])) is not None
        ]
        self._tail = tuple(shared.values())
        self.column_names = [fields[name].column for name in columns] + list(shared)

    def row(self, values: dict) -> tuple:
        """Return the parameters of one row (KeyError for a missing column)."""
        if self._get is None:
            params = [values[self._columns[0]]]
        else:
            params = list(self._get(values))
        for index, adapt in self._adapt:
            value = params[index]
            if value is not None:
                params[index] = adapt(value)
        params.extend(self._tail)
        return tuple(params)

    def insert(self, rows: Sequence[tuple]) -> None:
        insert_rows(connection, self.model._meta.db_table, self.column_names, rows)


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
