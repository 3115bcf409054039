# Run by test/server/prepared-clients.test.ts: python3 change_user.py PORT
# mysqlclient (MySQLdb, libmariadb): column types over the text protocol, then COM_CHANGE_USER to another account,
# a refused change (wrong password: the old user stays), and PyMySQL reading the same row.
import sys
import MySQLdb
import pymysql

port = int(sys.argv[1])
c = MySQLdb.connect(host='127.0.0.1', port=port, user='root', db='p', charset='utf8mb4')
cur = c.cursor()
cur.execute('SELECT k, b, ti, si, i, bi, li, f, d, de, c, v, s, dt, dtt FROM t WHERE k <= %s ORDER BY k', (3,))
for row in cur.fetchall():
    print('mysqlclient:', '|'.join('NULL' if v is None else f'{type(v).__name__}:{v}' for v in row))
c.change_user('reader', 'pw-r', 'p')
cur = c.cursor()
cur.execute('SELECT CURRENT_USER(), DATABASE()')
print('changed:', cur.fetchall()[0])
try:
    c.change_user('reader', 'wrong', 'p')
    print('refused: no')
except MySQLdb.OperationalError as e:
    print('refused:', e.args[0])
cur = c.cursor()
cur.execute('SELECT CURRENT_USER()')
print('still:', cur.fetchall()[0][0])
c.close()
p = pymysql.connect(host='127.0.0.1', port=port, user='root', database='p')
pc = p.cursor()
pc.execute('SELECT k, de, v, dt, dtt FROM t WHERE k = %s', (1,))
print('pymysql:', '|'.join(f'{type(v).__name__}:{v}' for v in pc.fetchall()[0]))
p.close()
