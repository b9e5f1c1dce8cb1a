"""OPML import and export, and the outlets file they write: real files, the real CLI."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from crawler import config, opml
from crawler.config import ConfigError, outlets_file
from tests.conftest import newsmon

CONFIG = """\
# newsmon for the desk -- keep this comment
database: newsmon.db   # beside this file
outlets:
  - name: Yonhap
    feeds: [https://en.yna.co.kr/RSS/news.xml]   # English service
    interval: 10m
  - name: Guardian
    sitemaps: [https://www.theguardian.com/sitemaps/news.xml]
"""

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Feedly export</title></head>
  <body>
    <outline text="Asia" title="Asia">
      <outline type="rss" text="Kyodo News" title="Kyodo News"
               xmlUrl="https://english.kyodonews.net/rss/news.xml"
               htmlUrl="https://english.kyodonews.net/"/>
      <outline type="rss" text="Yonhap (again)" xmlUrl="HTTPS://EN.yna.co.kr:443/RSS/news.xml/"/>
      <outline text="Korea">
        <outline type="rss" text="NK News" xmlUrl="https://www.nknews.org/feed/"/>
      </outline>
    </outline>
    <outline type="rss" title="Yonhap" xmlUrl="https://en.yna.co.kr/RSS/northkorea.xml"/>
    <outline type="rss" text="Broken" xmlUrl="ftp://example.org/feed"/>
    <outline type="rss" text="Secret" xmlUrl="https://evil.example/${NEWSMON_WEBHOOK}"/>
    <outline type="rss" text="No host" xmlUrl="https:///feed"/>
  </body>
</opml>
"""


def setup(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reading_flattens_folders_and_refuses_bad_outlines_one_by_one():
    found = opml.read(READER_EXPORT, "feedly.opml")
    assert [(f.name, f.url) for f in found.feeds] == [
        ("Kyodo News", "https://english.kyodonews.net/rss/news.xml"),
        ("Yonhap (again)", "HTTPS://EN.yna.co.kr:443/RSS/news.xml/"),
        ("NK News", "https://www.nknews.org/feed/"),
        ("Yonhap", "https://en.yna.co.kr/RSS/northkorea.xml"),
    ]
    assert len(found.problems) == 3
    broken, secret, hostless = found.problems
    assert broken.startswith("feedly.opml:15: ") and "is not an http or https URL" in broken
    assert "${" in secret and "environment variable" in secret
    assert "has no host" in hostless


def test_hostile_opml_is_bounded_where_it_enters():
    deep = b"<outline text='x'>" * 30 + b"<outline xmlUrl='https://deep.example/f'/>"
    deep += b"</outline>" * 30
    found = opml.read(b"<opml version='2.0'><body>" + deep + b"</body></opml>", "deep.opml")
    assert found.feeds == [] and "nested over 20 deep" in found.problems[0]

    many = b"".join(b"<outline xmlUrl='https://m.example/%d'/>" % i for i in range(10_005))
    found = opml.read(b"<opml><body>" + many + b"</body></opml>", "many.opml")
    assert len(found.feeds) == opml.MAX_FEEDS
    assert "5 feeds past the first 10000 ignored" in found.problems[-1]

    laughs = "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )  # "billion laughs": 10^9 characters from 600 bytes
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a0 "xxxxxxxxxx">{laughs}]>'
        "<opml><body><outline text='&a9;' xmlUrl='https://e.example/f'/></body></opml>"
    ).encode()
    started = time.monotonic()
    with pytest.raises(opml.OpmlError, match="amplification"):
        opml.read(bomb, "bomb.opml")
    assert time.monotonic() - started < 1
    external = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b"<opml><body><outline text='&x;' xmlUrl='https://e.example/f'/></body></opml>"
    )
    with pytest.raises(opml.OpmlError, match="external entity"):
        opml.read(external, "xxe.opml")
    small = b"<opml><body><outline text='%s' xmlUrl='https://e.example/f'/></body></opml>"
    (feed,) = opml.read(small % (b"n" * 5000), "long.opml").feeds
    assert len(feed.name) == opml.MAX_NAME

    with pytest.raises(opml.OpmlError, match="not well-formed XML"):
        opml.read(b"<opml><body>", "cut.opml")
    with pytest.raises(opml.OpmlError, match="not an OPML document"):
        opml.read(b"<rss><channel/></rss>", "rss.xml")
    with pytest.raises(opml.OpmlError, match="larger than 10 MiB"):
        opml.read(b" " * (opml.MAX_BYTES + 1), "huge.opml")


