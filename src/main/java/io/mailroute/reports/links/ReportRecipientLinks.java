package io.mailroute.reports.links;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * What the link pages keep and read on a run's recipient besides {@code ReportRuns}' statuses: the id of the
 * acknowledgement link sent ({@code report_recipient.ack_link_id}) and the recipient's own document
 * ({@code document_sha256/size}, of a perRecipient report).
 */
public final class ReportRecipientLinks {

    private static final String ACK_LINK = """
            UPDATE report_recipient SET ack_link_id = COALESCE(ack_link_id, :linkId), updated_at = :now
            WHERE run_id = :runId AND address = :address""";
    private static final String DOCUMENT = "SELECT document_sha256, document_size FROM report_recipient WHERE id = :id";

    /** A recipient's own document: its content address and size. */
    record OwnDocument(String sha256, Long size) {
    }

    private final Database db;
    private final Clock clock;

    public ReportRecipientLinks(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records the id of the acknowledgement link sent to a recipient ({@link ReportLinks.Issued#linkId}); the first
     * recorded stays, like {@code ReportRuns.prepare}'s values (a resumed send reuses it).
     *
     * @return false when the run has no such recipient
     */
    public boolean ackLink(long runId, String address, String linkId) {
        Objects.requireNonNull(linkId, "linkId");
        return db.jdbc().update(ACK_LINK, new MapSqlParameterSource("runId", runId)
                .addValue("address", address == null ? null : address.strip().toLowerCase(Locale.ROOT))
                .addValue("linkId", linkId).addValue("now", Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MILLIS)))) == 1;
    }

    /** The recipient's own document; empty when it gets the run's. */
    Optional<OwnDocument> document(long recipientId) {
        return db.jdbc().query(DOCUMENT, Map.of("id", recipientId), (rs, row) -> rs.getString("document_sha256") == null ? null
                : new OwnDocument(rs.getString("document_sha256"), rs.getObject("document_size", Long.class)))
                .stream().filter(Objects::nonNull).findFirst();
    }
}
