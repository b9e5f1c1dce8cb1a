"""Prometheus metrics from the real daemon (a subprocess) polling loopback feeds, scraped
over HTTP as Prometheus would."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from crawler import config
from crawler.loopback import Reply
from tests.conftest import newsmon, query, write_config
from tests.test_daemon import articles, publish, stop, wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(cfg: Path, *args: str) -> subprocess.Popen:
    log = (cfg.parent / "daemon.log").open("ab")
    with log:
        return subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(cfg), "-v", "daemon", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cfg.parent,
        )


def scrape(port: int, path: str = "/metrics", method: str = "GET") -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value, for every sample line."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


def test_the_daemon_serves_its_counters_and_gauges_without_holding_up_polls(server, tmp_path):
    publish(server, "a", 2)
    cfg = write_config(
        tmp_path,
        [
            {"name": "A", "feeds": [server.url("/a.xml")], "interval": "1m"},
            {"name": 'Gone "B"', "feeds": [server.url("/gone.xml")], "interval": "1m"},
        ],
    )
    document = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    document["monitors"] = [{"name": "stories", "type": "keywords", "include": ["story"]}]
    hook = f"json://{server.base_url.removeprefix('http://')}/hook"
    document["notify"] = [{"name": "desk", "url": hook}]
    cfg.write_text(yaml.safe_dump(document), encoding="utf-8")
    server.routes["/hook"] = Reply(200, b"ok")
    port = free_port()
    process = start(cfg, "--metrics-port", str(port))
    idle = None
    try:
        wait_for(lambda: _text(port) != "", "the metrics port")
        idle = socket.create_connection(("127.0.0.1", port))
        # A client that connects and never asks holds up neither the poll nor scrapes.
        wait_for(lambda: articles(cfg) == 2, "the first poll")
        started = time.monotonic()
        wait_for(lambda: "newsmon_polls_total 1" in _text(port), "the poll's counters")
        assert time.monotonic() - started < 2
        idle.close()
        status, headers, text = scrape(port)
        assert status == 200
        assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        values = samples(text)
        assert values["newsmon_articles_stored_total"] == 2
        events = query(cfg, "SELECT count(*) FROM events")[0][0]
        assert events >= 1 and values["newsmon_events_created_total"] == events
        assert values["newsmon_alerts_sent_total"] == len(server.hits("/hook")) == events
        assert values['newsmon_alert_outbox{state="sent"}'] == events
        assert values["newsmon_feed_polls_total"] == 2
        assert values['newsmon_poll_errors_total{kind="feed"}'] == 1
        assert values['newsmon_poll_errors_total{kind="page"}'] == 0
        assert values['newsmon_alert_outbox{state="pending"}'] == 0
        assert abs(values["newsmon_daemon_heartbeat_timestamp_seconds"] - time.time()) < 60
        feed = f'{{outlet="A",feed="{server.url("/a.xml")}"}}'
        assert abs(values[f"newsmon_feed_last_success_timestamp_seconds{feed}"] - time.time()) < 60
        gone = f'{{outlet="Gone \\"B\\"",feed="{server.url("/gone.xml")}"}}'
        assert values[f"newsmon_feed_consecutive_errors{gone}"] == 1
        assert f"newsmon_feed_last_success_timestamp_seconds{gone}" not in values  # never
        assert "# TYPE newsmon_polls_total counter" in text

        assert scrape(port, "/other")[0] == 404
        assert scrape(port, method="POST")[0] == 405
        head = scrape(port, method="HEAD")
        assert head[0] == 200 and head[2] == ""
        with socket.socket() as elsewhere:  # bound to 127.0.0.1 only, not every address
            assert elsewhere.connect_ex(("127.0.0.2", port)) != 0
    finally:
        if idle is not None:
            idle.close()
        assert stop(process) == 0
    log = (tmp_path / "daemon.log").read_text(encoding="utf-8")
    assert f"metrics on http://127.0.0.1:{port}/metrics" in log


def _text(port: int) -> str:
    try:
        return scrape(port)[2]
    except OSError:
        return ""


def test_the_port_can_come_from_config_and_a_taken_port_is_one_clear_error(server, tmp_path):
    publish(server, "a", 1)
    cfg = write_config(tmp_path, [{"name": "A", "feeds": [server.url("/a.xml")]}])
    document = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    port = free_port()
    document["daemon"] = {"metrics_port": port}
    cfg.write_text(yaml.safe_dump(document), encoding="utf-8")
    process = start(cfg)
    try:
        wait_for(lambda: "newsmon_polls_total 1" in _text(port), "metrics from config")

        other = tmp_path / "other"
        other.mkdir()
        taken = write_config(other, [{"name": "A", "feeds": [server.url("/a.xml")]}])
        result = newsmon("daemon", "--metrics-port", str(port), config=taken, timeout=60)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"Error: metrics: cannot listen on 127.0.0.1:{port}: Address already in use"
        )
        assert newsmon("run", config=taken).returncode == 0  # its lock was released
    finally:
        assert stop(process) == 0

    bad = newsmon("daemon", "--metrics-host", "127.0.0.1", config=cfg)
    assert bad.returncode == 2 and "needs --metrics-port" in bad.stderr
    document["daemon"] = {"metrics_port": 70000}
    cfg.write_text(yaml.safe_dump(document), encoding="utf-8")
    invalid = newsmon("daemon", config=cfg)
    assert invalid.returncode == 2 and "daemon.metrics_port: above 65535" in invalid.stderr


def test_the_daemon_section_is_checked_before_anything_starts():
    base = "outlets: [{name: A, feeds: [https://a.example/f]}]\n"
    cfg = config.parse(base + "daemon: {metrics_port: 9464}\n", Path("c.yaml"))
    assert (cfg.daemon.metrics_host, cfg.daemon.metrics_port) == ("127.0.0.1", 9464)
    assert config.parse(base, Path("c.yaml")).daemon.metrics_port is None
    for text, message in (
        ("daemon: {metrics_port: 0}", "daemon.metrics_port: expected a whole number >= 1"),
        ("daemon: {metrics_host: localhost}", "'localhost' is not an IP address"),
        ("daemon: {port: 1}", "daemon.port: unknown key"),
    ):
        with pytest.raises(config.ConfigError, match=message):
            config.parse(base + text + "\n", Path("c.yaml"))


def test_label_values_carry_no_control_characters():
    from crawler.metrics import _Writer

    out: list[str] = []
    write = _Writer(out)
    write("newsmon_feed_errors", "gauge", "Errors per outlet.")
    write.sample(1, outlet='Wire\r\x1b[2J\x1b]0;owned\x07 "quoted" \\ \u202eevil\nnext')
    line = out[-1]
    assert not any(ch in line for ch in "\r\x1b\x07\u202e")
    assert line == ('newsmon_feed_errors{outlet="Wire[2J]0;owned \\"quoted\\" \\\\ evil\\nnext"} 1')
