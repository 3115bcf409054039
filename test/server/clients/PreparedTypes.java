// Run by test/server/prepared-clients.test.ts with the JDK's single-file launcher:
//   java -cp mariadb-java-client.jar PreparedTypes.java PORT
// MariaDB Connector/J with useServerPrepStmts=true: every statement below is a server-side prepared statement
// (COM_STMT_PREPARE / COM_STMT_EXECUTE). Each case prints one line `name: values`; the test compares the lines.
import java.math.BigDecimal;
import java.sql.*;

public class PreparedTypes {
  static String row(ResultSet rs, int n) throws SQLException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      if (i > 1) sb.append('|');
      Object v = rs.getObject(i);
      sb.append(v == null ? "NULL" : v.getClass().getSimpleName() + ":" + rs.getString(i));
    }
    return sb.toString();
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:mariadb://127.0.0.1:" + args[0] + "/p?user=root&useServerPrepStmts=true";
    try (Connection c = DriverManager.getConnection(url)) {
      String cols = "k, b, ti, si, i, bi, li, f, d, de, c, v, s, dt, dtt";
      try (PreparedStatement ps = c.prepareStatement("SELECT " + cols + " FROM t WHERE k >= ? AND k <= ? ORDER BY k")) {
        ResultSetMetaData md = ps.getMetaData();
        StringBuilder names = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) names.append(i > 1 ? "," : "").append(md.getColumnName(i)).append(':').append(md.getColumnTypeName(i));
        System.out.println("metadata: " + names);
        System.out.println("parameters: " + ps.getParameterMetaData().getParameterCount());
        ps.setInt(1, 1);
        ps.setInt(2, 3);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) System.out.println("select: " + row(rs, 15));
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (" + cols + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
        ps.setInt(1, 50);
        ps.setBoolean(2, true);
        ps.setByte(3, (byte) -7);
        ps.setShort(4, (short) 1234);
        ps.setInt(5, -99);
        ps.setLong(6, 9007199254740993L);
        ps.setBigDecimal(7, new BigDecimal("-170141183460469231731687303715884105728"));
        ps.setFloat(8, 1.25f);
        ps.setDouble(9, 1e-300);
        ps.setBigDecimal(10, new BigDecimal("-0.05"));
        ps.setString(11, "ç");
        ps.setString(12, "日本 'q'");
        ps.setString(13, "s\\t");
        ps.setDate(14, Date.valueOf("1999-12-31"));
        ps.setTimestamp(15, Timestamp.valueOf("2000-01-01 00:00:00.5"));
        System.out.println("insert: " + ps.executeUpdate());
        ps.setInt(1, 51);
        for (int i = 2; i <= 15; i++) ps.setNull(i, Types.NULL);
        System.out.println("insert nulls: " + ps.executeUpdate());
        // A JDBC batch: executeBatch() runs the prepared INSERT once per parameter set.
        for (int k = 52; k <= 54; k++) {
          ps.setInt(1, k);
          for (int i = 2; i <= 15; i++) ps.setNull(i, Types.NULL);
          ps.setString(12, "batch " + k);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        System.out.println("batch: " + counts.length);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT " + cols + " FROM t WHERE k IN (?, ?) ORDER BY k")) {
        ps.setInt(1, 50);
        ps.setInt(2, 51);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) System.out.println("read back: " + row(rs, 15));
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE k BETWEEN ? AND ? ORDER BY k")) {
        ps.setInt(1, 52);
        ps.setInt(2, 54);
        try (ResultSet rs = ps.executeQuery()) {
          StringBuilder sb = new StringBuilder();
          while (rs.next()) sb.append(sb.length() > 0 ? "," : "").append(rs.getString(1));
          System.out.println("batch rows: " + sb);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT ? + 1 AS n, CONCAT(?, 'x') AS s, ? IS NULL AS z")) {
        ps.setLong(1, 41);
        ps.setString(2, "é");
        ps.setNull(3, Types.VARCHAR);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          System.out.println("expressions: " + rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getInt(3));
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM nope WHERE k = ?")) {
        ps.setInt(1, 1);
        ps.executeQuery();
        System.out.println("error: none");
      } catch (SQLException e) {
        System.out.println("error: " + e.getErrorCode() + " " + e.getSQLState());
      }
    }
  }
}
