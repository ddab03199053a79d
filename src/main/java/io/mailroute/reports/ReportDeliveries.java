package io.mailroute.reports;

import io.mailroute.db.Database;
import io.mailroute.delivery.DeliveryStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Hands report emails to the delivery pipeline, which sends each once (its Message-ID recorded before the send, the
 * sending mailbox asked after a crash), through the report channel's sender and its fallback, with retries, daily
 * limits and tracking like every other email. One delivery per (email, address): planning the same one again adds
 * nothing, so a resumed run cannot plan a second email to anybody.
 *
 * <p>The delivery's event id says which email it is ({@code report-run-<id>}: the report itself; see the constants of
 * {@link ReportMail}); the delivery's mailbox is the report's, so a channel with {@code sender: $mailbox} sends from it.
 */
final class ReportDeliveries {

    private static final String FIND = "SELECT id FROM delivery WHERE event_id = :eventId AND channel = :channel AND address = :address";

    private final DeliveryStore store;
    private final Database db;
    private final String channel;
    private final Clock clock;

    ReportDeliveries(DeliveryStore store, Database db, String channel, Clock clock) {
        this.store = store;
        this.db = db;
        this.channel = channel;
        this.clock = clock;
    }

    String channel() {
        return channel;
    }

    /**
     * Plans one email (joins the caller's transaction when there is one) and answers its delivery's id, new or not.
     *
     * @param emailId   which email: {@code report-run-42}, an event id ... (at most 36 characters)
     * @param type      what it is ({@link ReportMail#DOCUMENT}, {@link ReportMail#REMINDER} ...): how it is written
     * @param recipient who, for the delivery record
     */
    long plan(String emailId, String type, String mailbox, String recipient, String address) {
        store.plan(emailId, type, mailbox, null, channel, "email", recipient, address, null, clock.instant());
        Optional<Long> id = db.jdbc().queryForList(FIND, Map.of("eventId", emailId, "channel", channel, "address", address),
                Long.class).stream().findFirst();
        return id.orElseThrow(() -> new IllegalStateException("report email " + emailId + " to " + address
                + " was neither planned nor found on channel " + channel));
    }
}
