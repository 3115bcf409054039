# Run by test/server/prepared-clients.test.ts: perl prepared_types.pl PORT
# DBD::MariaDB with mariadb_server_prepare=1 (COM_STMT_PREPARE / EXECUTE through libmariadb). One line per case.
use strict;
use warnings;
use utf8;
use DBI;
binmode STDOUT, ':encoding(UTF-8)';
my $port = shift @ARGV;
my $dbh = DBI->connect("DBI:MariaDB:database=p;host=127.0.0.1;port=$port;mariadb_server_prepare=1", 'root', '', { RaiseError => 1, PrintError => 0 });
sub show { join('|', map { defined $_ ? $_ : 'NULL' } @_) }
my $sth = $dbh->prepare('SELECT k, b, ti, si, i, bi, li, f, d, de, c, v, s, dt, dtt FROM t WHERE k >= ? AND k <= ? ORDER BY k');
$sth->execute(1, 3);
print "fields: ", $sth->{NUM_OF_FIELDS}, "\n";
while (my @r = $sth->fetchrow_array) { print 'select: ', show(@r), "\n"; }
my $ins = $dbh->prepare('INSERT INTO t (k, v, de, dt, dtt) VALUES (?, ?, ?, ?, ?)');
$ins->execute(60, "perl ✓", '3.14', '2020-02-02', '2020-02-02 02:02:02');
$ins->execute(61, undef, undef, undef, undef);
my $rows = $dbh->selectall_arrayref('SELECT k, v, de, dt FROM t WHERE k >= ? AND k < ? ORDER BY k', undef, 60, 70);
print 'read back: ', join(',', map { show(@$_) } @$rows), "\n";
my $show = $dbh->prepare('SHOW VARIABLES LIKE ?');
$show->execute('character_set_client');
while (my @r = $show->fetchrow_array) { print 'show: ', show(@r), "\n"; }
print 'server_prepare: ', $dbh->{mariadb_server_prepare}, "\n";
$dbh->disconnect;