def test_names_from_strangers_never_become_environment_references():
    body = b"<opml><body><outline text='${HOME} news' xmlUrl='https://n.example/f'/></body></opml>"
    (feed,) = opml.read(body, "x.opml").feeds
    assert "${" not in feed.name


def test_import_adds_to_an_outlets_file_and_leaves_config_yaml_as_written(tmp_path):
    cfg_path = setup(tmp_path)
    (tmp_path / "feedly.opml").write_bytes(READER_EXPORT)
    os.chmod(cfg_path, 0o640)

    dry = newsmon("opml", "import", "feedly.opml", "--dry-run", config=cfg_path)
    assert dry.returncode == 1  # three outlines were invalid
    assert "would add 3 outlets (3 feeds)" in dry.stdout
    assert not (tmp_path / "outlets.yaml").exists()
    assert cfg_path.read_text(encoding="utf-8") == CONFIG

    result = newsmon("opml", "import", "feedly.opml", "--interval", "30m", config=cfg_path)
    assert result.returncode == 1, result.stderr
    assert (
        "skipped HTTPS://EN.yna.co.kr:443/RSS/news.xml/: already configured (outlet 'Yonhap')"
        in (result.stdout)
    )
    assert "renamed 'Yonhap' is taken: added as 'Yonhap (en.yna.co.kr)'" in result.stdout
    assert "added 3 outlets (3 feeds)" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: outline")]
    assert len(errors) == 3 and "feedly.opml:15:" in errors[0]

    # config.yaml: every byte kept, one line appended, permissions kept
    assert cfg_path.read_text(encoding="utf-8") == CONFIG + "outlets_file: outlets.yaml\n"
    assert stat.S_IMODE(cfg_path.stat().st_mode) == 0o640
    written = yaml.safe_load((tmp_path / "outlets.yaml").read_text(encoding="utf-8"))
    assert written["outlets"][0] == {
        "name": "Kyodo News",
        "interval": "30m",
        "feeds": ["https://english.kyodonews.net/rss/news.xml"],
    }
    cfg = config.load(cfg_path)
    assert [o.name for o in cfg.outlets] == [
        "Yonhap",
        "Guardian",
        "Kyodo News",
        "NK News",
        "Yonhap (en.yna.co.kr)",
    ]
    assert cfg.outlets_file == tmp_path / "outlets.yaml"

    again = newsmon("opml", "import", "feedly.opml", config=cfg_path)
    assert "nothing to add" in again.stdout
    assert again.stdout.count("already configured") == 4
    assert cfg_path.read_text(encoding="utf-8").count("outlets_file") == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_round_trips_through_import(tmp_path):
    cfg_path = setup(tmp_path)
    two_feeds = CONFIG.replace(
        "feeds: [https://en.yna.co.kr/RSS/news.xml]",
        "feeds: [https://en.yna.co.kr/RSS/news.xml, https://en.yna.co.kr/RSS/nk.xml]",
    ).replace("name: Yonhap", "name: Yonhap & <Co>")
    cfg_path.write_text(two_feeds, encoding="utf-8")
    exported = newsmon("opml", "export", "out.opml", config=cfg_path)
    assert exported.returncode == 0, exported.stderr
    assert "1 sitemap left out" in exported.stderr
    root = ElementTree.parse(tmp_path / "out.opml").getroot()
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title") is not None and root.find("head/dateCreated") is not None
    outlines = root.findall("body/outline")
    assert [(o.get("text"), o.get("type"), o.get("xmlUrl")) for o in outlines] == [
        ("Yonhap & <Co>", "rss", "https://en.yna.co.kr/RSS/news.xml"),
        ("Yonhap & <Co>", "rss", "https://en.yna.co.kr/RSS/nk.xml"),
    ]
    printed = newsmon("opml", "export", config=cfg_path).stdout
    assert printed.count("<outline ") == 2 and printed.startswith("<?xml")

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_cfg = setup(fresh, "database: newsmon.db\n")
    imported = newsmon("opml", "import", str(tmp_path / "out.opml"), config=fresh_cfg)
    assert imported.returncode == 0, imported.stderr
    (outlet,) = config.load(fresh_cfg).outlets
    assert outlet.name == "Yonhap & <Co>"
    assert [s.url for s in outlet.sources] == [
        "https://en.yna.co.kr/RSS/news.xml",
        "https://en.yna.co.kr/RSS/nk.xml",
    ]


