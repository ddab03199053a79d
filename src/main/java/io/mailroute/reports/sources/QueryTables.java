package io.mailroute.reports.sources;

import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportQuery;
import io.mailroute.reports.RunWindow;
import io.mailroute.reports.Table;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

/**
 * Runs a report's query (Mailroute's own database or an external one) and streams its rows to a {@link TableReader}
 * while the connection is open: in a read-only transaction ({@link Connection#setReadOnly}, and on PostgreSQL also
 * {@code SET TRANSACTION READ ONLY}, which the server enforces), with a forward-only cursor and a fetch size, which is
 * what makes PostgreSQL stream instead of loading the whole result (it needs autocommit off as well).
 *
 * <p>Binds {@code :periodStart} and {@code :periodEnd} as TIMESTAMP WITH TIME ZONE (in the report's zone) and the
 * report's recipientParameter to the recipient's address. The columns are the result's labels. Cells as text:
 * <ul>
 * <li>SQL NULL: null (shown empty);
 * <li>timestamps with time zone: in the report's zone, {@code yyyy-MM-dd HH:mm}; timestamps without one as stored,
 *     same pattern; dates {@code yyyy-MM-dd}; times {@code HH:mm};
 * <li>numbers plainly, never in exponent notation ({@code 1200.50}, not {@code 1.2005E3});
 * <li>booleans {@code yes} / {@code no}: a document is read by people, who do not say "true";
 * <li>anything else as the driver gives it as text.
 * </ul>
 */
final class QueryTables {

    /** Rows fetched per round trip: enough to keep a large report fast, few enough to keep memory flat. */
    static final int FETCH_SIZE = 500;
    static final String YES = "yes";
    static final String NO = "no";
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    private QueryTables() {
    }

