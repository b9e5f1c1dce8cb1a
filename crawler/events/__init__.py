"""Events: every article a monitor matched, grouped by the real-world event it reports.

`join` decides which event an article joins (or opens); `summary` recomputes what the
event shows (time, facts, roles, title) from its members; `corrections` holds what
analysts corrected, `event_ids` keeps event ids through `reprocess`.
"""

from crawler.events.join import assign
from crawler.events.summary import SHOWN, Shown, merge_facts, refresh

__all__ = ["SHOWN", "Shown", "assign", "merge_facts", "refresh"]