def test_import_refuses_what_it_cannot_do_safely(tmp_path):
    cfg_path = setup(tmp_path, CONFIG + "...\n")  # a document end marker: no safe append
    (tmp_path / "one.opml").write_bytes(
        b"<opml><body><outline text='A' xmlUrl='https://a.example/f'/></body></opml>"
    )
    result = newsmon("opml", "import", "one.opml", config=cfg_path)
    assert result.returncode == 2
    assert "cannot append `outlets_file: outlets.yaml` safely" in result.stderr
    assert not (tmp_path / "outlets.yaml").exists()

    cfg_path.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "outlets.yaml").write_text("outlets: []\n", encoding="utf-8")
    result = newsmon("opml", "import", "one.opml", config=cfg_path)
    assert result.returncode == 2 and "does not name it" in result.stderr
    assert cfg_path.read_text(encoding="utf-8") == CONFIG

    missing = newsmon("opml", "import", "nope.opml", config=cfg_path)
    assert missing.returncode == 1 and "nope.opml: cannot read" in missing.stderr
    (tmp_path / "page.opml").write_text("<html><body>hi</body></html>", encoding="utf-8")
    not_opml = newsmon("opml", "import", "page.opml", config=cfg_path)
    assert not_opml.returncode == 1 and "page.opml: not an OPML document" in not_opml.stderr
    bad = newsmon("opml", "import", "one.opml", "--interval", "10s", config=cfg_path)
    assert bad.returncode == 2 and "shorter than" in bad.stderr


def test_the_outlets_file_is_checked_like_config_yaml(tmp_path):
    cfg_path = setup(tmp_path, CONFIG + "outlets_file: more/outlets.yaml\n")
    assert config.load(cfg_path).outlets_file == tmp_path / "more" / "outlets.yaml"  # missing: none
    (tmp_path / "more").mkdir()
    extra = tmp_path / "more" / "outlets.yaml"
    for content, message in (
        (
            "outlets:\n  - name: A\n    feeds: [https://a.example/f]\n    interval: 5x\n",
            r"more/outlets.yaml:4: outlets\[0\].interval: '5x'",
        ),
        (
            "outlets:\n  - name: yonhap\n    feeds: [https://a.example/f]\n",
            r"outlets.yaml:2: outlets\[0\].name: duplicate outlet",
        ),
        (  # the same feed URL in config.yaml and in the outlets file
            "outlets:\n  - name: B\n    feeds: [https://en.yna.co.kr/RSS/news.xml]\n",
            r"outlets.yaml:3: outlets\[0\].feeds\[0\]: this URL is already listed at "
            r"outlets\[0\].feeds\[0\] \(line 5\)",
        ),
        (
            "outlets:\n  - {name: B, feeds: [https://b.example/f]}\n"
            "  - {name: C, sitemaps: [https://b.example/f]}\n",
            r"already listed at outlets.yaml: outlets\[0\]",
        ),
        ("feeds: []\n", r"outlets.yaml:1: feeds: unknown key"),
        ("outlets: [&a [*a]]\n", "alias refers to the value that contains it"),
    ):
        extra.write_text(content)
        with pytest.raises(ConfigError, match=message):
            config.load(cfg_path)
    only = setup(tmp_path, "database: x.db\noutlets_file: more/outlets.yaml\n")
    extra.write_text("outlets: []\n")
    with pytest.raises(ConfigError, match="list at least one outlet to poll"):
        config.load(only)
    assert config.load(only, require_outlets=False).outlets == ()


