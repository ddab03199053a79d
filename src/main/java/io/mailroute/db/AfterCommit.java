package io.mailroute.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs something once the current transaction has committed ({@link Database#transactions()}), or at once when
 * there is none (the statement was its own transaction). Never on a rollback. For in-process wake-ups: a poller
 * woken before the commit would not see the row yet.
 */
public final class AfterCommit {

    private static final Logger LOG = LoggerFactory.getLogger(AfterCommit.class);

    private AfterCommit() {
    }

    /** {@code action} must be quick and must not throw: the commit already happened, its caller is not told. */
    public static void run(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            safely(action);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                safely(action);
            }
        });
    }

    private static void safely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("An after-commit wake-up failed (the poll will find the work instead): {}", e.toString());
        }
    }
}
