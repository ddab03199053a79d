package io.mailroute.reports;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.MustacheException;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.ConfigYaml;
import io.mailroute.config.Durations;
import io.mailroute.reports.ReportDefinition.Delivery;
import io.mailroute.reports.ReportDefinition.Format;
import io.mailroute.reports.ReportDefinition.Recipients;
import io.mailroute.reports.ReportDefinition.Source;
import io.mailroute.reports.ReportDefinition.TableFormat;
import io.mailroute.reports.ReportDefinition.Template;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.quartz.CronExpression;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads and checks {@code config/reports.yaml}. Works on SnakeYAML's node tree, so every problem names the line it is
 * on, the report and the key ("line 14, report 'weekly-sla', schedule.cron"), and says what to write instead; all of
 * them are collected, so {@code check} lists them at once. A missing file means no reports.
 */
public final class ReportsFile {

    static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PARAMETER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");
    private static final Pattern ENV = Pattern.compile("env:([A-Z_][A-Z0-9_]*)");
    private static final Pattern TEMPLATE_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,120}\\.mustache");
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>,;:\"()\\[\\]\\\\]{1,64}@[^@\\s<>,;:\"()\\[\\]\\\\]+\\.[^@\\s<>,;:\"()\\[\\]\\\\.]+");
    private static final List<String> TOP_KEYS = List.of("datasources", "reports");
    private static final List<String> DATASOURCE_KEYS = List.of("url", "user", "password");
    private static final List<String> REPORT_KEYS = List.of("id", "title", "owner", "schedule", "source", "format", "recipients",
            "perRecipient", "recipientParameter", "delivery", "linkLifetime", "subject", "body", "acknowledgeWithin", "mailbox",
            "oneTimeLink");
    private static final List<String> SCHEDULE_KEYS = List.of("cron", "zone", "period");
    private static final Map<String, List<String>> SOURCE_KEYS = Map.of(
            "sql", List.of("type", "query"),
            "jdbc", List.of("type", "datasource", "query"),
            "http", List.of("type", "url", "format"),
            "file", List.of("type", "directory", "pattern"),
            "digest", List.of("type", "sections", "unowned", "sendWhenEmpty"));
    private static final List<String> SOURCE_TYPES = List.of("sql", "jdbc", "http", "file", "digest");
    /** What a digest decides itself: its summary is the email's body, one per recipient, with no document or link. */
    private static final List<String> NOT_FOR_DIGESTS = List.of("format", "perRecipient", "recipientParameter", "delivery",
            "linkLifetime", "oneTimeLink", "acknowledgeWithin");
    private static final String CRON_FIX = "write a Quartz cron: seconds minutes hours day-of-month month day-of-week [year], "
            + "with ? in one of the two day fields, e.g. \"0 0 7 ? * MON\" (Mondays 07:00)";
    private static final String DURATION_FIX = "write a duration such as 7d, 12h or P1DT12H";

    private final String file;
    private final Path templatesDir;
    private final List<ConfigProblem> problems = new ArrayList<>();
    /** Every datasource name the file gives, also those with problems (said once, at the datasource). */
    private final Set<String> declaredDatasources = new java.util.HashSet<>();
    /** The report being read, for messages: its id, or "#n" until the id is known. */
    private String report;
    /** The lines of the report being read, by key. */
    private Map<String, Integer> lines;

    private ReportsFile(String file, Path templatesDir) {
        this.file = file;
        this.templatesDir = templatesDir;
    }

    /** Loads the file, its file templates from {@code templates/} beside it. */
    public static ReportsConfig load(Path file) {
        return load(file, file.toAbsolutePath().resolveSibling("templates"));
    }

    /**
     * Loads the file (missing: no reports), its file templates ({@code body: x.mustache}) from {@code templatesDir};
     * throws {@link ConfigException} listing every problem.
     */
    public static ReportsConfig load(Path file, Path templatesDir) {
        if (!Files.exists(file)) {
            return ReportsConfig.none(file + " (missing)");
        }
        ReportsFile reader = new ReportsFile(file.toString(), templatesDir);
        ReportsConfig config = reader.read(file);
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(reader.problems);
        }
        return config;
    }

    /** "line 14, report 'weekly-sla', schedule.cron"; without a report: "line 3, datasources.erp.url". */
    static String where(int line, String report, String key) {
        StringBuilder where = new StringBuilder("line ").append(line);
        if (report != null) {
            where.append(", report '").append(report).append("'");
        }
        if (key != null && !key.isEmpty()) {
            where.append(", ").append(key);
        }
        return where.toString();
    }

    // ---- document ---------------------------------------------------------------------------------------

    private ReportsConfig read(Path path) {
        Node root = compose(path);
        if (root == null) {
            return null;
        }
        if (!(root instanceof MappingNode top)) {
            problem(root, "", "must be a mapping with a reports: list", "start the file with 'reports:' (see config/reports.yaml)");
            return null;
        }
        Map<String, Node> fields = fields(top, TOP_KEYS, "");
        Map<String, ReportsConfig.Datasource> datasources = datasources(fields.get("datasources"));
        Map<String, ReportDefinition> reports = new LinkedHashMap<>();
        Node list = fields.get("reports");
        if (list == null || list instanceof ScalarNode s && Tag.NULL.equals(s.getTag())) {
            return new ReportsConfig(file, datasources, reports);
        }
        if (!(list instanceof SequenceNode sequence)) {
            problem(list, "reports", "must be a list of reports", "write 'reports:' followed by '- id: ...' entries");
            return null;
        }
        Map<String, Integer> idLines = new LinkedHashMap<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            report = "#" + (i + 1);
            lines = new LinkedHashMap<>();
            ReportDefinition definition = report(sequence.getValue().get(i), datasources, idLines);
            if (definition != null) {
                reports.put(definition.id(), definition);
            }
        }
        report = null;
        return new ReportsConfig(file, datasources, reports);
    }

    private Node compose(Path path) {
        String text;
        try {
            byte[] content = Files.readAllBytes(path);
            if (content.length > MAX_FILE_BYTES) {
                problems.add(new ConfigProblem(file, "", "is larger than " + MAX_FILE_BYTES / 1024 + " KiB", "split the reports' "
                        + "queries into views in the database"));
                return null;
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            problems.add(new ConfigProblem(file, "", "is not UTF-8 text", "save it as UTF-8"));
            return null;
        } catch (IOException e) {
            problems.add(new ConfigProblem(file, "", "cannot be read: " + e.getMessage(), "check the file's permissions"));
            return null;
        }
        try {
            Node root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
            if (root == null) {
                problems.add(new ConfigProblem(file, "", "is empty", "write 'reports:' (see config/reports.yaml), or delete the file"));
            }
            return root;
        } catch (MarkedYAMLException e) {
            problems.add(ConfigYaml.syntaxProblem(file, e));
        } catch (YAMLException e) {
            problems.add(new ConfigProblem(file, "", "is not valid YAML: " + e.getMessage(), "fix the syntax"));
        }
        return null;
    }

    private Map<String, ReportsConfig.Datasource> datasources(Node node) {
        Map<String, ReportsConfig.Datasource> datasources = new LinkedHashMap<>();
        if (node == null || node instanceof ScalarNode s && Tag.NULL.equals(s.getTag())) {
            return datasources;
        }
        if (!(node instanceof MappingNode mapping)) {
            problem(node, "datasources", "must map names to databases",
                    "write e.g. datasources: {erp: {url: jdbc:postgresql://erp.internal/erp, user: reports, password: env:ERP_DB_PASSWORD}}");
            return datasources;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String name = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
            String at = "datasources." + name;
            if (!ID.matcher(name).matches()) {
                problem(tuple.getKeyNode(), at, "'" + name + "' is not a valid datasource name", "use a-z, 0-9 and '-', e.g. erp");
                continue;
            }
            if (!declaredDatasources.add(name)) {
                problem(tuple.getKeyNode(), at, "is given twice", "merge the two into one");
                continue;
            }
            if (!(tuple.getValueNode() instanceof MappingNode value)) {
                problem(tuple.getValueNode(), at, "must be a mapping with url:, user: and password:",
                        "write e.g. " + name + ": {url: jdbc:postgresql://host/db, user: reports, password: env:VAR}");
                continue;
            }
            int before = problems.size();
            Map<String, Node> fields = fields(value, DATASOURCE_KEYS, at + ".");
            String url = required(fields, value, "url", at + ".url", "write the JDBC URL, e.g. url: jdbc:postgresql://erp.internal:5432/erp");
            if (url != null && !url.startsWith("jdbc:")) {
                problem(fields.get("url"), at + ".url", "'" + url + "' is not a JDBC URL", "write jdbc:<driver>:..., e.g. jdbc:postgresql://erp.internal:5432/erp");
            } else if (url != null && !hasDriver(url)) {
                problem(fields.get("url"), at + ".url", "no JDBC driver in Mailroute reads '" + url.split(":")[1] + "' URLs",
                        "use a PostgreSQL or H2 database (jdbc:postgresql: or jdbc:h2:), or add the driver to the service");
            }
            String user = fields.containsKey("user") ? scalar(fields.get("user"), at + ".user") : null;
            String userVariable = user != null && ENV.matcher(user).matches() ? user.substring(4) : null;
            String passwordVariable = null;
            if (fields.containsKey("password")) {
                String password = scalar(fields.get("password"), at + ".password");
                if (password != null && !ENV.matcher(password).matches()) {
                    problem(fields.get("password"), at + ".password", "is written in the file, and secrets never are",
                            "export it and write password: env:VARIABLE (upper case, e.g. env:ERP_DB_PASSWORD)");
                } else if (password != null) {
                    passwordVariable = password.substring(4);
                }
            }
            if (problems.size() == before) {
                datasources.put(name, new ReportsConfig.Datasource(name, url, userVariable == null ? user : null, userVariable,
                        passwordVariable, line(tuple.getKeyNode())));
            }
        }
        return datasources;
    }

    private static boolean hasDriver(String url) {
        try {
            DriverManager.getDriver(url);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    // ---- one report ---------------------------------------------------------------------------------------

    private ReportDefinition report(Node node, Map<String, ReportsConfig.Datasource> datasources, Map<String, Integer> idLines) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, "", "must be a mapping", "write '- id: ...' followed by the report's settings (see config/reports.yaml)");
            return null;
        }
        lines.put("", line(node));
        int before = problems.size();
        Node idNode = field(mapping, "id");
        if (idNode instanceof ScalarNode s && ID.matcher(s.getValue().strip()).matches()) {
            report = s.getValue().strip(); // before the other keys, so that their messages name the report
        }
        Map<String, Node> fields = fields(mapping, REPORT_KEYS, "");
        String id = required(fields, mapping, "id", "id", "write e.g. id: weekly-sla-compliance");
        if (id != null && !ID.matcher(id).matches()) {
            problem(fields.get("id"), "id", "'" + id + "' is not a valid report id", "use a-z, 0-9 and '-', e.g. weekly-sla-compliance");
        } else if (id != null) {
            Integer earlier = idLines.putIfAbsent(id, line(node));
            if (earlier != null) {
                problem(fields.get("id"), "id", "is also the id of the report at line " + earlier, "give every report its own id");
            }
        }
        String title = fields.containsKey("title") ? scalar(fields.get("title"), "title") : id;
        String owner = required(fields, mapping, "owner", "owner", "write an address or a recipient of channels.yaml, e.g. owner: team");
        if (owner != null && owner.contains("@") && !ADDRESS.matcher(owner).matches()) {
            problem(fields.get("owner"), "owner", "'" + owner + "' is not an email address", "write e.g. owner: ops@acme.example");
        }
        ReportDefinition.Schedule schedule = schedule(fields.get("schedule"), mapping);
        Source source = source(fields.get("source"), mapping, datasources);
        if (isDigest(fields.get("source"))) { // also when its own settings have problems: those are said, not others
            return digest(fields, mapping, before, id, title, owner, schedule, source);
        }
        Format format = choice(fields, mapping, "format", Format.class, null);
        Recipients recipients = recipients(fields.get("recipients"), mapping);
        Boolean perRecipient = fields.containsKey("perRecipient") ? bool(fields.get("perRecipient"), "perRecipient") : Boolean.FALSE;
        String recipientParameter = recipientParameter(fields, Boolean.TRUE.equals(perRecipient), source);
        Delivery delivery = choice(fields, mapping, "delivery", Delivery.class, Delivery.ATTACHMENT);
        Duration linkLifetime = ReportDefinition.DEFAULT_LINK_LIFETIME;
        if (fields.containsKey("linkLifetime")) {
            linkLifetime = duration(fields.get("linkLifetime"), "linkLifetime");
            if (delivery == Delivery.ATTACHMENT) {
                problem(fields.get("linkLifetime"), "linkLifetime", "is only for delivery: link or both (this report attaches)",
                        "drop it, or write delivery: link or delivery: both");
            }
        }
        boolean oneTimeLink = fields.containsKey("oneTimeLink") && Boolean.TRUE.equals(bool(fields.get("oneTimeLink"), "oneTimeLink"));
        if (oneTimeLink && delivery == Delivery.ATTACHMENT) {
            problem(fields.get("oneTimeLink"), "oneTimeLink", "is only for delivery: link or both (this report attaches)",
                    "drop it, or write delivery: link or delivery: both");
        }
        Template subject = template(fields, mapping, "subject");
        Template body = template(fields, mapping, "body");
        Optional<Duration> acknowledgeWithin = Optional.empty();
        if (fields.containsKey("acknowledgeWithin")) {
            acknowledgeWithin = Optional.ofNullable(duration(fields.get("acknowledgeWithin"), "acknowledgeWithin"));
        }
        String mailbox = required(fields, mapping, "mailbox", "mailbox", "write the id of the mailbox of mailboxes.yaml it is sent from, e.g. mailbox: support");
        if (problems.size() > before || id == null) {
            return null;
        }
        return new ReportDefinition(id, title, owner, schedule, source, format, recipients, perRecipient, recipientParameter,
                delivery, linkLifetime, oneTimeLink, subject, body, acknowledgeWithin, mailbox, lines);
    }

    /**
     * A digest report: its summary goes in each recipient's email (perRecipient, HTML and text), so the keys about a
     * document (format, delivery, links, acknowledgement) are refused; {@code body:} is optional (an introduction).
     */
    private ReportDefinition digest(Map<String, Node> fields, MappingNode mapping, int before, String id, String title,
            String owner, ReportDefinition.Schedule schedule, Source source) {
        for (String key : NOT_FOR_DIGESTS) {
            if (fields.containsKey(key)) {
                problem(fields.get(key), key, "is not for a digest (source type digest): its summary is the email's body, "
                        + "one for each recipient", "drop " + key);
            }
        }
        Recipients recipients = recipients(fields.get("recipients"), mapping);
        Template subject = template(fields, mapping, "subject");
        Template body = fields.containsKey("body") ? template(fields, mapping, "body") : null;
        String mailbox = required(fields, mapping, "mailbox", "mailbox", "write the id of the mailbox of mailboxes.yaml it is sent from, e.g. mailbox: support");
        if (problems.size() > before || id == null) {
            return null;
        }
        return new ReportDefinition(id, title, owner, schedule, source, Format.HTML, recipients, true, null,
                Delivery.ATTACHMENT, ReportDefinition.DEFAULT_LINK_LIFETIME, false, subject, body, Optional.empty(), mailbox,
                lines);
    }

    private static boolean isDigest(Node source) {
        return source instanceof MappingNode mapping && field(mapping, "type") instanceof ScalarNode type
                && "digest".equals(type.getValue().strip());
    }

    private ReportDefinition.DigestSource digestSource(Map<String, Node> fields, MappingNode source) {
        String fix = "write e.g. sections: [activity, engagement]";
        List<ReportDefinition.DigestSource.Section> sections = new ArrayList<>();
        Node node = fields.get("sections");
        int before = problems.size();
        if (node == null) {
            sections.addAll(List.of(ReportDefinition.DigestSource.Section.values()));
        } else {
            List<Node> items = node instanceof SequenceNode s ? s.getValue() : List.of(node);
            if (items.isEmpty()) {
                problem(node, "source.sections", "is empty, so the digest would say nothing", fix);
            }
            for (Node item : items) {
                String name = scalar(item, "source.sections", fix);
                ReportDefinition.DigestSource.Section section = name == null ? null : java.util.Arrays.stream(
                        ReportDefinition.DigestSource.Section.values()).filter(v -> v.configName().equals(name)).findFirst().orElse(null);
                if (name != null && section == null) {
                    problem(item, "source.sections", "'" + name + "' is not a digest section", "write activity and/or engagement");
                } else if (section != null && sections.contains(section)) {
                    problem(item, "source.sections", "names " + name + " twice", "name each section once");
                } else if (section != null) {
                    sections.add(section);
                }
            }
        }
        ReportDefinition.DigestSource.Unowned unowned = choice(fields, source, "unowned",
                ReportDefinition.DigestSource.Unowned.class, ReportDefinition.DigestSource.Unowned.NOTHING, "source.unowned");
        Boolean sendWhenEmpty = fields.containsKey("sendWhenEmpty") ? bool(fields.get("sendWhenEmpty"), "source.sendWhenEmpty")
                : Boolean.FALSE;
        return problems.size() > before || unowned == null || sendWhenEmpty == null ? null
                : new ReportDefinition.DigestSource(sections, unowned, sendWhenEmpty);
    }

    private ReportDefinition.Schedule schedule(Node node, MappingNode report) {
        String example = "write e.g. schedule: {cron: \"0 0 7 ? * MON\", zone: Europe/Berlin}";
        if (node == null) {
            problem(report, "schedule", "is missing", example);
            return null;
        }
        if (!(node instanceof MappingNode mapping)) {
            problem(node, "schedule", "must be a mapping with cron: and zone:", example);
            return null;
        }
        Map<String, Node> fields = fields(mapping, SCHEDULE_KEYS, "schedule.");
        String cron = required(fields, mapping, "cron", "schedule.cron", CRON_FIX);
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            String why;
            try {
                new CronExpression(cron);
                why = "";
            } catch (ParseException e) {
                why = ": " + e.getMessage();
            }
            problem(fields.get("cron"), "schedule.cron", "'" + cron + "' is not a Quartz cron expression" + why, CRON_FIX);
            cron = null;
        }
        String zoneName = required(fields, mapping, "zone", "schedule.zone", "write a time zone such as Europe/Berlin or UTC");
        ZoneId zone = null;
        if (zoneName != null) {
            try {
                zone = ZoneId.of(zoneName);
            } catch (DateTimeException e) {
                problem(fields.get("zone"), "schedule.zone", "'" + zoneName + "' is not a time zone",
                        "write a region id such as Europe/Berlin, America/New_York or UTC");
            }
        }
        Periods.Unit period = null;
        if (fields.containsKey("period")) {
            String unit = scalar(fields.get("period"), "schedule.period", "write minute, hour, day, week or month");
            try {
                period = unit == null ? null : Periods.Unit.parse(unit);
            } catch (IllegalArgumentException e) {
                problem(fields.get("period"), "schedule.period", e.getMessage(), "write minute, hour, day, week or month");
                return null;
            }
        }
        if (cron != null && zone != null && period == null) {
            try {
                Periods.cadence(cron, zone, java.time.Instant.now());
            } catch (IllegalArgumentException e) {
                problem(fields.get("cron"), "schedule.cron", "fires more than once a day, so its runs need a period unit",
                        "add period: hour (one run per hour) or minute to the schedule");
                return null;
            }
        }
        return cron == null || zone == null ? null : new ReportDefinition.Schedule(cron, zone, period);
    }

    private Source source(Node node, MappingNode report, Map<String, ReportsConfig.Datasource> datasources) {
        String example = "write e.g. source: {type: sql, query: \"SELECT ...\"}";
        if (node == null) {
            problem(report, "source", "is missing", example);
            return null;
        }
        if (!(node instanceof MappingNode mapping)) {
            problem(node, "source", "must be a mapping with type: and its settings", example);
            return null;
        }
        Node typeNode = field(mapping, "type");
        String type = typeNode == null ? null : scalar(typeNode, "source.type", "write one of " + String.join(", ", SOURCE_TYPES));
        if (typeNode == null) {
            problem(mapping, "source.type", "is missing", "write one of " + String.join(", ", SOURCE_TYPES));
        }
        if (type == null) {
            return null;
        }
        if (!SOURCE_KEYS.containsKey(type)) {
            problem(field(mapping, "type"), "source.type", "'" + type + "' is not a source type",
                    "write sql (Mailroute's database), jdbc (a datasource), http (a GET answering JSON or CSV), file "
                            + "(a file dropped in a directory) or digest (Mailroute's activity and engagement summary)");
            return null;
        }
        Map<String, Node> fields = fields(mapping, SOURCE_KEYS.get(type), "source.", "of a " + type + " source");
        return switch (type) {
            case "sql" -> {
                ReportQuery query = query(fields, mapping);
                yield query == null ? null : new ReportDefinition.SqlSource(query);
            }
            case "jdbc" -> {
                String name = required(fields, mapping, "datasource", "source.datasource", "name a datasource of datasources:");
                if (name != null && !datasources.containsKey(name) && !declaredDatasources.contains(name)) {
                    problem(fields.get("datasource"), "source.datasource", "'" + name + "' is not a datasource of this file",
                            datasources.isEmpty() ? "define it under datasources: {" + name + ": {url: jdbc:..., user: ..., "
                                    + "password: env:VAR}}" : "name one of " + new TreeSet<>(datasources.keySet())
                                    + ", or define it under datasources:");
                    name = null;
                }
                ReportQuery query = query(fields, mapping);
                yield name == null || query == null || !datasources.containsKey(name) ? null
                        : new ReportDefinition.JdbcSource(name, query);
            }
            case "http" -> {
                URI url = httpUrl(fields, mapping);
                TableFormat format = choice(fields, mapping, "format", TableFormat.class, null, "source.format");
                yield url == null || format == null ? null : new ReportDefinition.HttpSource(url, format);
            }
            case "digest" -> digestSource(fields, mapping);
            default -> {
                String directory = required(fields, mapping, "directory", "source.directory",
                        "write the directory the other system drops its files in, e.g. directory: /srv/exports/ledger");
                String pattern = required(fields, mapping, "pattern", "source.pattern", "write a file name glob, e.g. pattern: \"ledger-*.csv\"");
                if (pattern != null && (pattern.contains("/") || pattern.contains("\\") || !isGlob(pattern))) {
                    problem(fields.get("pattern"), "source.pattern", "'" + pattern + "' is not a file name glob",
                            "write a glob of file names in the directory, e.g. \"ledger-*.csv\" (no '/')");
                    pattern = null;
                }
                yield directory == null || pattern == null ? null : new ReportDefinition.FileSource(Path.of(directory), pattern);
            }
        };
    }

    private ReportQuery query(Map<String, Node> fields, MappingNode source) {
        String text = required(fields, source, "query", "source.query", "write one SELECT, e.g. query: \"SELECT queue, COUNT(*) AS items FROM workflow_item GROUP BY queue\"");
        if (text == null) {
            return null;
        }
        try {
            return ReportQuery.of(text);
        } catch (IllegalArgumentException e) {
            problem(fields.get("query"), "source.query", e.getMessage(), "write one SELECT (or WITH ... SELECT) that only reads, "
                    + "its values bound as :periodStart, :periodEnd (and the recipientParameter)");
            return null;
        }
    }

    private URI httpUrl(Map<String, Node> fields, MappingNode source) {
        String text = required(fields, source, "url", "source.url", "write e.g. url: https://erp.acme.example/export/open-invoices");
        if (text == null) {
            return null;
        }
        try {
            URI url = new URI(text);
            if (("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null
                    && url.getUserInfo() == null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // said below
        }
        problem(fields.get("url"), "source.url", "'" + text + "' is not an http(s) URL without credentials",
                "write an absolute http:// or https:// URL, e.g. https://erp.acme.example/export/open-invoices");
        return null;
    }

    private static boolean isGlob(String pattern) {
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Recipients recipients(Node node, MappingNode report) {
        String example = "write e.g. recipients: [ops-email, cfo@acme.example, $owners]";
        if (node == null) {
            problem(report, "recipients", "is missing", example);
            return null;
        }
        List<Node> items = node instanceof SequenceNode s ? s.getValue() : List.of(node);
        if (items.isEmpty()) {
            problem(node, "recipients", "is empty, so the report reaches nobody", example);
            return null;
        }
        List<String> audiences = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        boolean owners = false;
        int before = problems.size();
        for (Node item : items) {
            String name = scalar(item, "recipients");
            if (name == null) {
                continue;
            }
            if (ReportDefinition.OWNERS.equals(name)) {
                owners = true;
            } else if (name.contains("@")) {
                if (ADDRESS.matcher(name).matches()) {
                    addresses.add(name);
                } else {
                    problem(item, "recipients", "'" + name + "' is not an email address", example);
                }
            } else if (ID.matcher(name).matches()) {
                audiences.add(name);
            } else {
                problem(item, "recipients", "'" + name + "' is neither an audience of channels.yaml, an address nor $owners",
                        name.startsWith("$") ? "a report names $owners (its mailbox's owners) and no other placeholder" : example);
            }
        }
        return problems.size() > before ? null : new Recipients(audiences, addresses, owners);
    }

    private String recipientParameter(Map<String, Node> fields, boolean perRecipient, Source source) {
        Node node = fields.get("recipientParameter");
        ReportQuery query = source instanceof ReportDefinition.SqlSource sql ? sql.query()
                : source instanceof ReportDefinition.JdbcSource jdbc ? jdbc.query() : null;
        String name = node == null ? null : scalar(node, "recipientParameter");
        if (!perRecipient) {
            if (node != null) {
                problem(node, "recipientParameter", "is only for perRecipient: true", "drop it, or write perRecipient: true");
            }
            if (query != null) {
                unknownParameters(query, null);
            }
            return null;
        }
        if (source != null && query == null) {
            problem(fields.get("perRecipient"), "perRecipient", "needs an sql or jdbc source (this one is " + source.type() + ")",
                    "each recipient's rows come from a query that binds their address; drop perRecipient, or query a database");
            return null;
        }
        if (node == null) {
            problem(fields.get("perRecipient"), "perRecipient", "is true, but recipientParameter is missing",
                    "write recipientParameter: NAME and bind :NAME in the query (the recipient's address), e.g. "
                            + "recipientParameter: customer with WHERE customer_email = :customer");
            return null;
        }
        if (name == null) {
            return null;
        }
        if (!PARAMETER.matcher(name).matches() || name.equals(ReportDefinition.PERIOD_START) || name.equals(ReportDefinition.PERIOD_END)) {
            problem(node, "recipientParameter", "'" + name + "' is not a parameter name of its own",
                    "write a name of letters, digits and '_' other than periodStart and periodEnd, e.g. customer");
            return null;
        }
        if (query != null && !query.parameters().contains(name)) {
            problem(node, "recipientParameter", "'" + name + "' is not bound in the query (:" + name + "), so every recipient "
                    + "would get every row", "bind it in source.query, e.g. WHERE customer_email = :" + name);
            return null; // the query's other parameters are named once this one is right
        }
        if (query != null) {
            unknownParameters(query, name);
        }
        return name;
    }

    /** A query may bind the period and the recipient's parameter: anything else has no value at run time. */
    private void unknownParameters(ReportQuery query, String recipientParameter) {
        Set<String> known = recipientParameter == null ? Set.of(ReportDefinition.PERIOD_START, ReportDefinition.PERIOD_END)
                : Set.of(ReportDefinition.PERIOD_START, ReportDefinition.PERIOD_END, recipientParameter);
        for (String parameter : query.parameters()) {
            if (!known.contains(parameter)) {
                problemAt("source.query", "binds :" + parameter + ", which no run supplies",
                        "bind only :periodStart and :periodEnd (the period the run covers)" + (recipientParameter == null
                                ? ", or make it perRecipient: true with recipientParameter: " + parameter
                                : " and :" + recipientParameter));
            }
        }
    }

    private Template template(Map<String, Node> fields, MappingNode report, String key) {
        String text = required(fields, report, key, key, "write the template text, or the name of a .mustache file in "
                + templatesDir.getFileName() + "/, e.g. " + key + ": report-" + key + ".mustache");
        if (text == null) {
            return null;
        }
        Node node = fields.get(key);
        if (text.endsWith(".mustache") && !text.contains(" ")) {
            if (!TEMPLATE_FILE.matcher(text).matches()) {
                problem(node, key, "'" + text + "' is not a file name of the templates directory",
                        "write a plain file name (no '/'), e.g. weekly-queue-status.txt.mustache");
                return null;
            }
            Path path = templatesDir.resolve(text);
            if (!Files.isRegularFile(path)) {
                problem(node, key, "template " + path + " does not exist", "create it, or write the template text here");
                return null;
            }
            try {
                new DefaultMustacheFactory(templatesDir.toFile()).compile(text);
            } catch (MustacheException e) {
                problem(node, key, "template " + path + " is not valid Mustache: " + e.getMessage(), "fix its tags");
                return null;
            }
            return new Template(text, null);
        }
        try {
            new DefaultMustacheFactory().compile(new StringReader(text), report + "." + key);
        } catch (MustacheException e) {
            problem(node, key, "is not a valid Mustache template: " + e.getMessage(), "close every {{#section}} with {{/section}} "
                    + "and every {{ with }}");
            return null;
        }
        return new Template(null, text);
    }

    // ---- values -------------------------------------------------------------------------------------------

    private <E extends Enum<E>> E choice(Map<String, Node> fields, MappingNode mapping, String key, Class<E> type, E byDefault) {
        return choice(fields, mapping, key, type, byDefault, key);
    }

    private <E extends Enum<E>> E choice(Map<String, Node> fields, MappingNode mapping, String key, Class<E> type, E byDefault,
            String at) {
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        if (!fields.containsKey(key) && byDefault != null) {
            return byDefault;
        }
        String value = required(fields, mapping, key, at, "write one of " + String.join(", ", names));
        if (value == null) {
            return null;
        }
        if (!names.contains(value)) {
            problem(fields.get(key), at, "'" + value + "' is not one of " + String.join(", ", names),
                    "write one of " + String.join(", ", names));
            return null;
        }
        return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    }

    private Duration duration(Node node, String at) {
        String text = scalar(node, at);
        if (text == null) {
            return null;
        }
        try {
            Duration duration = Durations.parse(text);
            if (!duration.isNegative() && !duration.isZero()) {
                return duration;
            }
            problem(node, at, "'" + text + "' is not longer than zero", DURATION_FIX);
        } catch (IllegalArgumentException e) {
            problem(node, at, "'" + text + "' is not a duration", DURATION_FIX);
        }
        return null;
    }

    private Boolean bool(Node node, String at) {
        if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
            return Set.of("true", "yes", "on").contains(s.getValue().toLowerCase(Locale.ROOT));
        }
        problem(node, at, "must be true or false", "write " + at + ": true");
        return null;
    }

    /** A present, non-blank value of {@code key}; a problem (and null) when it is missing or not one value. */
    private String required(Map<String, Node> fields, Node parent, String key, String at, String fix) {
        Node node = fields.get(key);
        if (node == null) {
            problem(parent, at, "is missing", fix);
            return null;
        }
        return scalar(node, at, fix);
    }

    private String scalar(Node node, String at) {
        return scalar(node, at, null);
    }

    private String scalar(Node node, String at, String fix) {
        if (lines != null) {
            lines.putIfAbsent(at, line(node));
        }
        if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag()) && !s.getValue().isBlank()) {
            return s.getValue().strip();
        }
        problem(node, at, node instanceof ScalarNode ? "is empty" : "must be a single value, not a list or mapping",
                fix == null ? "write one value" : fix);
        return null;
    }

    private Map<String, Node> fields(MappingNode mapping, List<String> known, String prefix) {
        return fields(mapping, known, prefix, "here");
    }

    /** The mapping's entries by key, refusing keys not in {@code known} and keys given twice; records their lines. */
    private Map<String, Node> fields(MappingNode mapping, List<String> known, String prefix, String here) {
        Map<String, Node> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String key = keyNode instanceof ScalarNode s ? s.getValue() : null;
            if (key == null || !known.contains(key)) {
                String hint = known.stream().filter(k -> k.equalsIgnoreCase(String.valueOf(key))).findFirst()
                        .map(k -> "did you mean '" + k + "'? Keys are case-sensitive; the settings " + here + " are ")
                        .orElse("the settings " + here + " are ");
                problem(keyNode, prefix + (key == null ? "" : key), "is not a known setting" + (here.equals("here") ? "" : " " + here),
                        hint + String.join(", ", known));
            } else if (fields.putIfAbsent(key, tuple.getValueNode()) != null) {
                problem(keyNode, prefix + key, "is given twice", "merge the two into one");
            } else if (lines != null) {
                lines.put(prefix + key, line(keyNode));
            }
        }
        return fields;
    }

    private static Node field(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                return tuple.getValueNode();
            }
        }
        return null;
    }

    private static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private void problem(Node node, String key, String problem, String fix) {
        problems.add(new ConfigProblem(file, where(line(node), report, key), problem, fix));
    }

    /** A problem about a key of the report being read, at the line the key is on. */
    private void problemAt(String key, String problem, String fix) {
        problems.add(new ConfigProblem(file, where(lines.getOrDefault(key, lines.getOrDefault("", 0)), report, key), problem, fix));
    }
}
