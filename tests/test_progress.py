import io
import logging

from crawler.progress import MIN_TOTAL, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_bar_redrawn_in_place():
    screen = Terminal()
    bar = Progress("reprocess", 40, stream=screen)
    for _ in range(40):
        bar.advance()
    bar.close()
    text = screen.getvalue()
    assert text.startswith("\rreprocess [")
    last = text.rsplit("\r", 1)[-1]
    assert last.startswith("reprocess [" + "#" * 30 + "] 40/40 (")
    assert text.endswith("\n") and text.count("\n") == 1


def test_a_log_gets_a_line_per_tenth(caplog):
    caplog.set_level(logging.INFO, logger="crawler.progress")
    bar = Progress("pages", 100, stream=io.StringIO())
    for _ in range(100):
        bar.advance()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 10 and lines[-1].startswith("pages [" + "#" * 30 + "] 100/100")


def test_short_work_shows_nothing(caplog):
    caplog.set_level(logging.INFO, logger="crawler.progress")
    screen = Terminal()
    bar = Progress("pages", MIN_TOTAL - 1, stream=screen)
    for _ in range(MIN_TOTAL - 1):
        bar.advance()
    bar.close()
    assert screen.getvalue() == "" and not caplog.records
