"""Event detectors: what newsmon watches for (the protocol and detectors arrive with events)."""
