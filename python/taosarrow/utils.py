"""taospy's ``taos.utils`` helpers: :func:`gen_req_id` and :func:`murmurhash3_32`."""

from __future__ import annotations

import itertools
import os
import threading
import time
import uuid

__all__ = ["IS_V3", "gen_req_id", "murmurhash3_32"]

#: taospy's flag for a TDengine 3 client: always true (this client speaks TDengine 3).
IS_V3: bool = True

_lock = threading.Lock()
_serial = itertools.count(1)
_hash_id = 0


def _murmur3_32(data: bytes, seed: int = 0x12345678) -> int:
    """MurmurHash3 (x86, 32 bit) of ``data``."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed
    full = len(data) // 4 * 4
    for i in range(0, full, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
        h = ((h << 13) | (h >> 19)) & 0xFFFFFFFF
        h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[full:]
    k = 0
    for j in reversed(range(len(tail))):
        k = (k << 8) | tail[j]
    if tail:
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def murmurhash3_32(key: bytes, length: int) -> int:
    """MurmurHash3 (x86, 32-bit, seed ``0x12345678``) of the first ``length`` bytes of
    ``key``, the hash taospy's request ids start from (taospy's own version reads single
    bytes where the algorithm reads 32-bit blocks, so its values differ for 4 bytes and
    more; request ids only need the hash to spread)."""
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise TypeError(f"murmurhash3_32 takes bytes, not {type(key).__name__}")
    if not isinstance(length, int) or isinstance(length, bool) or not 0 <= length <= len(key):
        raise ValueError(f"length must be an int from 0 to {len(key)}, not {length!r}")
    return _murmur3_32(bytes(key[:length]))


def gen_req_id() -> int:
    """A new request id for the ``req_id`` arguments, laid out as taospy's: 11 bits of a
    per-process random hash, 4 bits of the process id, 26 bits of the time (in units of 256
    seconds) and a 20-bit serial number. Never 0; below 2**63, so it fits the signed 64-bit
    request ids TDengine logs. Thread-safe."""
    global _hash_id
    with _lock:
        if _hash_id == 0:
            _hash_id = _murmur3_32(uuid.uuid4().bytes) or 1
        serial = next(_serial)
    ts = int(time.time()) >> 8
    pid = os.getpid()
    req_id = ((_hash_id & 0x07FF) << 52) | ((pid & 0x0F) << 48) | ((ts & 0x3FFFFFF) << 20) | (serial & 0xFFFFF)
    return req_id or 1