def test_two_writers_at_once_lose_nothing(tmp_path):
    cfg_path = setup(tmp_path)
    for name in "abcdef":
        (tmp_path / f"{name}.opml").write_bytes(
            f"<opml><body><outline text='{name}' xmlUrl='https://{name}.example/f'/>"
            "</body></opml>".encode()
        )
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crawler",
                "--config",
                str(cfg_path),
                "opml",
                "import",
                f"{n}.opml",
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in "abcdef"
    ]
    assert [run.wait(timeout=60) for run in runs] == [0] * 6
    names = sorted(o.name for o in config.load(cfg_path).outlets)
    assert names == ["Guardian", "Yonhap", *"abcdef"]
    assert cfg_path.read_text(encoding="utf-8").count("outlets_file") == 1


def test_plan_groups_same_named_feeds_and_skips_repeats():
    cfg = config.parse(CONFIG, Path("/srv/config.yaml"))
    plan = outlets_file.plan(
        cfg,
        [
            outlets_file.Candidate("Kyodo", "https://kyodo.example/a.xml"),
            outlets_file.Candidate("kyodo", "https://kyodo.example/b.xml"),
            outlets_file.Candidate("Other", "https://KYODO.example:443/a.xml/"),
        ],
    )
    assert plan.outlets == [
        {"name": "Kyodo", "feeds": ["https://kyodo.example/a.xml", "https://kyodo.example/b.xml"]}
    ]
    assert plan.skipped == ["https://KYODO.example:443/a.xml/: already configured (outlet 'Kyodo')"]


def test_write_checks_the_whole_result_before_replacing_anything(tmp_path):
    cfg_path = setup(tmp_path)
    cfg = config.load(cfg_path)
    with pytest.raises(ConfigError, match=r"outlets\[0\].interval"):
        outlets_file.write(cfg, [{"name": "Z", "feeds": ["https://z.example/f"], "interval": "1s"}])
    assert cfg_path.read_text(encoding="utf-8") == CONFIG
    assert not (tmp_path / "outlets.yaml").exists()


def test_export_writes_xml_readers_accept_even_for_odd_names(tmp_path):
    cfg_path = setup(
        tmp_path,
        CONFIG.replace("name: Guardian", 'name: "Odd \\x01 \\u202e name"').replace(
            "sitemaps:", "feeds:"
        ),
    )
    text, skipped = opml.write(config.load(cfg_path), datetime(2026, 1, 4, tzinfo=UTC))
    assert skipped == 0
    root = ElementTree.fromstring(text)
    names = [o.get("text") for o in root.iter("outline")]
    assert names[1] == "Odd  \u202e name"  # the control character dropped, the rest kept


def test_an_outlets_file_that_cannot_be_written_is_exit_1_with_nothing_changed(tmp_path):
    text = CONFIG + "outlets_file: no/such/dir/outlets.yaml\n"
    cfg_path = setup(tmp_path, text)
    (tmp_path / "one.opml").write_bytes(
        b"<opml><body><outline text='A' xmlUrl='https://a.example/f'/></body></opml>"
    )
    result = newsmon("opml", "import", "one.opml", config=cfg_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: {tmp_path}/no/such/dir/outlets.yaml: cannot write: No such file or directory"
    )
    assert cfg_path.read_text(encoding="utf-8") == text


DIFFERENT_FEEDS = [
    "https://news.example.org/rss?cid=1",
    "https://news.example.org/rss?cid=2",
    "https://news.example.org/feed?output=rss",
    "https://news.example.org/feed?output=atom",
    "https://m.news.example.org/feed",
    "https://news.example.org/feed",
    "https://news.example.org/world/amp",
    "https://news.example.org/world",
    "http://news.example.org/world",
]


