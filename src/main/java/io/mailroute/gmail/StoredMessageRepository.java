package io.mailroute.gmail;

import io.mailroute.db.Database;
import java.util.List;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The intake's idempotent repository, keyed {@code <mailbox>:<gmail id>}, backed by the
 * {@code mail_message} table itself: a key is "seen" exactly when its message row (ingested,
 * quarantined or skipped) is committed, in the same transaction as its event. So there is no
 * window in which a crash could mark a message seen without storing it, or store it twice.
 * {@code add} only answers whether the key is new; the row is written by {@link MessageIngest}.
 */
public final class StoredMessageRepository extends ServiceSupport implements IdempotentRepository {

    private static final String EXISTS =
            "SELECT COUNT(*) FROM mail_message WHERE mailbox_id = :mailbox AND gmail_id = :gmailId";

    private final Database db;

    public StoredMessageRepository(Database db) {
        this.db = db;
    }

    public static String key(String mailboxId, String gmailId) {
        return mailboxId + ":" + gmailId;
    }

    @Override
    public boolean add(String key) {
        return !contains(key);
    }

    @Override
    public boolean contains(String key) {
        int colon = key.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("Intake keys are <mailbox>:<gmail id>, got '" + key + "'");
        }
        List<Long> count = db.jdbc().queryForList(EXISTS, new MapSqlParameterSource("mailbox", key.substring(0, colon))
                .addValue("gmailId", key.substring(colon + 1)), Long.class);
        return !count.isEmpty() && count.get(0) > 0;
    }

    @Override
    public boolean remove(String key) {
        return false; // nothing was reserved: a failed message simply has no row yet
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("Stored messages are not cleared through the idempotent repository");
    }
}
