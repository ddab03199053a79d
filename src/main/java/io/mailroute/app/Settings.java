package io.mailroute.app;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.camel.CamelContext;

/**
 * Typed access to the {@code mailroute.*} keys of {@code application.properties} (through Camel's
 * properties component, so {@code -D} and environment overrides work), with errors that name the key.
 */
public final class Settings {

    private final Function<String, Optional<String>> lookup;
    private final Path configDir;
    private final String file;

    public Settings(Function<String, Optional<String>> lookup, Path configDir) {
        this.lookup = lookup;
        this.configDir = configDir;
        this.file = configDir.resolve("application.properties").toString();
    }

    public static Settings of(CamelContext context, Path configDir) {
        return new Settings(key -> context.getPropertiesComponent().resolveProperty(key), configDir);
    }

    /** The typed mailroute.* keys; {@link #validate()} checks each one that is set. */
    private static final Map<String, String> TYPED_KEYS = Map.ofEntries(
            Map.entry("mailroute.db.pool-size", "number"),
            Map.entry("mailroute.sandbox.enabled", "flag"),
            Map.entry("mailroute.sandbox.port", "number"),
            Map.entry("mailroute.sandbox.quota-units-per-second", "number"),
            Map.entry("mailroute.sandbox.latency", "duration"),
            Map.entry("mailroute.intake.initial-delay", "number"),
            Map.entry("mailroute.intake.max-messages-per-poll", "number"),
            Map.entry("mailroute.intake.fetch-ahead", "count"),
            Map.entry("mailroute.intake.retry-attempts", "count"),
            Map.entry("mailroute.intake.retry-base", "duration"),
            Map.entry("mailroute.intake.retry-budget", "duration"),
            Map.entry("mailroute.intake.max-message-bytes", "number"),
            Map.entry("mailroute.intake.max-attachment-bytes", "number"),
            Map.entry("mailroute.intake.backoff-base", "duration"),
            Map.entry("mailroute.intake.backoff-max", "duration"),
            Map.entry("mailroute.gmail.http-timeout", "duration"),
            Map.entry("mailroute.triage.reload-interval", "number"),
            Map.entry("mailroute.workflow.sla-check-interval", "number"),
            Map.entry("mailroute.delivery.poll-interval", "number"),
            Map.entry("mailroute.delivery.backoff-base", "duration"),
            Map.entry("mailroute.delivery.backoff-max", "duration"),
            Map.entry("mailroute.delivery.lease", "duration"),
            Map.entry("mailroute.alerts.window", "duration"),
            Map.entry("mailroute.engagement.link-lifetime", "duration"),
            Map.entry("mailroute.engagement.open-pixel", "flag"),
            Map.entry("mailroute.alerts.reminder.critical", "duration"),
            Map.entry("mailroute.alerts.reminder.high", "duration"),
            Map.entry("mailroute.alerts.reminder.normal", "duration"),
            Map.entry("mailroute.alerts.reminder.low", "duration"),
            Map.entry("mailroute.reports.max-attempts", "count"),
            Map.entry("mailroute.reports.retry-after", "duration"),
            Map.entry("mailroute.reports.lease", "duration"),
            Map.entry("mailroute.reports.resume-interval", "number"),
            Map.entry("mailroute.reports.catch-up-delay", "number"),
            Map.entry("mailroute.reports.retention", "duration"),
            Map.entry("mailroute.timers.check-interval", "number"),
            Map.entry("mailroute.timers.batch-size", "number"),
            Map.entry("mailroute.timers.max-attempts", "number"),
            Map.entry("mailroute.timers.backoff-base", "duration"),
            Map.entry("mailroute.timers.backoff-max", "duration"),
            Map.entry("mailroute.flows.max-attempts", "number"),
            Map.entry("mailroute.cluster.enabled", "flag"),
            Map.entry("mailroute.cluster.checkin-interval", "duration"),
            Map.entry("mailroute.cluster.subscription-hold", "duration"),
            Map.entry("mailroute.cluster.quartz-pool-size", "count"),
            Map.entry("mailroute.quartz.spare-threads", "number"));

    /** Every typed key whose value does not parse, for the {@code check} command. */
    public List<ConfigProblem> validate() {
        List<ConfigProblem> problems = new ArrayList<>();
        new TreeMap<>(TYPED_KEYS).forEach((key, kind) -> {
            try {
                switch (kind) {
                    case "number" -> number(key, 0);
                    case "count" -> count(key, 1);
                    case "flag" -> flag(key, false);
                    default -> duration(key, Duration.ZERO);
                }
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        });
        return problems;
    }

    public Path configDir() {
        return configDir;
    }

    public String text(String key, String fallback) {
        return lookup.apply(key).map(String::trim).filter(s -> !s.isEmpty()).orElse(fallback);
    }

    public boolean flag(String key, boolean fallback) {
        String value = text(key, null);
        if (value == null) {
            return fallback;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw bad(key, "'" + value + "' is not true or false", "write true or false");
    }

    public long number(String key, long fallback) {
        String value = text(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw bad(key, "'" + value + "' is not a whole number", "write e.g. " + fallback);
        }
    }

    /** A whole number of at least 1 (a number of things, where none makes no sense). */
    public int count(String key, int fallback) {
        long value = number(key, fallback);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw bad(key, "'" + text(key, "") + "' is not 1 or more", "write e.g. " + fallback);
        }
        return (int) value;
    }

    public Duration duration(String key, Duration fallback) {
        String value = text(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage(), null);
        }
    }

    /**
     * A path setting; relative paths are relative to the working directory unless {@code inConfigDir};
     * {@code ~/} is the user's home directory.
     */
    public Path path(String key, String fallback, boolean inConfigDir) {
        return toPath(text(key, fallback), inConfigDir);
    }

    /** A comma-separated list of paths, each read as {@link #path} reads one; empty when the key is not set. */
    public List<Path> paths(String key, boolean inConfigDir) {
        String value = text(key, "");
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> toPath(s, inConfigDir)).toList();
    }

    private Path toPath(String value, boolean inConfigDir) {
        Path path = value.startsWith("~/") ? Path.of(System.getProperty("user.home"), value.substring(2)) : Path.of(value);
        return path.isAbsolute() || !inConfigDir ? path : configDir.resolve(path);
    }

    private ConfigException bad(String key, String problem, String fix) {
        return new ConfigException(new ConfigProblem(file, key, problem, fix));
    }
}
