"""newsmon: scheduled news monitoring that reports each real-world event once."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
