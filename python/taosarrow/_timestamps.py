"""Timestamps as the binders take them: the one place that turns Python values into exact
instants and instants into ticks of a precision.

An *instant* is an int of nanoseconds since 1970-01-01T00:00:00Z; *ticks* are an int64 in
one of TDengine's precisions (code 0 ms, 1 µs, 2 ns). Nothing here goes through ``float``
or through a ``datetime`` that could drop nanoseconds:

- :func:`zone`: an IANA time zone by name, with one clear error;
- :func:`parse_iso` / :func:`iso_ns`: ISO 8601 text (fractions of up to nine digits kept
  exactly, ``Z`` and ``±HH[[:]MM]`` offsets); text without an offset is wall time;
- :func:`datetime_ns`: a ``datetime`` (a ``pandas.Timestamp``'s nanoseconds included);
  naive ones are wall time in a given zone, or in local time without one;
- :func:`to_ticks`: an instant as ticks of a precision under an explicit :class:`Rounding`,
  checked against the 64-bit range; :func:`seconds_ticks`: a float of seconds as ticks;
- :func:`rescale`: a pyarrow timestamp array as ticks of a precision, in Arrow compute
  kernels (no Python object per value).

The precision tables come from the native module (``PRECISION_NAMES``,
``NANOS_PER_TICK``). Errors are :class:`TimestampError` (a ``ValueError``); each front end
raises them again as its own exception class.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import math
import re
from typing import Any, Dict, NamedTuple, Optional, Union

from . import _native

__all__ = [
    "TimestampError",
    "Rounding",
    "UNITS",
    "CODES",
    "NS_PER_TICK",
    "TICKS_PER_SECOND",
    "I64_MIN",
    "I64_MAX",
    "zone",
    "is_naive",
    "IsoTime",
    "parse_iso",
    "iso_ns",
    "datetime_ns",
    "to_ticks",
    "check_range",
    "seconds_ticks",
    "rescale",
]


class TimestampError(ValueError):
    """A value that is not a timestamp, a timestamp out of range, or an unknown time zone."""


class Rounding(enum.Enum):
    """What :func:`to_ticks` and :func:`rescale` do with a finer part than the precision."""

    #: Cut it towards the past (``-1 ns`` is tick ``-1`` in ms), as the binders do.
    FLOOR = "floor"
    #: Refuse it: :class:`TimestampError` when a value is not a whole number of ticks.
    EXACT = "exact"


#: Precision code → unit name (``0`` → ``"ms"``, ``1`` → ``"us"``, ``2`` → ``"ns"``).
UNITS: Dict[int, str] = dict(_native.PRECISION_NAMES)
#: Unit name → precision code.
CODES: Dict[str, int] = {name: code for code, name in UNITS.items()}
#: Precision code → nanoseconds per tick.
NS_PER_TICK: Dict[int, int] = {code: _native.NANOS_PER_TICK[name] for code, name in UNITS.items()}
#: Precision code → ticks per second.
TICKS_PER_SECOND: Dict[int, int] = {code: 10**9 // ns for code, ns in NS_PER_TICK.items()}
#: The range of a TIMESTAMP's int64 ticks.
I64_MIN, I64_MAX = -(2**63), 2**63 - 1

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_NS_PER_SECOND = 10**9

#: The ISO 8601 forms read here (Python's ``fromisoformat`` reads the rest): a date with one
#: or two digit month and day, an optional time (``T``, ``t`` or a space before it), a
#: fraction after ``.`` or ``,``, an optional ``Z`` or ``±HH[[:]MM]`` offset.
_ISO = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
#: A fraction of a second after ``HH:MM:SS``, for the forms only ``fromisoformat`` reads.
_FRACTION = re.compile(r"(\d{2}:?\d{2}:?\d{2})[.,](\d+)")

#: A time zone for wall times: an IANA name (looked up when needed), a ``tzinfo``, or
#: ``None`` for local time.
Zone = Union[str, _dt.tzinfo, None]


@functools.lru_cache(maxsize=64)
def _load_zone(name: str) -> _dt.tzinfo:
    """``ZoneInfo(name)`` (cached), its failures as one :class:`TimestampError`."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception as exc:  # noqa: BLE001 - ZoneInfoNotFoundError, bad keys, missing tzdata
        raise TimestampError(
            f"naive datetimes are read in the time zone {name!r}, which Python cannot load "
            f"({exc}); install tzdata, or bind aware datetimes"
        ) from exc


