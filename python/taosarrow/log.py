"""taospy's ``taos.log``: print-style diagnostics with one switch per level.

Programs written for taospy call ``log.setting(info, warn, debug, debug1, debug2, debug3)``
and then ``log.info(msg)`` … ``log.debug3(msg)``; each prints ``msg`` to standard output when
its level is switched on (``info`` and ``warn`` are on by default, the debug levels off), as
taospy does. taosarrow itself logs through the standard :mod:`logging` module instead; this
module only keeps such programs running unchanged.
"""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["setting", "info", "warn", "debug", "debug1", "debug2", "debug3"]

#: Which levels print; changed by :func:`setting`.
_SHOW: Dict[str, bool] = {
    "info": True,
    "warn": True,
    "debug": False,
    "debug1": False,
    "debug2": False,
    "debug3": False,
}


def setting(info: bool, warn: bool, debug: bool, debug1: bool, debug2: bool, debug3: bool) -> None:
    """Switches each level on or off."""
    _SHOW.update(
        info=bool(info),
        warn=bool(warn),
        debug=bool(debug),
        debug1=bool(debug1),
        debug2=bool(debug2),
        debug3=bool(debug3),
    )


def _emit(level: str, msg: Any) -> None:
    if _SHOW[level]:
        print(msg)


def info(msg: Any) -> None:
    """Prints ``msg`` when the info level is on (the default)."""
    _emit("info", msg)


def warn(msg: Any) -> None:
    """Prints ``msg`` when the warn level is on (the default)."""
    _emit("warn", msg)


def debug(msg: Any) -> None:
    """Prints ``msg`` when the debug level is on."""
    _emit("debug", msg)


def debug1(msg: Any) -> None:
    """Prints ``msg`` when the debug1 level is on."""
    _emit("debug1", msg)


def debug2(msg: Any) -> None:
    """Prints ``msg`` when the debug2 level is on."""
    _emit("debug2", msg)


def debug3(msg: Any) -> None:
    """Prints ``msg`` when the debug3 level is on."""
    _emit("debug3", msg)
