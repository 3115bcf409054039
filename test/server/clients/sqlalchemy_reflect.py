"""SQLAlchemy (Debian's 1.4, PyMySQL driver) and PyMySQL against a tablevault server; prints one JSON object.

Usage: /usr/bin/python3 sqlalchemy_reflect.py PORT DB
- reflect: MetaData.reflect() of DB: per table, each column's type (repr), nullable, default, and the primary key;
  every warning SQLAlchemy raised while reflecting;
- isolation: create_engine(isolation_level=…) for each level, and what the connection then reports;
- pymysql: autocommit off (PyMySQL's default) → an INSERT invisible to another connection until commit, gone after
  rollback.
"""
import json
import sys
import warnings

import pymysql
import sqlalchemy as sa

port, db = int(sys.argv[1]), sys.argv[2]
url = f"mysql+pymysql://root@127.0.0.1:{port}/{db}"
out = {}

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    engine = sa.create_engine(url)
    md = sa.MetaData()
    md.reflect(bind=engine)
    out["reflect"] = {
        name: {
            "columns": [
                {"name": c.name, "type": repr(c.type), "nullable": c.nullable,
                 "default": None if c.server_default is None else str(c.server_default.arg)}
                for c in table.columns
            ],
            "primary_key": [c.name for c in table.primary_key.columns],
            "unique": sorted(sorted(col.name for col in ix.columns) for ix in table.indexes if ix.unique),
        }
        for name, table in sorted(md.tables.items())
    }
    out["reflect_warnings"] = sorted({str(w.message) for w in caught})
    engine.dispose()

levels = {}
for level in ["READ COMMITTED", "REPEATABLE READ", "READ UNCOMMITTED", "AUTOCOMMIT", "SERIALIZABLE"]:
    try:
        e = sa.create_engine(url, isolation_level=level)
        with e.connect() as conn:
            levels[level] = conn.exec_driver_sql("SELECT @@transaction_isolation, @@autocommit").fetchone()[0:2]
            levels[level] = [str(v) for v in levels[level]]
        e.dispose()
    except Exception as ex:  # noqa: BLE001 - reported, the test decides
        levels[level] = ["ERROR", str(getattr(ex, "orig", ex))]
out["isolation"] = levels

a = pymysql.connect(host="127.0.0.1", port=port, user="root", database=db)
b = pymysql.connect(host="127.0.0.1", port=port, user="root", database=db, autocommit=True)
def count(conn, k):
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM t_dup WHERE k = %s", (k,))
        return cur.fetchone()[0]
tx = {}
with a.cursor() as cur:
    tx["autocommit_at_connect"] = a.get_autocommit()
    cur.execute("INSERT INTO t_dup (k, s) VALUES (%s, %s)", (500, "x"))
    tx["in_trans_flag"] = bool(a.server_status & 1)
    tx["other_before_commit"] = count(b, 500)
    a.commit()
    tx["in_trans_after_commit"] = bool(a.server_status & 1)
    tx["other_after_commit"] = count(b, 500)
    cur.execute("INSERT INTO t_dup (k, s) VALUES (%s, %s)", (501, "y"))
    a.rollback()
    tx["after_rollback"] = count(b, 501)
out["pymysql"] = tx
a.close()
b.close()
print(json.dumps(out, indent=1, sort_keys=True))