def zone(name: str) -> _dt.tzinfo:
    """The IANA time zone ``name`` (a connection's ``timezone``), e.g. ``"Asia/Shanghai"``;
    :class:`TimestampError` when Python cannot load it."""
    if not isinstance(name, str):
        raise TimestampError(f"a time zone is an IANA name, not {type(name).__name__}")
    return _load_zone(name)


def _tzinfo(tz: Zone) -> Optional[_dt.tzinfo]:
    """The ``tzinfo`` of a :data:`Zone` (``None``: local time)."""
    return zone(tz) if isinstance(tz, str) else tz


def is_naive(value: _dt.datetime) -> bool:
    """Whether ``value`` is wall time (no time zone, or one without a UTC offset)."""
    return value.tzinfo is None or value.utcoffset() is None


def datetime_ns(value: _dt.datetime, tz: Zone = None, extra_ns: int = 0) -> int:
    """The instant of ``value`` in nanoseconds since the epoch, exactly (a
    ``pandas.Timestamp``'s ``nanosecond`` included), plus ``extra_ns``. A naive ``value``
    is wall time in ``tz`` (an IANA name, looked up only then, or a ``tzinfo``), or in
    local time when ``tz`` is ``None``."""
    extra_ns += int(getattr(value, "nanosecond", 0) or 0)
    if is_naive(value):
        info = _tzinfo(tz)
        if info is not None:
            value = value.replace(tzinfo=info)
        else:
            # Local time, as ``datetime.astimezone()`` reads it; a plain datetime first, as
            # subclasses (``pandas.Timestamp``) have their own ``astimezone``.
            value = _dt.datetime(
                value.year, value.month, value.day, value.hour, value.minute, value.second,
                value.microsecond, fold=getattr(value, "fold", 0),
            ).astimezone()
    delta = value - _EPOCH
    us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return us * 1000 + extra_ns


class IsoTime(NamedTuple):
    """ISO 8601 text read by :func:`parse_iso`: the whole seconds as a ``datetime`` (naive
    when the text had no offset) and the fraction of a second in nanoseconds."""

    seconds: _dt.datetime
    fraction_ns: int

    @property
    def naive(self) -> bool:
        """Whether the text had no UTC offset (wall time)."""
        return is_naive(self.seconds)

    def ns(self, tz: Zone = None) -> int:
        """The instant in nanoseconds since the epoch (wall time read in ``tz``, or local)."""
        return datetime_ns(self.seconds, tz, self.fraction_ns)


def _fraction_ns(digits: Optional[str]) -> int:
    """Nanoseconds of a fraction's digits: the first nine, the rest cut."""
    return int((digits or "0")[:9].ljust(9, "0"))


def _offset(text: Optional[str]) -> Optional[_dt.tzinfo]:
    """The fixed zone of a ``Z`` / ``±HH[[:]MM]`` offset, ``None`` without one."""
    if text is None:
        return None
    if text.upper() == "Z":
        return _dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    try:
        return _dt.timezone(sign * _dt.timedelta(minutes=minutes))
    except ValueError as exc:
        raise TimestampError(f"the UTC offset {text!r} is out of range ({exc})") from None


def parse_iso(text: str) -> IsoTime:
    """ISO 8601 date-time text as whole seconds and an exact fraction (up to nine digits;
    finer ones are cut). Reads ``YYYY-M-D``, ``YYYY-MM-DD[T| ]HH:MM[:SS[.fffffffff]]``
    with ``Z`` or ``±HH[[:]MM]``, and whatever else Python's ``datetime.fromisoformat``
    reads; :class:`TimestampError` otherwise."""
    if not isinstance(text, str):
        raise TimestampError(f"ISO 8601 text must be a str, not {type(text).__name__}")
    m = _ISO.match(text)
    if m is not None:
        y, mo, d, h, mi, s, frac, off = m.groups()
        info = _offset(off)
        try:
            seconds = _dt.datetime(
                int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=info
            )
        except ValueError as exc:
            raise TimestampError(f"cannot read {text!r} as a timestamp: {exc}") from None
        return IsoTime(seconds, _fraction_ns(frac))
    rest, frac = text.strip(), None
    f = _FRACTION.search(rest)
    if f is not None:
        frac = f.group(2)
        rest = rest[: f.start(2) - 1] + rest[f.end(2):]
    if rest[-1:] in ("Z", "z"):
        rest = rest[:-1] + "+00:00"
    try:
        seconds = _dt.datetime.fromisoformat(rest)
    except ValueError as exc:
        raise TimestampError(f"cannot read {text!r} as an ISO 8601 timestamp ({exc})") from None
    return IsoTime(seconds.replace(microsecond=0), _fraction_ns(frac) if frac else seconds.microsecond * 1000)


