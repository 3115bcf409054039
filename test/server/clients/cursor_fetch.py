# Run by test/server/prepared-clients.test.ts: python3 cursor_fetch.py PORT
# libmariadb's C API (the library mysqlclient links, called through ctypes: no driver here opens a cursor) with a
# read-only cursor: STMT_ATTR_CURSOR_TYPE = CURSOR_TYPE_READ_ONLY and STMT_ATTR_PREFETCH_ROWS = 2, so the rows come
# by COM_STMT_FETCH, two at a time. Two cursors are read interleaved on one connection, which only works when the
# server really keeps them open (without cursors the first result would still be on the wire: "Commands out of sync").
import ctypes
import sys

lib = ctypes.CDLL('libmariadb.so.3')
P = ctypes.c_void_p
lib.mysql_init.restype = P
lib.mysql_init.argtypes = [P]
lib.mysql_real_connect.restype = P
lib.mysql_real_connect.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint, ctypes.c_char_p, ctypes.c_ulong]
lib.mysql_error.restype = ctypes.c_char_p
lib.mysql_error.argtypes = [P]
lib.mysql_stmt_init.restype = P
lib.mysql_stmt_init.argtypes = [P]
lib.mysql_stmt_prepare.argtypes = [P, ctypes.c_char_p, ctypes.c_ulong]
lib.mysql_stmt_attr_set.argtypes = [P, ctypes.c_int, P]
lib.mysql_stmt_bind_param.argtypes = [P, P]
lib.mysql_stmt_bind_result.argtypes = [P, P]
lib.mysql_stmt_execute.argtypes = [P]
lib.mysql_stmt_fetch.argtypes = [P]
lib.mysql_stmt_error.restype = ctypes.c_char_p
lib.mysql_stmt_error.argtypes = [P]
lib.mysql_stmt_close.argtypes = [P]
lib.mysql_close.argtypes = [P]


class Bind(ctypes.Structure):
    """libmariadb's MYSQL_BIND (mariadb_stmt.h)."""
    _fields_ = [
        ('length', ctypes.POINTER(ctypes.c_ulong)),
        ('is_null', ctypes.POINTER(ctypes.c_char)),
        ('buffer', P),
        ('error', ctypes.POINTER(ctypes.c_char)),
        ('u', P),
        ('store_param_func', P),
        ('fetch_result', P),
        ('skip_result', P),
        ('buffer_length', ctypes.c_ulong),
        ('offset', ctypes.c_ulong),
        ('length_value', ctypes.c_ulong),
        ('flags', ctypes.c_uint),
        ('pack_length', ctypes.c_uint),
        ('buffer_type', ctypes.c_int),
        ('error_value', ctypes.c_char),
        ('is_unsigned', ctypes.c_char),
        ('long_data_used', ctypes.c_char),
        ('is_null_value', ctypes.c_char),
        ('extension', P),
    ]


MYSQL_TYPE_LONGLONG = 8
MYSQL_TYPE_STRING = 254
STMT_ATTR_CURSOR_TYPE = 1
STMT_ATTR_PREFETCH_ROWS = 2
CURSOR_TYPE_READ_ONLY = 1
MYSQL_NO_DATA = 100

conn = lib.mysql_init(None)
if not lib.mysql_real_connect(conn, b'127.0.0.1', b'root', b'', b'p', int(sys.argv[1]), None, 0):
    sys.exit('connect: ' + lib.mysql_error(conn).decode())


class Cursor:
    """One prepared `SELECT k, v … WHERE k >= ?` opened as a read-only cursor, with its result bound."""

    def __init__(self, sql, first):
        self.stmt = lib.mysql_stmt_init(conn)
        self.check(lib.mysql_stmt_prepare(self.stmt, sql, len(sql)))
        cursor_type = ctypes.c_ulong(CURSOR_TYPE_READ_ONLY)
        prefetch = ctypes.c_ulong(2)
        self.check(lib.mysql_stmt_attr_set(self.stmt, STMT_ATTR_CURSOR_TYPE, ctypes.byref(cursor_type)))
        self.check(lib.mysql_stmt_attr_set(self.stmt, STMT_ATTR_PREFETCH_ROWS, ctypes.byref(prefetch)))
        self.param_value = ctypes.c_longlong(first)
        param = Bind(buffer=ctypes.cast(ctypes.byref(self.param_value), P), buffer_type=MYSQL_TYPE_LONGLONG)
        self.check(lib.mysql_stmt_bind_param(self.stmt, ctypes.byref(param)))
        self.check(lib.mysql_stmt_execute(self.stmt))
        self.k = ctypes.c_longlong()
        self.k_null = ctypes.c_char()
        self.v = ctypes.create_string_buffer(256)
        self.v_len = ctypes.c_ulong()
        self.v_null = ctypes.c_char()
        self.binds = (Bind * 2)()
        self.binds[0] = Bind(buffer=ctypes.cast(ctypes.byref(self.k), P), buffer_type=MYSQL_TYPE_LONGLONG, is_null=ctypes.pointer(self.k_null))
        self.binds[1] = Bind(buffer=ctypes.cast(self.v, P), buffer_type=MYSQL_TYPE_STRING, buffer_length=256, length=ctypes.pointer(self.v_len), is_null=ctypes.pointer(self.v_null))
        self.check(lib.mysql_stmt_bind_result(self.stmt, self.binds))

    def check(self, rc):
        if rc:
            sys.exit('stmt: ' + lib.mysql_stmt_error(self.stmt).decode())

    def fetch(self):
        rc = lib.mysql_stmt_fetch(self.stmt)
        if rc == MYSQL_NO_DATA:
            return None
        self.check(rc)
        v = 'NULL' if self.v_null.value == b'\x01' else self.v.raw[: self.v_len.value].decode()
        return f'{self.k.value}|{v}'


a = Cursor(b'SELECT k, v FROM t WHERE k >= ? ORDER BY k', 1)
print('a', a.fetch())
b = Cursor(b'SELECT k, v FROM t WHERE k >= ? ORDER BY k DESC', 2)
print('b', b.fetch())
print('a', a.fetch())
print('b', b.fetch())
while (row := a.fetch()) is not None:
    print('a', row)
print('a', a.fetch())
print('b', b.fetch())
lib.mysql_stmt_close(a.stmt)
lib.mysql_stmt_close(b.stmt)
lib.mysql_close(conn)
