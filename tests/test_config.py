from datetime import timedelta
from pathlib import Path

import pytest

from crawler import config
from crawler.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent

MINIMAL = """
database: newsmon.db          # relative to the config file
allow_private_networks: false
outlets:
  - name: ETV Bharat
    feeds: [https://example.org/rss/international.xml]
    sitemaps: [https://example.org/news-sitemap.xml]
    interval: 15m
monitors:
  - name: missile-launches
    type: missile_launch
"""


def parse(text: str) -> config.Config:
    return config.parse(text, Path("/etc/newsmon/config.yaml"))


def test_the_documented_minimal_shape_is_accepted():
    cfg = parse(MINIMAL)
    assert cfg.database == Path("/etc/newsmon/newsmon.db")
    (outlet,) = cfg.outlets
    assert outlet.interval == timedelta(minutes=15)
    assert [(s.kind, s.url) for s in outlet.sources] == [
        ("feed", "https://example.org/rss/international.xml"),
        ("sitemap", "https://example.org/news-sitemap.xml"),
    ]
    assert cfg.monitors[0].type == "missile_launch"
    assert cfg.fetch == config.FetchSettings()  # every default from one place


def test_the_example_config_in_the_repository_is_valid():
    cfg = config.load(ROOT / "config.yaml")
    names = {outlet.name for outlet in cfg.outlets}
    assert {"ETV Bharat", "Yonhap"} <= names
    assert cfg.allow_private_networks is False
    assert "newsmon" in cfg.fetch.user_agent and "http" in cfg.fetch.user_agent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MINIMAL.replace("interval: 15m", "interval: 15x"),
            "config.yaml:8: outlets[0].interval: '15x' is not a duration",
        ),
        (
            MINIMAL.replace("interval: 15m", "interval: 10s"),
            "outlets[0].interval: '10s' is shorter than the minimum",
        ),
        (
            MINIMAL.replace("https://example.org/rss", "ftp://example.org/rss"),
            "config.yaml:6: outlets[0].feeds[0]: 'ftp://example.org/rss/international.xml'"
            " is not an http",
        ),
        (
            MINIMAL.replace("https://example.org/news-sitemap.xml", "https:///nohost"),
            "outlets[0].sitemaps[0]: 'https:///nohost' has no host",
        ),
        (
            MINIMAL.replace("    interval: 15m", "    intervall: 15m"),
            "config.yaml:8: outlets[0].intervall: unknown key",
        ),
        (MINIMAL.replace("database:", "databse:"), "config.yaml:2: databse: unknown key"),
        (MINIMAL + "fetch:\n  timeout: soon\n", "fetch.timeout: 'soon' is not a duration"),
        (
            MINIMAL + "fetch:\n  max_bytes: 12 parsecs\n",
            "fetch.max_bytes: '12 parsecs' is not a size",
        ),
        (MINIMAL + "fetch:\n  retries: -1\n", "fetch.retries: expected a whole number >= 0"),
        (
            MINIMAL + "fetch:\n  dns_servers: [dns.example.net]\n",
            "fetch.dns_servers[0]: expected an IP address with an optional :port",
        ),
        (
            MINIMAL + "fetch:\n  dns_servers: ['10.0.0.1:99999']\n",
            "fetch.dns_servers[0]: port 99999 is out of range",
        ),
        (
            MINIMAL.replace("allow_private_networks: false", "allow_private_networks: maybe"),
            "allow_private_networks: expected true or false",
        ),
        (
            MINIMAL.replace("feeds: [", "feeds: [[").replace(".xml]", ".xml]]", 1),
            "outlets[0].feeds[0]: expected a single value",
        ),
        ("outlets: [\n", "config.yaml:2: YAML syntax error"),
        ("outlets:\n  - name: A\n    interval: 5m\n", "outlets[0]: outlet 'A' lists no feeds"),
        ("database: x.db\n", "outlets: missing"),
        ("", "the file is empty"),
        (
            MINIMAL + "  - name: missile-launches\n    type: keywords\n",
            "monitors[1].name: duplicate 'missile-launches'",
        ),
        (
            MINIMAL.replace("type: missile_launch", "kind: missile_launch"),
            "monitors[0].type: missing or not a string",
        ),
    ],
)
def test_each_mistake_gets_one_message_naming_key_and_line(text, expected):
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_duplicate_outlet_names_are_rejected():
    text = MINIMAL.replace(
        "monitors:",
        """  - name: etv bharat
    feeds: [https://example.org/other.xml]
monitors:""",
    )
    with pytest.raises(ConfigError, match=r"outlets\[1\].name: duplicate outlet"):
        parse(text)