def iso_ns(text: str, tz: Zone = None) -> int:
    """The instant of ISO 8601 ``text`` in nanoseconds since the epoch, exactly; text
    without an offset is wall time in ``tz`` (an IANA name or a ``tzinfo``), or local."""
    return parse_iso(text).ns(tz)


def check_range(ticks: int, shown: Any = None) -> int:
    """``ticks`` when they fit a TIMESTAMP's int64; :class:`TimestampError` naming
    ``shown`` (default: the ticks) otherwise."""
    if not I64_MIN <= ticks <= I64_MAX:
        raise TimestampError(
            f"timestamp {ticks if shown is None else shown!r} is out of range (64-bit ticks)"
        )
    return ticks


def to_ticks(ns: int, precision: int, rounding: Rounding, shown: Any = None) -> int:
    """The instant ``ns`` (nanoseconds since the epoch) as ticks of ``precision`` (code 0
    ms, 1 µs, 2 ns): a finer part is cut towards the past (:attr:`Rounding.FLOOR`) or
    refused (:attr:`Rounding.EXACT`); ticks beyond 64 bits raise. Errors name ``shown``
    (the value given) when it is given."""
    per_tick = NS_PER_TICK[int(precision)]
    ticks, rest = divmod(ns, per_tick)
    if rest and rounding is Rounding.EXACT:
        raise TimestampError(
            f"timestamp {ns if shown is None else shown!r} has a finer part than "
            f"{UNITS[int(precision)]} and would lose data"
        )
    return check_range(ticks, ns if shown is None else shown)


def seconds_ticks(seconds: float, precision: int) -> int:
    """A float of seconds since the epoch as ticks of ``precision``, rounded to the nearest
    (half to even); a float carries about 16 digits, so finer ticks are approximate."""
    if not math.isfinite(seconds):
        raise TimestampError(f"{seconds!r} is not a timestamp")
    return check_range(round(seconds * TICKS_PER_SECOND[int(precision)]), seconds)


def _floor_div(pc: Any, x: Any, k: int) -> Any:
    """``x // k`` (floor, towards the past for negative instants) on an int64 array."""
    q = pc.divide(x, k)
    r = pc.subtract(x, pc.multiply(q, k))
    return pc.subtract(q, pc.cast(pc.less(r, 0), x.type))


def rescale(arr: Any, precision: int, rounding: Rounding) -> Any:
    """A pyarrow timestamp array (any unit; zoned or naive, its values are taken as UTC
    instants) as a naive ``timestamp`` array of ``precision``'s unit, in Arrow kernels. To
    a finer unit the values are multiplied (overflow raises :class:`TimestampError`); to a
    coarser one a finer part is cut towards the past (:attr:`Rounding.FLOOR`) or refused
    (:attr:`Rounding.EXACT`). An array already in that unit without a zone is returned
    as it is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    unit = UNITS[int(precision)]
    target = pa.timestamp(unit)
    if arr.type == target:
        return arr
    source_ns = _native.NANOS_PER_TICK[arr.type.unit]
    target_ns = NS_PER_TICK[int(precision)]
    ints = arr.cast(pa.int64())
    if source_ns > target_ns:
        try:
            ints = pc.multiply_checked(ints, source_ns // target_ns)
        except pa.ArrowInvalid as exc:
            raise TimestampError(f"a timestamp is out of range for precision {unit} ({exc})") from None
    elif source_ns < target_ns:
        k = target_ns // source_ns
        if rounding is Rounding.EXACT:
            lossy = pc.not_equal(pc.subtract(ints, pc.multiply(pc.divide(ints, k), k)), 0)
            if pc.any(lossy).as_py():
                first = pc.filter(ints, lossy)[0].as_py()
                raise TimestampError(
                    f"timestamp[{arr.type.unit}] ticks {first} have a finer part than "
                    f"{unit} and would lose data"
                )
            ints = pc.divide(ints, k)
        else:
            ints = _floor_div(pc, ints, k)
    return ints.cast(target)
