"""taosarrow: an Apache-Arrow-native connector for TDengine."""

from taosarrow._native import __version__

__all__ = ["__version__"]
