#!/usr/bin/perl
# Perl DBI with DBD::MariaDB against a tablevault server: column_info, primary_key, and a transaction with
# AutoCommit off (commit and rollback seen from a second connection). Usage: perl dbi_client.pl PORT DB
# Output: one line per fact, `name<TAB>value…`; errors as `name<TAB>ERROR<TAB>errno<TAB>message`.
use strict;
use warnings;
use DBI;

my ($port, $db) = @ARGV;
my $dsn = "DBI:MariaDB:database=$db;host=127.0.0.1;port=$port";
my $a = DBI->connect($dsn, 'root', '', { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
my $b = DBI->connect($dsn, 'root', '', { RaiseError => 1, PrintError => 0, AutoCommit => 1 });

sub attempt {
  my ($name, $code) = @_;
  eval { $code->(); 1 } or print join("\t", $name, 'ERROR', ($DBI::err // 0), ($DBI::errstr // $@)), "\n";
}

attempt('column_info', sub {
  my $sth = $a->column_info(undef, $db, 't_types', '%');
  while (my $r = $sth->fetchrow_hashref) {
    print join("\t", 'column_info', $r->{COLUMN_NAME}, $r->{TYPE_NAME}, $r->{COLUMN_SIZE} // 'NULL', $r->{DECIMAL_DIGITS} // 'NULL',
      $r->{NULLABLE}, $r->{COLUMN_DEF} // 'NULL', $r->{ORDINAL_POSITION}), "\n";
  }
});
for my $t (qw(t_pk t_uniq t_dup)) {
  attempt('primary_key', sub { print join("\t", 'primary_key', $t, $a->primary_key(undef, $db, $t)), "\n" });
}
attempt('txn', sub {
  my $count = sub { ($b->selectrow_array('SELECT COUNT(*) FROM t_dup WHERE k = ?', undef, $_[0]))[0] };
  $a->begin_work;
  $a->do('INSERT INTO t_dup (k, s) VALUES (700, ?)', undef, 'perl');
  print join("\t", 'txn', 'other_before_commit', $count->(700)), "\n";
  $a->commit;
  print join("\t", 'txn', 'other_after_commit', $count->(700)), "\n";
  $a->{AutoCommit} = 0;
  $a->do('INSERT INTO t_dup (k, s) VALUES (701, ?)', undef, 'perl');
  print join("\t", 'txn', 'other_before_rollback', $count->(701)), "\n";
  $a->rollback;
  print join("\t", 'txn', 'after_rollback', $count->(701)), "\n";
  $a->{AutoCommit} = 1;
});
$a->disconnect;
$b->disconnect;
