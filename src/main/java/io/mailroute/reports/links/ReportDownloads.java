package io.mailroute.reports.links;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Every download of a report document through a signed link (issue 14, §2 "every download recorded"): table
 * {@code report_download}, written by {@link ReportPages} in the download's transaction, read for the API.
 */
public final class ReportDownloads {

    /** What a browser's User-Agent is cut to ({@code report_download.user_agent}). */
    static final int MAX_USER_AGENT = 500;
    /** What a remote address is cut to ({@code report_download.remote_address}). */
    static final int MAX_REMOTE_ADDRESS = 64;
    private static final String INSERT = """
            INSERT INTO report_download (run_id, recipient_id, link_id, downloaded_at, user_agent, remote_address)
            VALUES (:runId, :recipientId, :linkId, :at, :userAgent, :remoteAddress)""";
    private static final String OF_RUN = """
            SELECT r.address, d.downloaded_at, d.user_agent, d.remote_address
              FROM report_download d JOIN report_recipient r ON r.id = d.recipient_id
             WHERE d.run_id = :runId
             ORDER BY d.downloaded_at, d.id""";

    /**
     * One download.
     *
     * @param address       the recipient whose link it was
     * @param userAgent     the browser's User-Agent as it sent it (untrusted text: escape it where shown), or null
     * @param remoteAddress the TCP peer (behind a reverse proxy: the proxy), or null
     */
    public record Download(String address, Instant downloadedAt, String userAgent, String remoteAddress) {
    }

    private final Database db;

    public ReportDownloads(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** A run's downloads, the first first. */
    public List<Download> of(long runId) {
        return db.jdbc().query(OF_RUN, Map.of("runId", runId), (rs, row) -> new Download(rs.getString("address"),
                rs.getTimestamp("downloaded_at").toInstant(), rs.getString("user_agent"), rs.getString("remote_address")));
    }

    /** Records a download; joins the caller's transaction. User agent and address are cut to their columns. */
    void record(long runId, long recipientId, String linkId, Instant at, String userAgent, String remoteAddress) {
        db.jdbc().update(INSERT, new MapSqlParameterSource("runId", runId).addValue("recipientId", recipientId)
                .addValue("linkId", linkId).addValue("at", Timestamp.from(at))
                .addValue("userAgent", cut(userAgent, MAX_USER_AGENT), java.sql.Types.VARCHAR)
                .addValue("remoteAddress", cut(remoteAddress, MAX_REMOTE_ADDRESS), java.sql.Types.VARCHAR));
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
