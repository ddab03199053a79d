package io.mailroute.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.h2.api.ErrorCode;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;

/**
 * Reads a database failure: has H2 closed the database under us, and is the disk full? When a
 * write to its file fails, H2's store "panics": it closes itself without writing anything more,
 * the statement that wrote gets a general error caused by an {@link MVStoreException}, and every
 * later statement on any connection gets "The database has been closed [90098]".
 */
final class StorageFailures {

    /** The store errors after which H2 has closed the store (see MVStore.panic). */
    private static final Set<Integer> STORE_CLOSED = Set.of(DataUtils.ERROR_READING_FAILED,
            DataUtils.ERROR_WRITING_FAILED, DataUtils.ERROR_CLOSED, DataUtils.ERROR_FILE_CORRUPT);

    private StorageFailures() {
    }

    /** True when the failure means the H2 database behind the pool is closed for good and must be reopened. */
    static boolean closesDatabase(Throwable error) {
        for (Throwable t : chain(error)) {
            if (t instanceof SQLException sql && sql.getErrorCode() == ErrorCode.DATABASE_IS_CLOSED) {
                return true;
            }
            if (t instanceof MVStoreException store && STORE_CLOSED.contains(store.getErrorCode())) {
                return true;
            }
        }
        return false;
    }

    /** True when the failure is the disk being full. */
    static boolean isDiskFull(Throwable error) {
        for (Throwable t : chain(error)) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            // ENOSPC as the JDK words it on Linux and macOS, and Windows' ERROR_DISK_FULL
            if (message.contains("no space left on device") || message.contains("not enough space on the disk")) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message: the one that names the actual problem ("No space left on device"). */
    static String rootCause(Throwable error) {
        List<Throwable> chain = chain(error);
        for (int i = chain.size() - 1; i >= 0; i--) {
            String message = chain.get(i).getMessage();
            if (message != null && !message.isBlank()) {
                return message.strip();
            }
        }
        return error.getClass().getSimpleName();
    }

    private static List<Throwable> chain(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && !chain.contains(t) && chain.size() < 20; t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
