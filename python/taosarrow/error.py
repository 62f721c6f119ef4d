"""taospy's ``taos.error`` module name: every exception class of :mod:`taosarrow.exceptions`.

``from taosarrow.error import ProgrammingError`` is the same class as
``taosarrow.ProgrammingError`` and ``taosarrow.exceptions.ProgrammingError``.
"""

from __future__ import annotations

from .exceptions import *  # noqa: F401,F403 - this module re-exports the exception classes
from .exceptions import __all__ as __all__  # noqa: F401
