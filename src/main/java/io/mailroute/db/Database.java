package io.mailroute.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The service's one connection pool, migrated to the current schema when opened.
 * H2 (a file under {@code data/}) by default; PostgreSQL with the same migrations.
 *
 * <p>When a write to the H2 file fails (a full disk), H2 closes the database for good: every later
 * statement answers "The database has been closed [90098]". The pool notices that on the failing
 * statement, and this class reopens the database in the background: it closes the whole old pool
 * first, so that no connection to the closed database is left when a new one opens the file, waits
 * for room on the disk, then opens a new pool. H2 reopens the file at its last complete commit,
 * as after a crash; every commit after that one failed to its caller, which retries it. Meanwhile
 * {@link #isAvailable()} is false: pollers pause, health is DOWN, and the outage is logged once.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** Reopen only once the disk has this much room: enough for H2 to open the file and commit again. */
    private static final long REOPEN_MIN_FREE_BYTES = 1024 * 1024;
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(10);
    private static final Duration REMINDER = Duration.ofMinutes(5);

    private final String url;
    private final String user;
    private final String password;
    private final int poolSize;
    private final Path directory;
    private final Clock clock;
    private final DataSource dataSource = new CurrentPool();
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final AtomicReference<Outage> outage = new AtomicReference<>();
    private volatile HikariDataSource pool;
    private volatile boolean closed;
    private final AtomicInteger generation = new AtomicInteger();
    private Instant lastReminder;
    private ScheduledExecutorService reopener;

    private Database(String url, String user, String password, int poolSize, Clock clock) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
        this.directory = h2Directory(url);
        this.clock = clock;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Opens the pool and applies pending migrations; a database it cannot reach is a clear error. */
    public static Database open(String url, String user, String password, int poolSize) {
        Database db = new Database(url, user, password, poolSize, Clock.systemUTC());
        HikariDataSource first;
        try {
            first = db.newPool();
        } catch (RuntimeException e) {
            String cause = rootMessage(e);
            if (isInUse(e)) {
                throw new InUseException("The database " + redact(url) + " is open in another process: a running Mailroute "
                        + "(perhaps still starting, before its API answers). An H2 file has one user at a time: wait until the "
                        + "service answers (commands then go through it) or stop it first; PostgreSQL (mailroute.db.url) "
                        + "has no such limit.", e);
            }
            throw new IllegalStateException("Cannot open the database " + redact(url) + " (mailroute.db.url): "
                    + cause + ". Check the URL, that the server is running and the credentials.", e);
        }
        db.pool = first;
        try {
            org.flywaydb.core.api.configuration.FluentConfiguration flyway = Flyway.configure().dataSource(first)
                    .locations("classpath:db/migration").javaMigrations(javaMigrations());
            // Migrations are numbered as they are planned, and one may land after a higher number was released (V21
            // after V24): a database an earlier build migrated then gets it too (out of order), instead of refusing to
            // start. Only then: Flyway warns about out-of-order mode on every run that has it on.
            Flyway inOrder = flyway.load();
            java.util.List<String> late = java.util.Arrays.stream(inOrder.info().all())
                    .filter(m -> m.getState() == org.flywaydb.core.api.MigrationState.IGNORED)
                    .map(m -> "V" + m.getVersion() + " " + m.getDescription()).toList();
            if (!late.isEmpty()) {
                LOG.info("Database {}: applying {} after newer migrations (added after this database was last migrated)",
                        redact(url), late);
            }
            (late.isEmpty() ? inOrder : flyway.outOfOrder(true).load()).migrate();
        } catch (RuntimeException e) {
            db.close();
            throw new IllegalStateException("Cannot migrate the database " + redact(url) + ": " + rootMessage(e), e);
        }
        return db;
    }

    /**
     * The schema's Java migrations (PostgreSQL-only SQL of the packages that own it: the audit trail's append-only
     * guard, Quartz's tables), listed in {@code META-INF/services/org.flywaydb.core.api.migration.JavaMigration}, so
     * that the database layer migrates them without depending on those packages.
     */
    static org.flywaydb.core.api.migration.JavaMigration[] javaMigrations() {
        return java.util.ServiceLoader.load(org.flywaydb.core.api.migration.JavaMigration.class, Database.class.getClassLoader())
                .stream().map(java.util.ServiceLoader.Provider::get)
                .toArray(org.flywaydb.core.api.migration.JavaMigration[]::new);
    }

    /** Each pool reports fatal failures as its own: one from a pool already replaced must not close the new one. */
    private HikariDataSource newPool() {
        int poolGeneration = generation.incrementAndGet();
        HikariConfig config = new HikariConfig();
        config.setPoolName("mailroute-db");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(10_000);
        config.setExceptionOverride(new SQLExceptionOverride() {
            @java.lang.Override
            public SQLExceptionOverride.Override adjudicate(SQLException e) {
                if (StorageFailures.closesDatabase(e)) {
                    lost(poolGeneration, e);
                }
                return SQLExceptionOverride.Override.CONTINUE_EVICT; // the whole pool is replaced, not one connection
            }
        });
        return new HikariDataSource(config);
    }

    /**
     * A connection pool that stays the same object while the pool behind it is replaced: the
     * templates, Spring's transaction manager and the beans hold this one.
     */
    public DataSource dataSource() {
        return dataSource;
    }

    public NamedParameterJdbcTemplate jdbc() {
        return jdbc;
    }

    public TransactionTemplate transactions() {
        return transactions;
    }

    /** False while the database is closed and being reopened: pollers skip their turn instead of failing. */
    public boolean isAvailable() {
        return outage.get() == null && !closed;
    }

    /** Work that needs the database; it may throw what its caller throws. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * For pollers: runs the work, or answers {@code whenClosed} while the database is closed, also when it
     * closes during the work. The outage is logged once where it is reopened, so a poll that meets it
     * neither fails nor logs; the next poll after the reopen picks the work up from the database.
     */
    public <T, E extends Exception> T unlessClosed(T whenClosed, Work<T, E> work) throws E {
        if (!isAvailable()) {
            return whenClosed;
        }
        try {
            return work.run();
        } catch (RuntimeException e) {
            if (isAvailable()) {
                throw e;
            }
            return whenClosed;
        }
    }

    /** The current outage, if the database is closed and being reopened. */
    public Optional<Outage> outage() {
        return Optional.ofNullable(outage.get());
    }

    /** True when a statement runs (a statement, not only a connection check: a closed H2 database still hands out "valid" connections). */
    public boolean isReachable() {
        if (!isAvailable()) {
            return false;
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(2);
            statement.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (reopener != null) {
                reopener.shutdownNow();
            }
        }
        HikariDataSource current = pool;
        if (current != null) {
            current.close();
        }
    }

    /** A statement on a pool found the database closed: start the outage once and reopen in the background. */
    private void lost(int poolGeneration, SQLException failure) {
        synchronized (this) {
            if (closed || poolGeneration != generation.get() || outage.get() != null) {
                return;
            }
            Outage started = new Outage(clock.instant(), StorageFailures.isDiskFull(failure),
                    StorageFailures.rootCause(failure), 0, freeBytes(), directory);
            outage.set(started);
            lastReminder = started.since();
            if (reopener == null) {
                reopener = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "mailroute-db-reopen");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            LOG.error("Database closed: {}. Health is DOWN and polling pauses until it is reopened.", started.summary());
            reopener.execute(this::reopen);
        }
    }

    /** One reopen attempt on the reopener thread; schedules the next one when it fails. */
    private void reopen() {
        HikariDataSource dead = pool;
        if (dead != null) {
            // Every session of the closed H2 database must end before a new one opens the file: a statement on an
            // old session would close the new database's registration in H2, by name.
            pool = null;
            dead.close();
        }
        Outage current = outage.get();
        if (closed || current == null) {
            return;
        }
        long free = freeBytes();
        if (current.diskFull() && free >= 0 && free < REOPEN_MIN_FREE_BYTES) {
            retryLater(current.attempted(true, null, free));
            return;
        }
        HikariDataSource candidate = null;
        try {
            candidate = newPool();
            try (Connection connection = candidate.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
            }
        } catch (RuntimeException | SQLException e) {
            if (candidate != null) {
                candidate.close();
            }
            retryLater(current.attempted(StorageFailures.isDiskFull(e), StorageFailures.rootCause(e), freeBytes()));
            return;
        }
        synchronized (this) {
            if (closed) {
                candidate.close();
                return;
            }
            pool = candidate;
            outage.set(null);
        }
        LOG.info("Database reopened after {} s and {} attempt{}: polling resumes and catches up",
                Duration.between(current.since(), clock.instant()).toSeconds(), current.attempts() + 1,
                current.attempts() == 0 ? "" : "s");
    }

    private void retryLater(Outage next) {
        Instant now = clock.instant();
        synchronized (this) {
            if (closed) {
                return;
            }
            outage.set(next);
            if (!now.isBefore(lastReminder.plus(REMINDER))) {
                lastReminder = now;
                LOG.warn("Database still closed after {} reopen attempts since {}: {}", next.attempts(), next.since(),
                        next.summary());
            }
            long delay = Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(next.attempts() - 1, 10));
            reopener.schedule(this::reopen, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Usable bytes on the disk of the H2 file, -1 for a database server or when it cannot be read. */
    private long freeBytes() {
        if (directory == null) {
            return -1;
        }
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The directory of an H2 file database ({@code jdbc:h2:file:/x/db/name} or {@code jdbc:h2:/x/db/name}), else null. */
    static Path h2Directory(String url) {
        if (url == null || !url.startsWith("jdbc:h2:")) {
            return null;
        }
        String name = url.substring("jdbc:h2:".length()).split(";", 2)[0];
        if (name.startsWith("file:")) {
            name = name.substring("file:".length());
        } else if (name.matches("[a-zA-Z]{2,}:.*")) {
            return null; // mem:, tcp:, ssl:, zip: ... (a single letter is a Windows drive)
        }
        Path parent = Path.of(name).toAbsolutePath().getParent();
        return parent == null ? null : parent.normalize();
    }

    /** Hands out connections of whichever pool is current; none while the database is being reopened. */
    private final class CurrentPool implements DataSource {

        private HikariDataSource current() throws SQLException {
            HikariDataSource current = pool;
            Outage down = outage.get();
            if (current == null || current.isClosed()) {
                throw new SQLTransientConnectionException(down == null ? "the database is closed"
                        : "the database is closed until Mailroute reopens it: " + down.summary());
            }
            return current;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return current().getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return current().getConnection(username, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return current().getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            current().setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            current().setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return current().getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            if (type.isInstance(this)) {
                return type.cast(this);
            }
            return current().unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return type.isInstance(this) || current().isWrapperFor(type);
        }
    }

    /** JDBC URLs may carry passwords (PostgreSQL's ?password=): never print those. */
    public static String redact(String url) {
        return url == null ? "" : url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    /**
     * The database is held by another process (H2's file lock). Its message is complete: the JDBC
     * driver's own words add nothing a person can act on.
     */
    public static final class InUseException extends IllegalStateException {
        InUseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** H2's DATABASE_ALREADY_OPEN (90020) anywhere in the chain. */
    private static boolean isInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
