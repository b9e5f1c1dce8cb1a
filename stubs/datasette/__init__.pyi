# Datasette 0.65: what newsmon's web plugin (crawler/report/web) uses of it.
from pluggy import HookimplMarker

hookimpl: HookimplMarker