def test_secrets_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSMON_TEST_UA", "newsmon-test (+https://example.org/contact)")
    cfg = parse(MINIMAL + "fetch:\n  user_agent: ${NEWSMON_TEST_UA}\n")
    assert cfg.fetch.user_agent == "newsmon-test (+https://example.org/contact)"
    monkeypatch.delenv("NEWSMON_TEST_UA")
    with pytest.raises(ConfigError, match=r"fetch\.user_agent: environment variable NEWSMON_"):
        parse(MINIMAL + "fetch:\n  user_agent: ${NEWSMON_TEST_UA}\n")


def test_feeds_can_carry_per_feed_options_and_units_parse():
    cfg = parse(
        MINIMAL.replace(
            "feeds: [https://example.org/rss/international.xml]",
            "feeds:\n      - url: https://example.org/a.xml\n        ignore_validators: true",
        )
        + "fetch:\n  max_bytes: 2MiB\n  timeout: 1.5s\n  per_host_delay: 2s\n"
    )
    assert cfg.outlets[0].sources[0].ignore_validators is True
    assert cfg.fetch.max_bytes == 2 * 2**20
    assert cfg.fetch.timeout == 1.5
    assert cfg.fetch.per_host_delay == 2.0


def test_outlet_lookup_is_case_insensitive_and_names_the_known_ones():
    cfg = parse(MINIMAL)
    assert cfg.outlet("etv bharat").name == "ETV Bharat"
    with pytest.raises(ConfigError, match=r"no outlet named 'Reuters' \(known: ETV Bharat"):
        cfg.outlet("Reuters")


def test_config_path_resolution(monkeypatch):
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    assert config.resolve_path(None) == Path("config.yaml")
    monkeypatch.setenv(config.ENV_VAR, "/srv/newsmon.yaml")
    assert config.resolve_path(None) == Path("/srv/newsmon.yaml")
    assert config.resolve_path("other.yaml") == Path("other.yaml")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        config.load(tmp_path / "absent.yaml")


def test_story_thresholds_are_configurable_and_checked():
    cfg = parse(MINIMAL + "stories:\n  headline: 0.4\n  window: 2d\n")
    assert cfg.stories.headline == 0.4 and cfg.stories.window == timedelta(days=2)
    assert cfg.stories.near_duplicate == config.StorySettings().near_duplicate
    with pytest.raises(ConfigError, match=r"stories\.headline: expected a number above 0"):
        parse(MINIMAL + "stories:\n  headline: 3\n")
    with pytest.raises(ConfigError, match=r"stories\.window: '10s' is shorter"):
        parse(MINIMAL + "stories:\n  window: 10s\n")


def test_adaptive_bounds_default_and_are_checked():
    cfg = parse(MINIMAL.replace("interval: 15m", "interval: 15m\n    max_interval: 2h"))
    outlet = cfg.outlets[0]
    assert (outlet.min_interval, outlet.max_interval) == (timedelta(minutes=5), timedelta(hours=2))
    assert config.parse(MINIMAL, Path("c.yaml")).outlets[0].min_interval is None  # fixed
    with pytest.raises(ConfigError, match=r"outlets\[0\]\.min_interval: is longer than max"):
        parse(MINIMAL.replace("interval: 15m", "min_interval: 3h\n    max_interval: 2h"))


def test_dns_servers_take_ipv4_and_ipv6_with_or_without_a_port():
    cfg = parse(
        MINIMAL + "fetch:\n  dns_servers: [10.0.0.53, '127.0.0.1:5353', '[::1]:53', '::1']\n"
    )
    assert cfg.fetch.dns_servers == (
        ("10.0.0.53", 53),
        ("127.0.0.1", 5353),
        ("::1", 53),
        ("::1", 53),
    )


# -- values that would explode later are refused before any I/O ------------------

_LEVELS = "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "], " for i in range(1, 9))
ALIAS_BOMB = "{a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol], " + _LEVELS + "b: x}"
EXPLODING = {
    "alias bomb": (ALIAS_BOMB, "YAML aliases expand to more than 10,000 extra values"),
    "long zone": ("A" * 300, "monitors[0] (m): OSError"),
    "long value": ("Z" * 5_000, "a value of 5,000 characters (at most 4,096)"),
    "deep nesting": ("[" * 150 + "]" * 150, "nested more than 100 levels deep"),
    "recursive alias": ("&r [*r]", "an alias refers to the value that contains it"),
}


@pytest.mark.parametrize("case", sorted(EXPLODING))
def test_values_that_would_explode_later_are_refused_with_exit_2(tmp_path, case):
    """A 561-byte alias bomb in a monitor's `zone:` once cost minutes and gigabytes; a
    300-character zone, a huge value or deep nesting gave tracebacks."""
    import time

    from tests.conftest import newsmon

    zone, message = EXPLODING[case]
    path = tmp_path / "config.yaml"
    path.write_text(
        "database: newsmon.db\noutlets:\n  - name: A\n    feeds: [http://127.0.0.1:9/f.xml]\n"
        f"monitors:\n  - name: m\n    type: missile_launch\n    zone: {zone}\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    result = newsmon("run", config=path, timeout=30)
    assert time.monotonic() - started < 10
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "newsmon.db").exists()  # refused before any I/O


def test_a_database_path_from_an_oversized_variable_is_refused(tmp_path):
    from tests.conftest import newsmon

    path = tmp_path / "config.yaml"
    path.write_text(
        "database: ${DB}\noutlets:\n  - name: A\n    feeds: [http://127.0.0.1:9/f.xml]\n"
    )
    huge = newsmon("run", config=path, env={"DB": "x" * 120 * 1024})
    assert huge.returncode == 2 and "122,880 characters after ${...}" in huge.stderr
    long_part = newsmon("run", config=path, env={"DB": "d/" + "y" * 300 + "/n.db"})
    assert long_part.returncode == 2 and "a path part over 255 bytes" in long_part.stderr
    assert "Traceback" not in huge.stderr + long_part.stderr


@pytest.mark.parametrize(
    ("text", "seconds"), [("2w", 14 * 86400), ("7D", 7 * 86400), ("15m", 900), ("90", 90)]
)
def test_one_grammar_of_spans_for_intervals_prune_and_since(text: str, seconds: int) -> None:
    """`--since 2w` worked while `interval: 2w` and `prune --older-than 2w` did not."""
    from datetime import UTC, datetime, timedelta

    from crawler.clock import ClockError, parse_duration, parse_since

    assert parse_duration(text) == timedelta(seconds=seconds)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    if text.isdigit():  # a bare number is seconds in config.yaml, no span after --since
        with pytest.raises(ClockError):
            parse_since(text, now)
    else:
        assert parse_since(text, now) == now - timedelta(seconds=seconds)
