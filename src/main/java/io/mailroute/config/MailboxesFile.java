package io.mailroute.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code mailboxes.yaml}. Every problem is collected with its key path
 * ({@code mailboxes[1].pollInterval}) so that {@code check} can list them all at once.
 */
public final class MailboxesFile {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ENV_PREFIX = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Set<String> MAILBOX_KEYS = Set.of("id", "address", "credentials", "gmail", "tokenUrl",
            "authUrl", "revokeUrl", "role", "owners", "bootstrapQuery", "bootstrapMaxMessages", "pollInterval", "quotaUnitsPerSecond", "excludeLabels",
            "processedLabel", "push", "pushPollInterval");
    private static final Set<String> DEFAULT_KEYS = Set.of("bootstrapQuery", "bootstrapMaxMessages", "pollInterval",
            "quotaUnitsPerSecond", "excludeLabels", "owners", "push", "pushPollInterval");
    private static final Set<String> PUBSUB_KEYS = Set.of("topic", "subscription", "credentials", "url", "labelIds",
            "renewInterval", "renewMargin", "syncTimeout", "endpoint");
    private static final Set<String> ENDPOINT_KEYS = Set.of("audience", "serviceAccount", "issuers", "jwksUrl", "maxWaiting");
    private static final Pattern TOPIC = Pattern.compile("projects/[^/\\s]+/topics/[^/\\s]+");
    private static final Pattern SUBSCRIPTION = Pattern.compile("projects/[^/\\s]+/subscriptions/[^/\\s]+");

    private final String fileName;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private PubSubSettings pubSub;

    private MailboxesFile(String fileName) {
        this.fileName = fileName;
    }

