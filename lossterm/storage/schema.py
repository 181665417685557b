"""What makes a SQLite file lossterm's run history, and reading one without changing it.

lossterm writes only into a file that is empty or already holds its own tables:
``--store`` pointed at another program's database (one with a ``runs`` table of
its own, say) is refused before a byte of it changes. ``lossterm report`` reads
through a ``mode=ro`` URI, so it cannot switch the file to WAL, add tables or
checkpoint it, and it salvages what it can from a file with a damaged page.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

from lossterm.core.errors import UsageError

# The columns lossterm reads and writes. A store may hold more (columns or tables a
# later lossterm added); one lacking any of these is not lossterm's.
COLUMNS = {
    "runs": {"id", "started", "finished", "pid", "problem", "loss", "kind", "seed", "config",
             "output_activation", "output_layer", "target_encoding", "metric", "epochs",
             "status", "message", "warnings", "notes", "seconds"},
    "epochs": {"run_id", "epoch", "seconds", "logs"},
}


def check_schema(db: sqlite3.Connection, path: Path) -> bool:
    """True if ``db`` holds lossterm's tables, False if it holds no table at all; a
    UsageError naming what is wrong otherwise. Reads ``sqlite_master`` and
    ``table_info`` only: nothing is written."""
    tables = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")}
    if not tables:
        return False
    for table, needed in COLUMNS.items():
        if table not in tables:
            raise UsageError(f"{path} is not a lossterm run history (it has no {table} table); "
                             "lossterm writes only into its own: name another {field}",
                             field="store")
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not needed <= have:
            missing = ", ".join(sorted(needed - have))
            raise UsageError(f"{path} is not a lossterm run history (its {table} table has "
                             f"no {missing}); lossterm writes only into its own: name another "
                             "{field}", field="store")
    return True


def open_read_only(path: Path) -> sqlite3.Connection:
    """``path`` opened so that nothing can change it, its schema checked.

    A ``mode=ro`` URI first. In a folder lossterm may not write, SQLite cannot make
    the WAL's shared-memory file and refuses: then ``immutable=1``, which reads the
    main file as it stands (what a WAL file not yet checkpointed holds is not seen;
    nothing can be writing there through this folder anyway)."""
    uri = "file:" + quote(str(path.expanduser().absolute()))
    last: sqlite3.Error | None = None
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            db = sqlite3.connect(uri + query, uri=True, check_same_thread=False, timeout=10)
            if not check_schema(db, path):
                db.close()
                raise UsageError(f"{path} holds no lossterm run history")
            return db
        except sqlite3.OperationalError as exc:
            last = exc
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} cannot be read as a run history: {exc}") from None
    raise UsageError(f"{path} cannot be read: {last}") from None


def salvage(db: sqlite3.Connection, limit: int | None) -> tuple[list[dict], dict, int]:
    """The runs (the last ``limit``, oldest first, as dicts of their columns), their
    epochs by run id, and how many runs could not be read.

    One query reads everything when the file is sound. When a page is damaged the
    query fails part way, so the runs are read again one id at a time, each run with
    its epochs: a run whose row or epochs sit on the damaged page is counted, the
    others are kept."""
    try:
        return (*_all(db, limit), 0)
    except (sqlite3.DatabaseError, ValueError):
        pass
    ids = _ids(db)
    rows, epochs, lost = [], {}, 0
    for run_id in ids:
        try:
            cursor = db.execute("SELECT * FROM runs WHERE id=?", (run_id,))
            names = [d[0] for d in cursor.description]
            row = cursor.fetchone()
            found = _epochs(db.execute("SELECT run_id, epoch, seconds, logs FROM epochs "
                                       "WHERE run_id=? ORDER BY epoch", (run_id,)))
        except (sqlite3.DatabaseError, ValueError):
            lost += 1
            continue
        if row is not None:
            rows.append(dict(zip(names, row)))
            epochs.update(found)
    if limit is not None:
        rows = rows[-limit:]
    return rows, epochs, lost


def _all(db: sqlite3.Connection, limit: int | None) -> tuple[list[dict], dict]:
    cursor = db.execute("SELECT * FROM (SELECT * FROM runs ORDER BY id DESC LIMIT ?) ORDER BY id",
                        (-1 if limit is None else limit,))
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    epochs = _epochs(db.execute("SELECT run_id, epoch, seconds, logs FROM epochs "
                                "ORDER BY run_id, epoch"))
    return rows, epochs


def _epochs(cursor: sqlite3.Cursor) -> dict[int, list[tuple[int, float, dict[str, float]]]]:
    epochs: dict[int, list[tuple[int, float, dict[str, float]]]] = {}
    for run_id, epoch, seconds, logs in cursor:
        epochs.setdefault(run_id, []).append((epoch, seconds, json.loads(logs)))
    return epochs


def _ids(db: sqlite3.Connection) -> range:
    """Every id a run may have: 1 to the largest (read off the table's last page, or, if
    that is the damaged one, the epochs' index)."""
    for sql in ("SELECT max(id) FROM runs", "SELECT max(run_id) FROM epochs"):
        try:
            top = db.execute(sql).fetchone()[0]
        except sqlite3.DatabaseError:
            continue
        return range(1, (top or 0) + 1)
    return range(0)