    /**
     * Runs {@code query} on a connection of {@code database} and hands its table to {@code use}.
     *
     * @param database where it runs: "the database" (Mailroute's own) or "datasource 'erp'", for messages
     * @param where    where the query is written, for messages ("config/reports.yaml line 14, source.query")
     */
    static <T> T read(DataSource dataSource, String database, ReportDefinition report, ReportQuery query, String where,
            RunWindow window, String recipient, TableReader<T> use) throws SourceException, IOException {
        String failed = "report '" + report.id() + "': the query on " + database + " failed";
        String fix = ". Correct the query (" + where + ") or the database, then run the report again";
        ParsedSql parsed = NamedParameterUtils.parseSqlStatement(query.sql());
        String sql;
        Object[] values;
        try {
            MapSqlParameterSource parameters = parameters(report, window, recipient);
            sql = NamedParameterUtils.substituteNamedParameters(parsed, parameters);
            values = NamedParameterUtils.buildValueArray(parsed, parameters, null);
        } catch (DataAccessException e) {
            throw new SourceException(failed + ": " + e.getMessage() + fix, e);
        }
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new SourceException("report '" + report.id() + "': could not connect to " + database + ": "
                    + e.getMessage() + ". Check that it is running and reachable, then run the report again", e);
        }
        try (connection) {
            try {
                connection.setReadOnly(true); // before the transaction starts: PostgreSQL's driver refuses it within one
                connection.setAutoCommit(false);
                if ("PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("SET TRANSACTION READ ONLY");
                    }
                }
            } catch (SQLException e) {
                throw new SourceException("report '" + report.id() + "': could not start a read-only transaction on "
                        + database + ": " + e.getMessage(), e);
            }
            try (PreparedStatement statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY)) {
                statement.setFetchSize(FETCH_SIZE);
                for (int i = 0; i < values.length; i++) {
                    StatementCreatorUtils.setParameterValue(statement, i + 1, SqlTypeValue.TYPE_UNKNOWN, values[i]);
                }
                try (ResultSet result = statement.executeQuery()) {
                    Columns columns = Columns.of(result.getMetaData(), window.zone());
                    long[] row = {0};
                    return use.read(new Table(report.title(), columns.names, new LazyRows(() -> {
                        try {
                            if (!result.next()) {
                                return null;
                            }
                            row[0]++;
                            return columns.cells(result);
                        } catch (SQLException e) {
                            throw new SourceException(failed + " at row " + (row[0] + 1) + ": " + e.getMessage() + fix, e);
                        }
                    })));
                }
            } catch (SQLException e) {
                throw new SourceException(failed + ": " + e.getMessage() + fix, e);
            } finally {
                rollBack(connection); // it only read: end the transaction before the connection goes back to its pool
            }
        } catch (SQLException e) { // closing the connection
            throw new SourceException("report '" + report.id() + "': could not return the connection to " + database
                    + ": " + e.getMessage(), e);
        }
    }

    /** :periodStart and :periodEnd in the report's zone, and the recipient's address under the recipientParameter. */
    private static MapSqlParameterSource parameters(ReportDefinition report, RunWindow window, String recipient) {
        MapSqlParameterSource parameters = new MapSqlParameterSource()
                .addValue(ReportDefinition.PERIOD_START, new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
                        OffsetDateTime.ofInstant(window.start(), window.zone())))
                .addValue(ReportDefinition.PERIOD_END, new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
                        OffsetDateTime.ofInstant(window.end(), window.zone())));
        if (report.recipientParameter() != null) {
            parameters.addValue(report.recipientParameter(), recipient, Types.VARCHAR);
        }
        return parameters;
    }

    private static void rollBack(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // the pool rolls back and resets the connection itself when it gets it back
        }
    }

    /** How each column's cells become text. */
    private enum Kind {
        INSTANT, LOCAL_TIMESTAMP, DATE, TIME, NUMBER, BOOLEAN, TEXT;

        static Kind of(int type, String typeName) {
            String name = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
            return switch (type) {
                case Types.TIMESTAMP_WITH_TIMEZONE -> INSTANT;
                // PostgreSQL's driver says TIMESTAMP for timestamptz too: its type name tells them apart
                case Types.TIMESTAMP -> name.contains("tz") || name.contains("with time zone") ? INSTANT : LOCAL_TIMESTAMP;
                case Types.DATE -> DATE;
                case Types.TIME -> TIME;
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.DECIMAL, Types.REAL,
                        Types.FLOAT, Types.DOUBLE -> NUMBER;
                case Types.BOOLEAN, Types.BIT -> BOOLEAN; // PostgreSQL's driver says BIT for boolean
                default -> TEXT;
            };
        }
    }

    private static final class Columns {
        final List<String> names;
        final Kind[] kinds;
        final ZoneId zone;

        private Columns(List<String> names, Kind[] kinds, ZoneId zone) {
            this.names = names;
            this.kinds = kinds;
            this.zone = zone;
        }

        static Columns of(ResultSetMetaData metadata, ZoneId zone) throws SQLException {
            int count = metadata.getColumnCount();
            List<String> names = new ArrayList<>(count);
            Kind[] kinds = new Kind[count];
            for (int i = 1; i <= count; i++) {
                names.add(metadata.getColumnLabel(i));
                kinds[i - 1] = Kind.of(metadata.getColumnType(i), metadata.getColumnTypeName(i));
            }
            return new Columns(names, kinds, zone);
        }

        List<String> cells(ResultSet result) throws SQLException {
            List<String> cells = new ArrayList<>(kinds.length);
            for (int i = 1; i <= kinds.length; i++) {
                cells.add(cell(result, i, kinds[i - 1]));
            }
            return cells;
        }

        private String cell(ResultSet result, int i, Kind kind) throws SQLException {
            return switch (kind) {
                case INSTANT -> text(result.getObject(i, OffsetDateTime.class), t -> t.atZoneSameInstant(zone).format(MINUTES));
                case LOCAL_TIMESTAMP -> text(result.getObject(i, LocalDateTime.class), t -> t.format(MINUTES));
                case DATE -> text(result.getObject(i, LocalDate.class), LocalDate::toString);
                case TIME -> text(result.getObject(i, LocalTime.class), t -> t.format(TIME));
                case NUMBER -> text(result.getObject(i), QueryTables::number);
                case BOOLEAN -> text(result.getObject(i), b -> b instanceof Boolean yes ? (yes ? YES : NO) : b.toString());
                case TEXT -> result.getString(i);
            };
        }

        private static <V> String text(V value, java.util.function.Function<V, String> format) {
            return value == null ? null : format.apply(value);
        }
    }

    /** A number as people write it: no exponent, the scale the database gives ({@code 12.50} stays). */
    static String number(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
            return new BigDecimal(value.toString()).toPlainString();
        }
        return value.toString();
    }
}
