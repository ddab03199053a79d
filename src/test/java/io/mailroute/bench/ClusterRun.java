package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.it.ServiceProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Several service nodes on one PostgreSQL (issue 13), for one node count: intake of a held-back backlog
 * with N nodes sharing the mailboxes (items/s, and the database's transactions, and statements where
 * pg_stat_statements can be read, per message), then, for the largest count, SIGKILLs of the node that
 * owns most mailboxes and the time until each of its mailboxes is polled by another node. Every node
 * runs on this machine's cores: the figures are coordination overhead, not speed-up.
 */
final class ClusterRun {

    /** The same link key on every node (a link signed by one is opened on another); a benchmark's, not a secret. */
    static final String LINK_KEY = Base64.getEncoder().encodeToString("mailroute-bench-cluster-link-key"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    /** How long one dead node's mailboxes are given to move before the kill is reported with them not taken over. */
    private static final Duration TAKEOVER_WAIT = Duration.ofMinutes(2);
    /** PostgreSQL's backends report their counters at most once a second: read them this long after the work. */
    private static final Duration STATS_SETTLE = Duration.ofMillis(2_500);
    /** The nodes' own background (polls of empty mailboxes, Quartz check-ins) is measured over this, idle. */
    private static final Duration IDLE_WINDOW = Duration.ofSeconds(10);
    private static final Duration START_WAIT = Duration.ofMinutes(3);
    private static final String ITEMS = "SELECT COUNT(*) FROM workflow_item";

    private ClusterRun() {
    }

    /** What every node-count run shares, for results.json's {@code cluster} object. */
    static ObjectNode describe(BenchSettings settings) {
        int cores = Runtime.getRuntime().availableProcessors();
        return Results.object()
                .put("mailboxes", settings.cluster().mailboxes())
                .put("messages", settings.cluster().messages())
                .put("pollIntervalMillis", settings.throughputPoll().toMillis())
                .put("note", "on this " + cores + "-core machine N nodes share the same " + cores
                        + " cores: this measures coordination overhead, not speed-up; Quartz does not balance load"
                        + " (one node may poll most mailboxes)");
    }

    /**
     * @param kills SIGKILLs after the intake, 0 for none
     */
    static ObjectNode run(BenchSettings settings, List<MailMix.Mail> mails, List<MailMix.Mail> warmup, int nodeCount, int kills)
            throws Exception {
        BenchSettings.Cluster cluster = settings.cluster();
        Path dir = settings.outDir().resolve("work").resolve("cluster-" + nodeCount);
        String name = "bench_cluster_" + nodeCount + "_" + System.nanoTime();
        ObjectNode json = Results.object().put("nodes", nodeCount).put("mailboxes", cluster.mailboxes())
                .put("messages", mails.size()).put("warmupMessages", warmup.size()).put("database", name);
        String url = createDatabase(cluster.postgresUrl(), name);
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), 0, dir.resolve("sandbox.log"));
                Database db = new Database(url, cluster.postgresUrl(), name)) {
            ServiceWorld world = ServiceWorld.create(dir, sandbox, new ServiceWorld.Setup(cluster.mailboxes(),
                    settings.throughputPoll(), ServiceWorld.UNLIMITED_BUDGET, ServiceWorld.Triage.ITEMS,
                    ThroughputRun.SHORT_BACKOFF + """
                            mailroute.db.url = %s
                            mailroute.db.user = mailroute
                            mailroute.cluster.enabled = true
                            """.formatted(url)));
            List<ServiceProcess> nodes = new ArrayList<>();
            try {
                ArrayNode startup = json.putArray("startupMillis");
                for (int i = 1; i <= nodeCount; i++) { // one after another: the first migrates the schema
                    ServiceProcess node = world.node("node-" + i, Map.of("MAILROUTE_LINK_KEY", LINK_KEY), settings.serviceJvm());
                    nodes.add(node);
                    long start = System.nanoTime();
                    node.start().awaitUp(START_WAIT);
                    startup.add((System.nanoTime() - start) / 1_000_000);
                }
                ServiceWorld.awaitBootstrapped(nodes.get(0), START_WAIT);
                Bench.progress("cluster with " + nodeCount + " node(s): up, every mailbox bootstrapped; warming up");
                long warm = db.count(ITEMS);
                sandbox.insertAll(world.mailboxes(), warmup);
                json.put("warmedUp", db.awaitCount(ITEMS, warm + warmup.size(), settings.stall()) >= 0);
                json.put("statementsSource", db.statementsSource());
                json.set("intake", intake(settings, sandbox, world, db, mails));
                json.set("mailboxesByNode", db.mailboxesByNode());
                if (kills > 0) {
                    Bench.progress("cluster with " + nodeCount + " node(s): " + kills + " SIGKILL(s)");
                    json.set("takeover", takeover(db, nodes, kills));
                }
                json.put("loadAverage", ProcStats.loadAverage());
            } finally {
                for (ServiceProcess node : nodes) {
                    node.close();
                }
            }
        } finally {
            json.put("databaseDropped", dropDatabase(cluster.postgresUrl(), name));
        }
        for (int i = 1; i <= nodeCount; i++) { // a full run stores hundreds of megabytes
            Bench.deleteTree(dir.resolve("node-" + i).resolve("data").resolve("attachments"));
        }
        return json;
    }

    /** The backlog inserted while Gmail answers 429, released, timed until it is all workflow items. */
    private static ObjectNode intake(BenchSettings settings, SandboxProcess sandbox, ServiceWorld world, Database db,
            List<MailMix.Mail> mails) throws Exception {
        sandbox.holdGmailApi();
        sandbox.insertAll(world.mailboxes(), mails);
        sandbox.collectGarbage();
        long before = db.count(ITEMS);
        SandboxProcess.sleep(STATS_SETTLE.toMillis());
        Database.Activity start = db.activity();
        Instant released = Instant.now();
        sandbox.releaseGmailApi();
        long reachedNanos = db.awaitCount(ITEMS, before + mails.size(), settings.stall());
        long observedMillis = reachedNanos < 0 ? -1 : Duration.between(released, Instant.now()).toMillis();
        long items = db.count(ITEMS) - before;
        Instant lastItem = db.instant("SELECT MAX(created_at) FROM workflow_item");
        SandboxProcess.sleep(STATS_SETTLE.toMillis());
        Database.Activity end = db.activity();
        int changes = db.ownerChanges(IDLE_WINDOW);
        Database.Activity idle = db.activity();
        long millis = lastItem == null ? observedMillis : Duration.between(released, lastItem).toMillis();
        long transactions = end.transactions() - start.transactions();
        ObjectNode json = Results.object()
                .put("complete", reachedNanos >= 0)
                .put("items", items)
                .put("seconds", Results.round(millis / 1000.0, 2))
                .put("itemsPerSecond", Results.perSecond(items, millis))
                .put("transactions", transactions)
                .put("transactionsPerMessage", Results.round(transactions / (double) mails.size(), 1))
                .put("idleTransactionsPerSecond", Results.perSecond(idle.transactions() - end.transactions(),
                        idle.millis() - end.millis()))
                // a mailbox's owner is the node that polled it last: how often that moves with no node dying
                .put("idleOwnerChangesPerMinute", Results.round(changes * 60_000.0 / IDLE_WINDOW.toMillis(), 1));
        if (start.statements() >= 0 && end.statements() >= 0) {
            long statements = end.statements() - start.statements();
            json.put("statements", statements)
                    .put("statementsPerMessage", Results.round(statements / (double) mails.size(), 1))
                    .put("idleStatementsPerSecond", Results.perSecond(idle.statements() - end.statements(),
                            idle.millis() - end.millis()));
        }
        return json;
    }

    /**
     * {@code kills} times: SIGKILL the node owning most mailboxes, time each of its mailboxes until another
     * node owns it ({@code owner_since} minus the kill), restart it.
     */
    private static ObjectNode takeover(Database db, List<ServiceProcess> nodes, int kills) throws Exception {
        ObjectNode json = Results.object().put("kills", kills);
        ArrayNode perKill = json.putArray("perKill");
        List<Long> all = new ArrayList<>();
        int notTaken = 0;
        for (int k = 0; k < kills; k++) {
            Map<String, List<String>> owners = db.owners();
            String victim = owners.entrySet().stream().max(Map.Entry.comparingByValue(
                    java.util.Comparator.comparingInt(List::size))).map(Map.Entry::getKey).orElse(null);
            if (victim == null || !victim.startsWith("node-")) {
                throw new IllegalStateException("no node owns a mailbox (mailbox.owner_node): " + owners);
            }
            List<String> owned = owners.get(victim);
            ServiceProcess node = nodes.get(Integer.parseInt(victim.substring("node-".length())) - 1);
            Instant killedAt = Instant.now();
            node.kill();
            Map<String, Long> taken = new TreeMap<>();
            long deadline = System.nanoTime() + TAKEOVER_WAIT.toNanos();
            while (taken.size() < owned.size() && System.nanoTime() < deadline) {
                Instant observed = Instant.now();
                for (Map.Entry<String, Owner> mailbox : db.ownership().entrySet()) {
                    Owner owner = mailbox.getValue();
                    if (owned.contains(mailbox.getKey()) && !taken.containsKey(mailbox.getKey()) && owner.node() != null
                            && !owner.node().equals(victim)) {
                        Instant since = owner.since() != null && owner.since().isAfter(killedAt) ? owner.since() : observed;
                        taken.put(mailbox.getKey(), Duration.between(killedAt, since).toMillis());
                    }
                }
                SandboxProcess.sleep(100);
            }
            long[] millis = taken.values().stream().mapToLong(Long::longValue).toArray();
            taken.values().forEach(all::add);
            List<String> missing = owned.stream().filter(m -> !taken.containsKey(m)).toList();
            notTaken += missing.size();
            ObjectNode kill = perKill.addObject().put("victim", victim).put("killedAt", killedAt.toString())
                    .put("mailboxes", owned.size())
                    .put("p50Millis", Results.percentile(millis, 50)).put("maxMillis", Results.percentile(millis, 100));
            taken.forEach(kill.putObject("takeoverMillis")::put);
            missing.forEach(kill.putArray("notTakenOverWithin2Minutes")::add);
            Bench.progress("kill " + (k + 1) + ": " + victim + " owned " + owned.size() + " mailbox(es); taken over in "
                    + taken.values() + " ms" + (missing.isEmpty() ? "" : "; not taken over: " + missing));
            node.start().awaitUp(START_WAIT); // restarted, as systemd's Restart=always would
        }
        long[] millis = all.stream().mapToLong(Long::longValue).toArray();
        return json.put("takeovers", millis.length).put("notTakenOver", notTaken)
                .put("p50Millis", Results.percentile(millis, 50)).put("maxMillis", Results.percentile(millis, 100));
    }

    record Owner(String node, Instant since) {
    }

    /** Creates the run's database on the server of {@code base} (a URL of its postgres database); returns its URL. */
    static String createDatabase(String base, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return databaseUrl(base, name);
    }

    /** The URL of database {@code name} on the server of {@code base}: its {@code /postgres?} (or trailing /postgres) replaced. */
    static String databaseUrl(String base, String name) {
        if (base.contains("/postgres?")) {
            return base.replace("/postgres?", "/" + name + "?");
        }
        if (base.endsWith("/postgres")) {
            return base.substring(0, base.length() - "postgres".length()) + name;
        }
        throw new IllegalArgumentException("the benchmark's PostgreSQL URL must name the server's postgres database "
                + "(jdbc:postgresql://host:port/postgres?user=...): it creates a database per run beside it");
    }

    private static boolean dropDatabase(String base, String name) {
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            return true;
        } catch (SQLException e) {
            Bench.progress("could not drop database " + name + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * The harness's connections: one to the run's database (counts, owners; each query one transaction and
     * one statement, counted so they are taken off the service's) and one to the server's postgres database,
     * where pg_stat_database is read without adding to the run's figures.
     */
    static final class Database implements AutoCloseable {

        /** A reading of the run database's counters, the harness's own queries taken off. */
        record Activity(long transactions, long statements, long millis) {
        }

        private final Connection db;
        private final Connection server;
        private final String name;
        private final String statementsSource;
        private long ownQueries;

        Database(String url, String serverUrl, String name) throws SQLException {
            this.db = DriverManager.getConnection(url);
            this.server = DriverManager.getConnection(serverUrl);
            this.name = name;
            this.statementsSource = probeStatements();
        }

        /** "pg_stat_statements", or why statements are not counted. */
        String statementsSource() {
            return statementsSource;
        }

        private String probeStatements() {
            try (Statement s = db.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_stat_statements")) {
                    rs.next();
                }
                return "pg_stat_statements";
            } catch (SQLException e) {
                return "not counted: pg_stat_statements cannot be read (" + e.getMessage().lines().findFirst().orElse("")
                        + "); it needs shared_preload_libraries = 'pg_stat_statements' on the server";
            } finally {
                ownQueries += 2;
            }
        }

        long count(String sql) throws SQLException {
            ownQueries++;
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        Instant instant(String sql) throws SQLException {
            ownQueries++;
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                return t == null ? null : t.toInstant();
            }
        }

        /**
         * Polls {@code sql} every 100 ms until it reaches {@code target}; returns System.nanoTime() then, or -1
         * when the count did not move for {@code stall}.
         */
        long awaitCount(String sql, long target, Duration stall) throws SQLException {
            long last = -1;
            long movedAt = System.nanoTime();
            while (true) {
                long now = count(sql);
                if (now >= target) {
                    return System.nanoTime();
                }
                if (now != last) {
                    last = now;
                    movedAt = System.nanoTime();
                } else if (System.nanoTime() - movedAt > stall.toNanos()) {
                    Bench.progress(sql + " stayed at " + now + " of " + target + " for " + stall.toSeconds() + " s");
                    return -1;
                }
                SandboxProcess.sleep(100);
            }
        }

        /** Committed + rolled-back transactions of the run's database, statements (or -1), the harness's taken off. */
        Activity activity() throws SQLException {
            long transactions;
            try (PreparedStatement s = server.prepareStatement(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    transactions = rs.getLong(1);
                }
            }
            long statements = -1;
            if ("pg_stat_statements".equals(statementsSource)) {
                statements = count("SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements"
                        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())");
            }
            long own = ownQueries;
            return new Activity(transactions - own, statements < 0 ? -1 : statements - own, System.nanoTime() / 1_000_000);
        }

        /** Each mailbox's poller (mailbox.owner_node) and since when. */
        Map<String, Owner> ownership() throws SQLException {
            ownQueries++;
            Map<String, Owner> owners = new TreeMap<>();
            try (Statement s = db.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id, owner_node, owner_since FROM mailbox ORDER BY id")) {
                while (rs.next()) {
                    Timestamp since = rs.getTimestamp(3);
                    owners.put(rs.getString(1), new Owner(rs.getString(2), since == null ? null : since.toInstant()));
                }
            }
            return owners;
        }

        /** How many times some mailbox's owner_node changed over {@code window} (read every 100 ms). */
        int ownerChanges(Duration window) throws SQLException {
            Map<String, Owner> last = ownership();
            int changes = 0;
            long deadline = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < deadline) {
                SandboxProcess.sleep(100);
                Map<String, Owner> now = ownership();
                for (Map.Entry<String, Owner> mailbox : now.entrySet()) {
                    Owner before = last.get(mailbox.getKey());
                    if (before != null && !java.util.Objects.equals(before.node(), mailbox.getValue().node())) {
                        changes++;
                    }
                }
                last = now;
            }
            return changes;
        }

        /** The mailboxes each node polls (none: "(none)"). */
        Map<String, List<String>> owners() throws SQLException {
            Map<String, List<String>> byNode = new TreeMap<>();
            ownership().forEach((mailbox, owner) -> byNode.computeIfAbsent(owner.node() == null ? "(none)" : owner.node(),
                    n -> new ArrayList<>()).add(mailbox));
            return byNode;
        }

        ObjectNode mailboxesByNode() throws SQLException {
            ObjectNode json = Results.object();
            Map<String, Integer> counts = new LinkedHashMap<>();
            owners().forEach((node, mailboxes) -> counts.put(node, mailboxes.size()));
            counts.forEach(json::put);
            return json;
        }

        @Override
        public void close() throws SQLException {
            try (db; server) {
                // both closed
            }
        }
    }
}
