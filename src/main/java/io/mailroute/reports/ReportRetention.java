package io.mailroute.reports;

import io.mailroute.db.Database;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes stored report documents once every run that refers to them is older than the retention
 * ({@code mailroute.reports.retention}): a download link to one of them is then answered "no longer kept". The runs
 * and their recipients' statuses stay; only the files go.
 */
public final class ReportRetention {

    private static final Logger LOG = LoggerFactory.getLogger(ReportRetention.class);
    /** The documents of runs before the cutoff that no run since refers to (the same bytes may be sent again). */
    private static final String EXPIRED = """
            SELECT DISTINCT d.sha256, d.format FROM (
                SELECT r.document_sha256 AS sha256, r.document_format AS format, r.created_at FROM report_run r
                WHERE r.document_sha256 IS NOT NULL
                UNION ALL
                SELECT p.document_sha256, p.document_format, u.created_at FROM report_recipient p
                JOIN report_run u ON u.id = p.run_id WHERE p.document_sha256 IS NOT NULL
            ) d
            WHERE d.created_at < :cutoff AND NOT EXISTS (
                SELECT 1 FROM report_run n WHERE n.created_at >= :cutoff AND n.document_sha256 = d.sha256)
              AND NOT EXISTS (
                SELECT 1 FROM report_recipient q JOIN report_run m ON m.id = q.run_id
                WHERE m.created_at >= :cutoff AND q.document_sha256 = d.sha256)""";

    private final Database db;
    private final ReportFiles files;
    private final Duration retention;
    private final Clock clock;

    public ReportRetention(Database db, ReportFiles files, Duration retention, Clock clock) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("mailroute.reports.retention must be a positive duration, not " + retention);
        }
        this.db = db;
        this.files = files;
        this.retention = retention;
        this.clock = clock;
    }

    /** @return how many documents it deleted */
    public int prune() {
        List<Map<String, Object>> expired = db.jdbc().queryForList(EXPIRED,
                Map.of("cutoff", Timestamp.from(clock.instant().minus(retention))));
        int deleted = 0;
        for (Map<String, Object> document : expired) {
            String format = (String) document.get("format");
            try {
                // a recipient's document recorded before its format was (V38): whichever format it was stored as
                for (String each : format != null ? List.of(format) : java.util.Arrays.stream(
                        io.mailroute.reports.render.DocumentFormat.values()).map(f -> f.extension()).toList()) {
                    if (files.delete((String) document.get("sha256"), each)) {
                        deleted++;
                    }
                }
            } catch (IOException e) {
                LOG.warn("Could not delete the expired report document {}: {}", document.get("sha256"), e.getMessage());
            }
        }
        if (deleted > 0) {
            LOG.info("Deleted {} report document(s) older than {} (mailroute.reports.retention)", deleted, retention);
        }
        return deleted;
    }
}