    /** Loads the file; throws {@link ConfigException} listing every problem found. */
    public static List<MailboxSettings> load(Path file) {
        MailboxesFile reader = new MailboxesFile(file.toString());
        List<MailboxSettings> mailboxes = reader.read(file);
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(reader.problems);
        }
        return mailboxes;
    }

    /**
     * The {@code pubsub:} section (Gmail push), or null when the file has none; throws {@link ConfigException}
     * listing every problem of the file.
     */
    public static PubSubSettings loadPubSub(Path file) {
        MailboxesFile reader = new MailboxesFile(file.toString());
        reader.read(file);
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(reader.problems);
        }
        return reader.pubSub;
    }

    /** Validates without throwing: every problem found, empty when the file is fine. */
    public static List<ConfigProblem> check(Path file) {
        MailboxesFile reader = new MailboxesFile(file.toString());
        reader.read(file);
        return List.copyOf(reader.problems);
    }

    private List<MailboxSettings> read(Path file) {
        if (!Files.isRegularFile(file)) {
            problem("", "file not found", "create it (see config/mailboxes.yaml in the repository) or pass --config DIR");
            return List.of();
        }
        JsonNode root;
        try {
            root = ConfigYaml.read(file);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return List.of();
        }
        if (root == null || !root.isObject()) {
            problem("", "must be a mapping with a 'mailboxes' list", "see the commented example in the repository");
            return List.of();
        }
        unknownKeys(root, Set.of("defaults", "mailboxes", "pubsub"), "");
        JsonNode defaults = root.path("defaults");
        if (!defaults.isMissingNode()) {
            unknownKeys(defaults, DEFAULT_KEYS, "defaults.");
        }
        JsonNode list = root.path("mailboxes");
        if (!list.isArray() || list.isEmpty()) {
            problem("mailboxes", "must list at least one mailbox", "add an entry with id, address and credentials");
            return List.of();
        }
        List<MailboxSettings> result = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "mailboxes[" + i + "].";
            JsonNode node = list.get(i);
            String id = node.path("id").asText("");
            String address = node.path("address").asText("").trim().toLowerCase(Locale.ROOT);
            if (!id.isEmpty() && !ids.add(id)) {
                problem(at + "id", "'" + id + "' is used by an earlier mailbox", "give every mailbox its own id");
            }
            if (!address.isEmpty() && !addresses.add(address)) {
                problem(at + "address", "'" + address + "' is declared twice", "declare each Gmail address once");
            }
            MailboxSettings mailbox = mailbox(node, defaults, at);
            if (mailbox != null) {
                result.add(mailbox);
            }
        }
        JsonNode pubSubNode = root.path("pubsub");
        if (!pubSubNode.isMissingNode() && !pubSubNode.isNull()) {
            pubSub = pubSub(pubSubNode);
        }
        for (int i = 0; i < list.size(); i++) {
            if (pubSubNode.isMissingNode() && "pubsub".equals(setting(list.get(i), defaults, "push").asText(""))) {
                problem("mailboxes[" + i + "].push", "is pubsub, but the file has no top-level pubsub: section",
                        "add pubsub: with topic, subscription and credentials (see README, \"Gmail push\"), or write push: none");
            }
        }
        return result;
    }

    /** The top-level {@code pubsub:} section: where Gmail push notifications are published and pulled from. */
    private PubSubSettings pubSub(JsonNode node) {
        if (!node.isObject()) {
            problem("pubsub", "must be a mapping", "write topic:, subscription:, credentials: ...");
            return null;
        }
        int before = problems.size();
        unknownKeys(node, PUBSUB_KEYS, "pubsub.");
        String topic = pubSubName(node, "topic", TOPIC, "projects/PROJECT/topics/TOPIC");
        PubSubSettings.Endpoint endpoint = null;
        JsonNode endpointNode = node.path("endpoint");
        if (!endpointNode.isMissingNode() && !endpointNode.isNull()) {
            endpoint = endpoint(endpointNode);
        }
        // With a push endpoint, pulling is optional: either both subscription and credentials, or neither.
        boolean pulls = endpointNode.isMissingNode() || endpointNode.isNull() || node.hasNonNull("subscription")
                || node.hasNonNull("credentials");
        String subscription = null;
        String credentials = null;
        String url = null;
        if (pulls) {
            String pullOrPush = endpointNode.isMissingNode() ? "" : " (or leave out subscription: and credentials: both, "
                    + "to be pushed to only)";
            subscription = pubSubName(node, "subscription", SUBSCRIPTION, "projects/PROJECT/subscriptions/SUBSCRIPTION"
                    + pullOrPush);
            credentials = node.path("credentials").asText("").trim();
            if (credentials.isEmpty()) {
                problem("pubsub.credentials", "is missing", "write sandbox, or env:VAR naming an environment variable that "
                        + "holds a service-account JSON key" + pullOrPush);
            } else if (!credentials.equals(MailboxSettings.SANDBOX) && !(credentials.startsWith(PubSubSettings.ENV_PREFIX)
                    && ENV_PREFIX.matcher(credentials.substring(PubSubSettings.ENV_PREFIX.length())).matches())) {
                problem("pubsub.credentials", "'" + credentials + "' is not a credentials reference", "write sandbox, or "
                        + "env:VAR naming an environment variable that holds a service-account JSON key");
            }
            url = node.path("url").asText(MailboxSettings.SANDBOX.equals(credentials) ? MailboxSettings.SANDBOX : "google").trim();
            url = switch (url) {
                case "google" -> PubSubSettings.GOOGLE_URL;
                case MailboxSettings.SANDBOX -> MailboxSettings.SANDBOX;
                default -> url(url, "pubsub.url");
            };
        } else if (node.hasNonNull("url")) {
            problem("pubsub.url", "is only used to pull, but there is no subscription: (only the push endpoint)",
                    "remove url:, or add subscription: and credentials: to pull as well");
        }
        List<String> labelIds = List.of("INBOX");
        JsonNode labels = node.path("labelIds");
        if (labels.isArray()) {
            List<String> given = new ArrayList<>();
            labels.forEach(l -> given.add(l.asText().trim()));
            labelIds = List.copyOf(given);
        } else if (!labels.isMissingNode() && !labels.isNull()) {
            problem("pubsub.labelIds", "must be a list of Gmail label ids", "write e.g. [INBOX]");
        }
        JsonNode none = node.path("");
        Duration renewInterval = duration(node, none, "renewInterval", Duration.ofDays(1), "pubsub.");
        Duration renewMargin = duration(node, none, "renewMargin", Duration.ofDays(2), "pubsub.");
        Duration syncTimeout = duration(node, none, "syncTimeout", Duration.ofMinutes(2), "pubsub.");
        if (syncTimeout.compareTo(PubSubSettings.MAX_SYNC_TIMEOUT) > 0) {
            problem("pubsub.syncTimeout", syncTimeout.toSeconds() + " s is longer than a pulled notification can be held: "
                    + "its ack deadline is syncTimeout + " + PubSubSettings.ACK_MARGIN.toSeconds() + " s and Pub/Sub allows "
                    + PubSubSettings.MAX_ACK_DEADLINE.toSeconds() + " s at most, so Pub/Sub would deliver it again while "
                    + "its sync still runs", "write " + PubSubSettings.MAX_SYNC_TIMEOUT.toSeconds() + "s or less (default 2m)");
        }
        if (problems.size() > before) {
            return null;
        }
        return new PubSubSettings(topic, subscription, credentials, url, labelIds, renewInterval, renewMargin, syncTimeout,
                endpoint);
    }

    /** {@code pubsub.endpoint:}: how the OIDC token of a push to {@code /gmail/push} is checked. */
    private PubSubSettings.Endpoint endpoint(JsonNode node) {
        String at = "pubsub.endpoint.";
        if (!node.isObject()) {
            problem("pubsub.endpoint", "must be a mapping", "write audience: and serviceAccount: (see config/mailboxes.yaml)");
            return null;
        }
        int before = problems.size();
        unknownKeys(node, ENDPOINT_KEYS, at);
        String audience = node.path("audience").asText("").trim();
        if (audience.isEmpty()) {
            problem(at + "audience", "is missing", "write the push subscription's OIDC audience (by default its push "
                    + "endpoint URL, e.g. https://mailroute.example.com/gmail/push)");
        }
        // Required: any Google account can mint an ID token for any audience; only the sender's email tells them apart.
        String serviceAccount = node.path("serviceAccount").asText("").trim().toLowerCase(Locale.ROOT);
        if (serviceAccount.isEmpty()) {
            problem(at + "serviceAccount", "is missing", "write the service account the push subscription authenticates as "
                    + "(its oidcToken.serviceAccountEmail): without it anyone with a Google account could push");
        } else if (!ADDRESS.matcher(serviceAccount).matches()) {
            problem(at + "serviceAccount", "'" + serviceAccount + "' is not an email address",
                    "write e.g. gmail-push@PROJECT.iam.gserviceaccount.com");
        }
        Set<String> issuers = new LinkedHashSet<>();
        JsonNode issuerNode = node.path("issuers");
        if (issuerNode.isMissingNode() || issuerNode.isNull()) {
            issuers.addAll(List.of("https://accounts.google.com", "accounts.google.com"));
        } else if (issuerNode.isTextual() || issuerNode.isArray()) {
            List<JsonNode> given = new ArrayList<>();
            if (issuerNode.isArray()) {
                issuerNode.forEach(given::add);
            } else {
                given.add(issuerNode);
            }
            given.stream().map(i -> i.asText("").trim()).filter(i -> !i.isEmpty()).forEach(issuers::add);
            if (issuers.isEmpty()) {
                problem(at + "issuers", "names no issuer", "leave it out for Google's, or write e.g. [https://accounts.google.com]");
            }
        } else {
            problem(at + "issuers", "must be a list of issuer names", "write e.g. [https://accounts.google.com]");
        }
        String jwksUrl = node.path("jwksUrl").asText(PubSubSettings.Endpoint.GOOGLE_JWKS_URL).trim();
        if (!jwksUrl.startsWith("https://") && !jwksUrl.startsWith("http://")) {
            problem(at + "jwksUrl", "'" + jwksUrl + "' is not an http(s) URL", "leave it out for Google's keys ("
                    + PubSubSettings.Endpoint.GOOGLE_JWKS_URL + ")");
        }
        int maxWaiting = positiveInt(node, node.path(""), "maxWaiting", PubSubSettings.Endpoint.DEFAULT_MAX_WAITING, at);
        if (problems.size() > before) {
            return null;
        }
        return new PubSubSettings.Endpoint(audience, serviceAccount, Set.copyOf(issuers), jwksUrl, maxWaiting);
    }

    private String pubSubName(JsonNode node, String key, Pattern form, String example) {
        String value = node.path(key).asText("").trim();
        if (value.isEmpty()) {
            problem("pubsub." + key, "is missing", "write its full name, " + example);
        } else if (!form.matcher(value).matches()) {
            problem("pubsub." + key, "'" + value + "' is not a full Pub/Sub name", "write " + example);
        }
        return value;
    }

    private MailboxSettings mailbox(JsonNode node, JsonNode defaults, String at) {
        if (!node.isObject()) {
            problem(at.substring(0, at.length() - 1), "must be a mapping", "write id:, address:, credentials: ...");
            return null;
        }
        int before = problems.size();
        unknownKeys(node, MAILBOX_KEYS, at);
        String id = text(node, "id", at);
        if (id != null && !ID.matcher(id).matches()) {
            problem(at + "id", "'" + id + "' is not a valid id", "use lower-case letters, digits and '-', e.g. support");
        }
        String address = text(node, "address", at);
        if (address != null) {
            address = address.trim().toLowerCase(Locale.ROOT);
            if (!ADDRESS.matcher(address).matches()) {
                problem(at + "address", "'" + address + "' is not an email address", "write the mailbox's Gmail address");
            }
        }
        MailboxSettings.CredentialsRef credentials = credentials(node, at);
        String gmail = node.path("gmail").asText("google").trim();
        String rootUrl = switch (gmail) {
            case "google" -> MailboxSettings.GOOGLE_ROOT_URL;
            case MailboxSettings.SANDBOX -> MailboxSettings.SANDBOX;
            default -> url(gmail, at + "gmail");
        };
        String tokenUrl = oauthUrl(node, "tokenUrl", rootUrl, MailboxSettings.GOOGLE_TOKEN_URL, MailboxSettings.TOKEN_PATH, at);
        String authUrl = oauthUrl(node, "authUrl", rootUrl, MailboxSettings.GOOGLE_AUTH_URL, MailboxSettings.AUTH_PATH, at);
        String revokeUrl = oauthUrl(node, "revokeUrl", rootUrl, MailboxSettings.GOOGLE_REVOKE_URL,
                MailboxSettings.REVOKE_PATH, at);
        String roleName = node.path("role").asText(MailboxSettings.Role.MONITOR.configName()).trim();
        MailboxSettings.Role role = MailboxSettings.Role.parse(roleName);
        if (role == null) {
            problem(at + "role", "'" + roleName + "' is not a mailbox role",
                    "write monitor (read, label and send: scope gmail.modify) or send-only (scope gmail.send)");
        }
        List<String> owners = owners(node, defaults, at);
        String query = setting(node, defaults, "bootstrapQuery").asText("in:inbox");
        int bootstrapMax = positiveInt(node, defaults, "bootstrapMaxMessages", 500, at);
        Duration poll = duration(node, defaults, "pollInterval", Duration.ofSeconds(5), at);
        int quota = positiveInt(node, defaults, "quotaUnitsPerSecond", 50, at);
        Set<String> excluded = labels(node, defaults, at);
        String pushName = setting(node, defaults, "push").asText(MailboxSettings.Push.NONE.configName()).trim();
        MailboxSettings.Push push = MailboxSettings.Push.parse(pushName);
        if (push == null) {
            problem(at + "push", "'" + pushName + "' is not a push mode",
                    "write pubsub (Gmail push notifications through the pubsub: section) or none (polling only)");
        }
        Duration pushPoll = duration(node, defaults, "pushPollInterval", MailboxSettings.DEFAULT_PUSH_POLL_INTERVAL, at);
        String processedLabel = node.hasNonNull("processedLabel") ? node.get("processedLabel").asText().trim() : null;
        if (processedLabel != null && processedLabel.isEmpty()) {
            processedLabel = null;
        }
        if (problems.size() > before || id == null || address == null || credentials == null) {
            return null;
        }
        return new MailboxSettings(id, address, credentials, rootUrl, tokenUrl, authUrl, revokeUrl, role, owners, query,
                bootstrapMax, poll, quota, excluded, processedLabel, push, pushPoll);
    }

    /** An OAuth endpoint: as written, else Google's, the sandbox's, or under a custom Gmail root. */
    private String oauthUrl(JsonNode node, String key, String rootUrl, String google, String path, String at) {
        if (node.hasNonNull(key)) {
            String value = url(node.get(key).asText().trim(), at + key);
            return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        }
        return rootUrl.equals(MailboxSettings.GOOGLE_ROOT_URL) ? google
                : rootUrl.equals(MailboxSettings.SANDBOX) ? MailboxSettings.SANDBOX
                : rootUrl + path;
    }

    private List<String> owners(JsonNode node, JsonNode defaults, String at) {
        JsonNode value = setting(node, defaults, "owners");
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            problem(at + "owners", "must be a list of recipient ids", "write e.g. owners: [team] (recipients: in channels.yaml)");
            return List.of();
        }
        List<String> owners = new ArrayList<>();
        value.forEach(owner -> owners.add(owner.asText().trim()));
        return List.copyOf(owners);
    }

    private MailboxSettings.CredentialsRef credentials(JsonNode node, String at) {
        String value = text(node, "credentials", at);
        if (value == null) {
            return null;
        }
        value = value.trim();
        if (value.equals(MailboxSettings.SANDBOX)) {
            return MailboxSettings.CredentialsRef.sandbox();
        }
        if (value.startsWith("env:") && ENV_PREFIX.matcher(value.substring(4)).matches()) {
            return MailboxSettings.CredentialsRef.env(value.substring(4));
        }
        problem(at + "credentials", "'" + value + "' is not a credentials reference",
                "write 'sandbox' for the built-in sandbox or 'env:PREFIX' to read PREFIX_CLIENT_ID, "
                        + "PREFIX_CLIENT_SECRET and PREFIX_REFRESH_TOKEN from the environment");
        return null;
    }

    private String url(String value, String key) {
        if (!value.startsWith("http://") && !value.startsWith("https://")) {
            problem(key, "'" + value + "' is not an http(s) URL", "write google, sandbox or a URL such as http://127.0.0.1:8025/");
            return value;
        }
        return value.endsWith("/") ? value : value + "/";
    }

    private Set<String> labels(JsonNode node, JsonNode defaults, String at) {
        JsonNode value = setting(node, defaults, "excludeLabels");
        if (value.isMissingNode() || value.isNull()) {
            return new LinkedHashSet<>(MailboxSettings.DEFAULT_EXCLUDED_LABELS);
        }
        if (!value.isArray()) {
            problem(at + "excludeLabels", "must be a list of Gmail label ids", "write e.g. [DRAFT, SENT, SPAM, TRASH]");
            return Set.of();
        }
        Set<String> labels = new LinkedHashSet<>();
        value.forEach(label -> labels.add(label.asText().trim()));
        return labels;
    }

    private int positiveInt(JsonNode node, JsonNode defaults, String key, int fallback, String at) {
        JsonNode value = setting(node, defaults, key);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        boolean whole = value.isInt() || value.isTextual() && value.asText().trim().matches("\\d{1,9}");
        if (!whole || value.asInt() <= 0) {
            problem(at + key, "'" + value.asText() + "' is not a positive whole number", "write e.g. " + fallback);
            return fallback;
        }
        return value.asInt();
    }

    private Duration duration(JsonNode node, JsonNode defaults, String key, Duration fallback, String at) {
        JsonNode value = setting(node, defaults, key);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        try {
            Duration parsed = Durations.parse(value.asText());
            if (parsed.isNegative() || parsed.isZero()) {
                problem(at + key, "must be longer than zero", "write e.g. 5s");
                return fallback;
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            problem(at + key, e.getMessage(), null);
            return fallback;
        }
    }

    private static JsonNode setting(JsonNode node, JsonNode defaults, String key) {
        return node.has(key) ? node.get(key) : defaults.path(key);
    }

    private String text(JsonNode node, String key, String at) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull() || value.asText().isBlank()) {
            problem(at + key, "is missing", "every mailbox needs id, address and credentials");
            return null;
        }
        return value.asText();
    }

    private void unknownKeys(JsonNode node, Set<String> known, String at) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                problem(at + key, "is not a known setting", "known settings are " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private void problem(String key, String problem, String fix) {
        problems.add(new ConfigProblem(fileName, key, problem, fix));
    }
}
