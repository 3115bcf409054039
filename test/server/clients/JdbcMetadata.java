// Drives MariaDB Connector/J's DatabaseMetaData and transactions against a tablevault server, one JVM run for every
// case (the JDK's single-file launcher: java -cp mariadb-java-client.jar JdbcMetadata.java PORT DB).
// Output: one line per row, `case<TAB>col=value<TAB>…`, or `case<TAB>ERROR<TAB>errno<TAB>message`; the test parses it.
import java.sql.*;
import java.util.*;

public class JdbcMetadata {
  static void print(String name, ResultSet rs, String... cols) throws SQLException {
    int n = 0;
    while (rs.next()) {
      StringBuilder sb = new StringBuilder(name);
      for (String c : cols) sb.append('\t').append(c).append('=').append(rs.getString(c));
      System.out.println(sb);
      n++;
    }
    System.out.println(name + "\tROWS=" + n);
  }

  interface Case { void run() throws Exception; }

  static void attempt(String name, Case c) {
    try {
      c.run();
    } catch (SQLException e) {
      System.out.println(name + "\tERROR\t" + e.getErrorCode() + "\t" + e.getMessage().replace('\n', ' '));
    } catch (Exception e) {
      System.out.println(name + "\tERROR\t0\t" + e);
    }
  }

  static int count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:mariadb://127.0.0.1:" + args[0] + "/" + args[1] + "?user=root";
    String db = args[1];
    try (Connection c = DriverManager.getConnection(url); Connection other = DriverManager.getConnection(url)) {
      DatabaseMetaData md = c.getMetaData();
      attempt("tables", () -> print("tables", md.getTables(db, null, "%", null), "TABLE_CAT", "TABLE_NAME", "TABLE_TYPE", "REMARKS"));
      attempt("columns", () -> print("columns", md.getColumns(db, null, "%", "%"), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME",
          "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "COLUMN_DEF", "ORDINAL_POSITION", "IS_NULLABLE", "IS_AUTOINCREMENT"));
      for (String t : new String[] {"t_pk", "t_uniq", "t_dup", "t_agg"}) {
        attempt("pk", () -> print("pk", md.getPrimaryKeys(db, null, t), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
        attempt("index", () -> print("index", md.getIndexInfo(db, null, t, false, false), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME",
            "ORDINAL_POSITION", "COLUMN_NAME"));
      }
      attempt("procedures", () -> print("procedures", md.getProcedures(db, null, "%"), "PROCEDURE_NAME"));
      attempt("functions", () -> print("functions", md.getFunctions(db, null, "%"), "FUNCTION_NAME"));
      attempt("catalogs", () -> print("catalogs", md.getCatalogs(), "TABLE_CAT"));

      // Transactions: nothing of an uncommitted INSERT is visible to another connection; ROLLBACK removes it.
      attempt("txn", () -> {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.executeUpdate("INSERT INTO t_dup VALUES (100, 'txn')");
          System.out.println("txn\tother_before_commit=" + count(other, "SELECT COUNT(*) FROM t_dup WHERE k = 100"));
          c.commit();
          System.out.println("txn\tother_after_commit=" + count(other, "SELECT COUNT(*) FROM t_dup WHERE k = 100"));
          s.executeUpdate("INSERT INTO t_dup VALUES (101, 'rolled back')");
          c.rollback();
          System.out.println("txn\tafter_rollback=" + count(other, "SELECT COUNT(*) FROM t_dup WHERE k = 101"));
        }
        c.setAutoCommit(true);
        System.out.println("txn\tisolation=" + c.getTransactionIsolation());
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        System.out.println("txn\tisolation_set=" + c.getTransactionIsolation());
      });
    }
  }
}