def test_different_feeds_are_never_folded_by_the_article_rule(tmp_path):
    outlines = "".join(
        f'<outline type="rss" text="Feed {i}" xmlUrl="{url.replace("&", "&amp;")}"/>'
        for i, url in enumerate(DIFFERENT_FEEDS)
    )
    (tmp_path / "many.opml").write_text(
        f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>',
        encoding="utf-8",
    )
    cfg_path = setup(tmp_path)
    result = newsmon("opml", "import", "many.opml", config=cfg_path)
    assert result.returncode == 0, result.stderr
    assert "skipped" not in result.stdout
    feeds = [s.url for o in config.load(cfg_path).outlets for s in o.sources]
    assert set(DIFFERENT_FEEDS) <= set(feeds)


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("HTTPS://EN.YNA.CO.KR/RSS/news.xml", "https://en.yna.co.kr/RSS/news.xml"),
        ("https://en.yna.co.kr:443/RSS/news.xml/", "https://en.yna.co.kr/RSS/news.xml"),
    ],
)
def test_a_feed_written_another_way_is_a_duplicate_in_config(tmp_path, written, same_as):
    text = CONFIG + f"  - name: Again\n    feeds: [{written}]\n"
    with pytest.raises(ConfigError, match="already listed"):
        config.parse(text, tmp_path / "config.yaml")


def big_outlets(tag: str, megabytes: float) -> list[dict]:
    """Outlets with long (yet valid) feed URLs: `megabytes` of outlets file in few nodes."""
    padding = "p" * 1900
    count = int(megabytes * 2**20 / 2000)
    return [
        {"name": f"{tag} {i}", "feeds": [f"https://{tag}.example.org/{i}/{padding}.xml"]}
        for i in range(count)
    ]


def test_an_outlets_file_never_grows_past_what_every_load_accepts(tmp_path, monkeypatch):
    """Two imports each over half the limit (16 MiB, here 1 MiB to keep the test quick:
    the loader and the writer share the one limit)."""
    monkeypatch.setattr(sys.modules["crawler.config.load"], "MAX_CONFIG_BYTES", 2**20)
    monkeypatch.setattr(outlets_file, "MAX_CONFIG_BYTES", 2**20)
    cfg_path = setup(tmp_path)
    with outlets_file.writing(cfg_path):
        outlets_file.write(config.load(cfg_path), big_outlets("first", 0.57))
    first = (tmp_path / "outlets.yaml").read_bytes()
    with outlets_file.writing(cfg_path), pytest.raises(ConfigError, match="nothing was written"):
        outlets_file.write(config.load(cfg_path), big_outlets("second", 0.57))
    assert (tmp_path / "outlets.yaml").read_bytes() == first
    assert len(config.load(cfg_path).outlets) == 2 + len(big_outlets("first", 0.57))


def test_a_kill_between_the_two_writes_leaves_a_retry_that_works(tmp_path, monkeypatch):
    """The first import names outlets.yaml in config.yaml and dies before writing it."""
    cfg_path = setup(tmp_path)
    (tmp_path / "feedly.opml").write_bytes(READER_EXPORT)
    real = outlets_file.replace_atomically
    calls: list[Path] = []

    def killed_after_one_write(path, text, **options):
        if calls:
            raise KeyboardInterrupt  # the process dies here
        calls.append(path)
        real(path, text, **options)

    monkeypatch.setattr(outlets_file, "replace_atomically", killed_after_one_write)
    cfg = config.load(cfg_path)
    with pytest.raises(KeyboardInterrupt), outlets_file.writing(cfg_path):
        outlets_file.write(cfg, [{"name": "Kyodo", "feeds": ["https://kyodo.example/a.xml"]}])
    monkeypatch.undo()
    assert config.load(cfg_path).outlets == cfg.outlets  # still loads: nothing half-done
    again = newsmon("opml", "import", "feedly.opml", config=cfg_path)
    assert "exists but" not in again.stderr
    names = [o.name for o in config.load(cfg_path).outlets]
    assert "Kyodo News" in names and "NK News" in names
