"""TDengine's column types as SQLAlchemy types, and the map between them and TDengine's names.

Each type renders as TDengine writes it in DDL (``TIMESTAMP``, ``NCHAR(16)``, ``DECIMAL(10, 2)``,
``INT UNSIGNED`` …) and reads back the Python values taosarrow's DB-API gives: ``datetime`` (or an
exact ``pandas.Timestamp`` for nanosecond databases), ``Decimal``, ``bytes``, ``str``, ``int``.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Type

from sqlalchemy import types as sqltypes

__all__ = [
    "TIMESTAMP",
    "BOOL",
    "TINYINT",
    "SMALLINT",
    "INT",
    "BIGINT",
    "TINYINT_UNSIGNED",
    "SMALLINT_UNSIGNED",
    "INT_UNSIGNED",
    "BIGINT_UNSIGNED",
    "FLOAT",
    "DOUBLE",
    "VARCHAR",
    "BINARY",
    "NCHAR",
    "VARBINARY",
    "GEOMETRY",
    "JSON",
    "DECIMAL",
    "resolve_type",
]


class TIMESTAMP(sqltypes.DateTime):
    """TDengine's TIMESTAMP; ``precision`` ("ms", "us" or "ns") is the database's, as read back
    by reflection (values are time-zone-aware)."""

    __visit_name__ = "TIMESTAMP"

    def __init__(self, precision: Optional[str] = None) -> None:
        super().__init__(timezone=True)
        self.precision = precision


class BOOL(sqltypes.Boolean):
    """TDengine's BOOL."""

    __visit_name__ = "BOOL"

    def __init__(self) -> None:
        super().__init__(create_constraint=False)


class TINYINT(sqltypes.SmallInteger):
    """TDengine's TINYINT (8 bits)."""

    __visit_name__ = "TINYINT"


class SMALLINT(sqltypes.SmallInteger):
    """TDengine's SMALLINT (16 bits)."""

    __visit_name__ = "SMALLINT"


class INT(sqltypes.Integer):
    """TDengine's INT (32 bits)."""

    __visit_name__ = "INT"


class BIGINT(sqltypes.BigInteger):
    """TDengine's BIGINT (64 bits)."""

    __visit_name__ = "BIGINT"


class TINYINT_UNSIGNED(sqltypes.SmallInteger):
    """TDengine's TINYINT UNSIGNED."""

    __visit_name__ = "TINYINT_UNSIGNED"


class SMALLINT_UNSIGNED(sqltypes.Integer):
    """TDengine's SMALLINT UNSIGNED."""

    __visit_name__ = "SMALLINT_UNSIGNED"


class INT_UNSIGNED(sqltypes.BigInteger):
    """TDengine's INT UNSIGNED."""

    __visit_name__ = "INT_UNSIGNED"


class BIGINT_UNSIGNED(sqltypes.BigInteger):
    """TDengine's BIGINT UNSIGNED."""

    __visit_name__ = "BIGINT_UNSIGNED"


class FLOAT(sqltypes.Float):
    """TDengine's FLOAT (32 bits)."""

    __visit_name__ = "FLOAT"


class DOUBLE(sqltypes.Double):
    """TDengine's DOUBLE."""

    __visit_name__ = "DOUBLE"


class VARCHAR(sqltypes.String):
    """TDengine's VARCHAR(n) (BINARY(n) is its older name); ``n`` bytes of UTF-8."""

    __visit_name__ = "VARCHAR"


class BINARY(VARCHAR):
    """TDengine's BINARY(n), the same type as VARCHAR(n)."""

    __visit_name__ = "VARCHAR"


class NCHAR(sqltypes.Unicode):
    """TDengine's NCHAR(n): ``n`` characters."""

    __visit_name__ = "NCHAR"


class VARBINARY(sqltypes.LargeBinary):
    """TDengine's VARBINARY(n): ``n`` bytes."""

    __visit_name__ = "VARBINARY"

    def __init__(self, length: Optional[int] = None) -> None:
        super().__init__(length=length)


class GEOMETRY(sqltypes.LargeBinary):
    """TDengine's GEOMETRY(n): WKB bytes."""

    __visit_name__ = "GEOMETRY"

    def __init__(self, length: Optional[int] = None) -> None:
        super().__init__(length=length)


class JSON(sqltypes.String):
    """TDengine's JSON (tags only): the JSON text."""

    __visit_name__ = "JSON"


class DECIMAL(sqltypes.Numeric):
    """TDengine's DECIMAL(p, s); values are ``decimal.Decimal``."""

    __visit_name__ = "DECIMAL"

    def __init__(self, precision: Optional[int] = None, scale: Optional[int] = None) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)


#: TDengine's type names (as DESCRIBE prints them) → the SQLAlchemy type class.
TYPES: Dict[str, Type[sqltypes.TypeEngine]] = {
    "TIMESTAMP": TIMESTAMP,
    "BOOL": BOOL,
    "TINYINT": TINYINT,
    "SMALLINT": SMALLINT,
    "INT": INT,
    "BIGINT": BIGINT,
    "TINYINT UNSIGNED": TINYINT_UNSIGNED,
    "SMALLINT UNSIGNED": SMALLINT_UNSIGNED,
    "INT UNSIGNED": INT_UNSIGNED,
    "BIGINT UNSIGNED": BIGINT_UNSIGNED,
    "FLOAT": FLOAT,
    "DOUBLE": DOUBLE,
    "VARCHAR": VARCHAR,
    "BINARY": VARCHAR,
    "NCHAR": NCHAR,
    "VARBINARY": VARBINARY,
    "GEOMETRY": GEOMETRY,
    "JSON": JSON,
    "DECIMAL": DECIMAL,
    "BLOB": VARBINARY,
}

_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)", re.IGNORECASE)


def resolve_type(name: str, length: Optional[int] = None, precision: Optional[str] = None) -> sqltypes.TypeEngine:
    """The SQLAlchemy type of a column DESCRIBE shows as ``name`` with ``length``;
    ``precision`` is the database's for a TIMESTAMP. An unknown name is ``NullType``."""
    upper = name.strip().upper()
    m = _DECIMAL.fullmatch(upper)
    if m:
        return DECIMAL(int(m.group(1)), int(m.group(2)))
    cls = TYPES.get(upper)
    if cls is None:
        return sqltypes.NullType()
    if cls is TIMESTAMP:
        return TIMESTAMP(precision)
    if cls in (VARCHAR, NCHAR, VARBINARY, GEOMETRY):
        return cls(length) if length else cls()
    if cls is DECIMAL:
        return DECIMAL()
    return cls()
