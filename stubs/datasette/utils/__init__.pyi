import sqlite3
from contextlib import AbstractContextManager

def sqlite_timelimit(conn: sqlite3.Connection, ms: int) -> AbstractContextManager[None]: ...
