"""newsmon: scheduled news monitoring that reports each real-world event once."""

import logging

__version__ = "0.2.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
