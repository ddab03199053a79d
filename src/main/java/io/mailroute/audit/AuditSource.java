package io.mailroute.audit;

import io.mailroute.db.Database;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;

/** Where the {@code audit} command reads the trail: the database itself, or the running service's API. */
public interface AuditSource {

    /** The trail cannot be read from where it was asked (the service refused, stopped mid-way): said in words. */
    final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    AuditVerifier.Result verify();

    /**
     * Writes the window as JSON Lines (see {@link AuditExporter}); returns how many records.
     *
     * @throws IOException when {@code out} cannot be written
     */
    long export(Instant from, Instant to, String mailbox, Writer out) throws IOException;

    static AuditSource of(Database db) {
        return new AuditSource() {
            @Override
            public AuditVerifier.Result verify() {
                return new AuditVerifier(db).verify();
            }

            @Override
            public long export(Instant from, Instant to, String mailbox, Writer out) throws IOException {
                return new AuditExporter(db).export(from, to, mailbox, out);
            }
        };
    }
}
