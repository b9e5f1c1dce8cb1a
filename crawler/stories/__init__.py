"""Stories: the same report under many URLs and headlines, found incrementally.

`assign` decides an article's story (exact copy, near copy, same headline, or its
own); `minhash` sketches texts so near copies are found through an index.
"""

from crawler.stories.assign import DEFAULTS, StoryDecision, assign_story, story_time

__all__ = ["DEFAULTS", "StoryDecision", "assign_story", "story_time"]
