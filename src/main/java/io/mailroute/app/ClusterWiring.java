package io.mailroute.app;

import io.mailroute.cluster.ClusterSettings;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code mailroute.cluster.*}: whether and how this instance shares its PostgreSQL with others. */
final class ClusterWiring {

    static final String ENABLED = "mailroute.cluster.enabled";
    static final String NODE_ID = "mailroute.cluster.node-id";
    private static final java.util.regex.Pattern NODE_ID_FORM = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,120}");

    private ClusterWiring() {
    }

    /** The cluster settings; a bad one is a {@link ConfigException} naming the key (what {@code check} says too). */
    static ClusterSettings settings(Settings settings) {
        List<ConfigProblem> problems = problems(settings);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return read(settings);
    }

    private static ClusterSettings read(Settings settings) {
        return new ClusterSettings(settings.flag(ENABLED, false),
                settings.text(NODE_ID, ClusterSettings.defaultNodeId()),
                settings.duration("mailroute.cluster.checkin-interval", Duration.ofSeconds(5)),
                settings.duration("mailroute.cluster.subscription-hold", Duration.ofSeconds(10)),
                settings.count("mailroute.cluster.quartz-pool-size", 6),
                (int) settings.number("mailroute.quartz.spare-threads", 2));
    }

    /** What is wrong with the cluster keys: clustering on H2, a node id Quartz and the logs cannot carry, bad timings. */
    static List<ConfigProblem> problems(Settings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        String file = settings.configDir().resolve("application.properties").toString();
        ClusterSettings cluster;
        try {
            cluster = read(settings);
        } catch (ConfigException e) {
            return e.problems(); // Settings.validate() names the key too; check shows it once per key
        }
        if (!NODE_ID_FORM.matcher(cluster.nodeId()).matches()) {
            problems.add(new ConfigProblem(file, NODE_ID, "is \"" + cluster.nodeId() + "\"",
                    "use 1 to 120 letters, digits, dots, dashes or underscores, unique among the nodes (e.g. the host name)"));
        }
        if (!cluster.enabled()) {
            return problems;
        }
        String url = settings.text("mailroute.db.url", null);
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            problems.add(new ConfigProblem(file, ENABLED, "is true, but mailroute.db.url is "
                    + (url == null ? "unset (an H2 file under mailroute.data-dir)" : "not PostgreSQL")
                    + ": an H2 file is open in one process at a time, so instances cannot share it",
                    "set mailroute.db.url = jdbc:postgresql://HOST:5432/DB (and mailroute.db.user, MAILROUTE_DB_PASSWORD) "
                            + "on every node, or set mailroute.cluster.enabled = false"));
        }
        Duration checkin = cluster.checkinInterval();
        if (checkin.compareTo(Duration.ofSeconds(1)) < 0 || checkin.compareTo(Duration.ofSeconds(20)) > 0) {
            problems.add(new ConfigProblem(file, "mailroute.cluster.checkin-interval", "is " + checkin,
                    "use 1s to 20s: a dead node's polls are taken over about this long + 7.5 s after its last check-in "
                            + "(5s gives at most 17.5 s)"));
        }
        if (cluster.subscriptionHold().compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add(new ConfigProblem(file, "mailroute.cluster.subscription-hold", "is " + cluster.subscriptionHold(),
                    "use 1s or more (10s shipped)"));
        }
        return problems;
    }
}
