"""``taosarrow.log``: taospy's per-level print switches."""

from __future__ import annotations

from taosarrow import log


def test_levels_print_only_when_switched_on(capsys):
    log.setting(True, False, False, True, False, False)
    try:
        log.info("i")
        log.warn("w")
        log.debug("d")
        log.debug1("d1")
        log.debug2("d2")
        log.debug3("d3")
        assert capsys.readouterr().out == "i\nd1\n"
        log.setting(False, True, True, False, True, True)
        log.info("i")
        log.warn("w")
        log.debug("d")
        log.debug1("d1")
        log.debug2("d2")
        log.debug3("d3")
        assert capsys.readouterr().out == "w\nd\nd2\nd3\n"
    finally:
        log.setting(True, True, False, False, False, False)
