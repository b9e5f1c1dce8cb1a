"""`python -m crawler`: the same program as `newsmon`."""

from crawler.cli import main

main()
