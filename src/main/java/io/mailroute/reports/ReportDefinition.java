package io.mailroute.reports;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One report of {@code config/reports.yaml}, as {@link ReportsFile} read and checked it.
 *
 * @param id                 stable name (a-z, 0-9, -): the run key, the API and the commands use it
 * @param title              the document's title (the id when the file gives none)
 * @param owner              who is told when a run fails: an address, or a recipient id of channels.yaml
 * @param schedule           when it runs
 * @param source             where its rows come from
 * @param format             the document's format
 * @param recipients         who gets it
 * @param perRecipient       each recipient gets a document of their own, built with {@code recipientParameter} bound
 *                           to their address, so holding only their rows
 * @param recipientParameter the query's named parameter bound to the recipient's address; null unless perRecipient
 * @param delivery           attached to the email, a signed download link in it, or both
 * @param linkLifetime       how long a download link works (default {@link #DEFAULT_LINK_LIFETIME})
 * @param oneTimeLink        a download link works once (the download page's POST uses it up)
 * @param subject            the email's subject template
 * @param body               the email's body template
 * @param acknowledgeWithin  when present: recipients are asked to acknowledge within this time, and are OVERDUE after it
 * @param mailbox            the mailbox (an id of mailboxes.yaml) it is sent from; its owners are {@code $owners}
 * @param lines              the line of the report ({@code ""}) and of each of its keys ({@code "schedule.cron"}), for
 *                           messages about it
 */
public record ReportDefinition(String id, String title, String owner, Schedule schedule, Source source, Format format,
        Recipients recipients, boolean perRecipient, String recipientParameter, Delivery delivery, Duration linkLifetime,
        boolean oneTimeLink, Template subject, Template body, Optional<Duration> acknowledgeWithin, String mailbox, Map<String, Integer> lines) {

    /** A download link's lifetime when the report gives none. */
    public static final Duration DEFAULT_LINK_LIFETIME = Duration.ofDays(7);
    /** Bound in every query: the start of the period a run covers (inclusive), a timestamp with time zone. */
    public static final String PERIOD_START = "periodStart";
    /** Bound in every query: the end of the period a run covers (exclusive), a timestamp with time zone. */
    public static final String PERIOD_END = "periodEnd";
    /** In recipients: the owners (mailboxes.yaml {@code owners:}) of the report's {@code mailbox}. */
    public static final String OWNERS = "$owners";

    public ReportDefinition {
        lines = Map.copyOf(lines);
    }

    /** The line (from 1) of a key of this report ({@code "source.query"}), else of the report itself. */
    public int lineOf(String key) {
        return lines.getOrDefault(key, lines.getOrDefault("", 0));
    }

    /** Whether this is a digest: its summary is the email's body, it has no document format or delivery of its own. */
    public boolean isDigest() {
        return source instanceof DigestSource;
    }

    /** The format as lists show it: {@code body} for a digest (text and HTML in the email), else the document's. */
    public String shownFormat() {
        return isDigest() ? "body" : format.configName();
    }

    /** The delivery as lists show it: {@code body} for a digest, else attachment / link / both. */
    public String shownDelivery() {
        return isDigest() ? "body" : delivery.configName();
    }

    /** "line 12, report 'weekly-sla', schedule.cron": where a person finds what a message is about. */
    public String where(String key) {
        return ReportsFile.where(lineOf(key), id, key);
    }

    /**
     * A Quartz cron expression (seconds first) in a time zone, and the unit of its periods (the run key): null when it
     * follows from the cadence (month, ISO week or day); given for schedules that fire more than once a day.
     */
    public record Schedule(String cron, ZoneId zone, Periods.Unit period) {
        /** A schedule whose period unit follows from its cadence. */
        public Schedule(String cron, ZoneId zone) {
            this(cron, zone, null);
        }

        /** The run a firing at {@code at} belongs to, and the data it covers ({@link Periods#window}). */
        public RunWindow windowAt(java.time.Instant at) {
            return Periods.window(cron, zone, at, period);
        }

        /** The run of a period given by its key ({@code reports run --period 2026-W48}), and the data it covers. */
        public RunWindow windowOf(String periodKey) {
            return Periods.window(cron, zone, periodKey, period);
        }

        /** The latest firing at or before {@code at}: what a start-up catches up. */
        public Optional<java.time.Instant> latestFiring(java.time.Instant at) {
            return Periods.latestFiring(cron, zone, at);
        }

        /** The next firing after {@code at}, if the schedule has one. */
        public Optional<java.time.Instant> nextFiring(java.time.Instant at) {
            return Periods.nextFiring(cron, zone, at);
        }
    }

    /** Where a report's rows come from. */
    public sealed interface Source permits SqlSource, JdbcSource, HttpSource, FileSource, DigestSource {
        /** The type name as reports.yaml writes it. */
        String type();
    }

    /** A SELECT over Mailroute's own database. */
    public record SqlSource(ReportQuery query) implements Source {
        @Override
        public String type() {
            return "sql";
        }
    }

    /** A SELECT over an external database, a datasource of the file's {@code datasources:}. */
    public record JdbcSource(String datasource, ReportQuery query) implements Source {
        @Override
        public String type() {
            return "jdbc";
        }
    }

    /** An HTTP GET whose answer is the table, as JSON (an array of objects) or CSV (a header line first). */
    public record HttpSource(URI url, TableFormat format) implements Source {
        @Override
        public String type() {
            return "http";
        }
    }

    /** A file another system drops in a directory, matching a glob; picked up once and moved aside. */
    public record FileSource(Path directory, String pattern) implements Source {
        @Override
        public String type() {
            return "file";
        }
    }

    /**
     * A digest: rows Mailroute computes itself from its own database for the period, per recipient (the queues they own,
     * channels.yaml {@code owners: queues:}), summarized in the email's body ({@link io.mailroute.reports.digest}).
     *
     * @param sections      what it summarizes, in this order
     * @param unowned       what a recipient who owns no queue gets
     * @param sendWhenEmpty whether a digest with nothing in it (no activity in the recipient's queues, no engagement) is
     *                      sent; false: the recipient is SKIPPED for the period, with the reason
     */
    public record DigestSource(List<Section> sections, Unowned unowned, boolean sendWhenEmpty) implements Source {
        public DigestSource {
            sections = List.copyOf(sections);
        }

        @Override
        public String type() {
            return "digest";
        }

        /** What a digest summarizes. */
        public enum Section {
            /** Per queue: items opened and resolved, SLA breaches, escalations, approvals decided, failed deliveries. */
            ACTIVITY,
            /** Per channel and per person: deliveries sent, opened, acted on, ignored. */
            ENGAGEMENT;

            public String configName() {
                return name().toLowerCase(Locale.ROOT);
            }
        }

        /** What a recipient who owns no queue gets. */
        public enum Unowned {
            /** Nothing: they are SKIPPED ("owns no queue"). */
            NOTHING,
            /** The digest of every queue (and of what belongs to none). */
            EVERYTHING;

            public String configName() {
                return name().toLowerCase(Locale.ROOT);
            }
        }
    }

    /** What an HTTP source answers with. */
    public enum TableFormat {
        JSON, CSV;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The document's format. */
    public enum Format {
        CSV, HTML, PDF;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How the document reaches its recipients. */
    public enum Delivery {
        ATTACHMENT, LINK, BOTH;

        public boolean attaches() {
            return this != LINK;
        }

        public boolean links() {
            return this != ATTACHMENT;
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Who gets a report, as its {@code recipients:} list names them.
     *
     * @param audiences audiences of channels.yaml (their recipients' addresses; {@code $owners} among their members too)
     * @param addresses addresses, as written
     * @param owners    whether {@value ReportDefinition#OWNERS} is named: the owners of the report's mailbox
     */
    public record Recipients(List<String> audiences, List<String> addresses, boolean owners) {
        public Recipients {
            audiences = List.copyOf(audiences);
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * A Mustache template: a file of the templates directory (a value ending in {@code .mustache}) or the text itself.
     *
     * @param file   the file's name in the templates directory, or null for inline text
     * @param inline the template text, or null for a file
     */
    public record Template(String file, String inline) {
        public boolean isFile() {
            return file != null;
        }
    }
}
