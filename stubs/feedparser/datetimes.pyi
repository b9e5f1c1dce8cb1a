# feedparser 6: its reader of the many date formats feeds use.
import time

def _parse_date(date_string: str) -> time.struct_time | None: ...
