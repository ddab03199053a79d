package io.mailroute.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.gmail.Gmail;
import io.mailroute.audit.AuditLog;
import io.mailroute.config.MailboxSettings;
import io.mailroute.config.MailboxesFile;
import io.mailroute.connection.ConnectFlow;
import io.mailroute.connection.Connections;
import io.mailroute.connection.CredentialsResolver;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.OAuthCredentials;
import io.mailroute.connection.TokenStore;
import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.json.Json;
import io.mailroute.ops.MailboxReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.CamelContext;

/**
 * {@code connect}, {@code disconnect} and {@code status}. When the service is running they go
 * through its API (so a new grant takes effect at once, and H2's one-process file is not fought
 * over); when it is not, they act on the database directly and the service picks it up at start.
 */
public final class ConnectionCommands {

    private static final ObjectMapper JSON = Json.newMapper();
    private static final NetHttpTransport TRANSPORT = new NetHttpTransport();

    private final Path configDir;
    private final PrintStream out;
    private final PrintStream err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    ConnectionCommands(Path configDir, PrintStream out, PrintStream err) {
        this.configDir = configDir;
        this.out = out;
        this.err = err;
    }

    public static int run(String command, List<String> args, Path configDir, InputStream in, PrintStream out, PrintStream err)
            throws Exception {
        ConnectionCommands commands = new ConnectionCommands(configDir, out, err);
        try {
            return switch (command) {
                case "connect" -> commands.connect(args, in);
                case "disconnect" -> commands.disconnect(args);
                default -> commands.status(args);
            };
        } catch (ServiceClient.RefusedException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    /** connect MAILBOX [--timeout 5m] */
    int connect(List<String> args, InputStream in) throws Exception {
        if (args.isEmpty()) {
            err.println("Usage: connect MAILBOX [--timeout 5m]");
            return 2;
        }
        Duration timeout = args.size() >= 3 && args.get(1).equals("--timeout")
                ? io.mailroute.config.Durations.parse(args.get(2)) : Duration.ofMinutes(5);
        try (CamelContext properties = Configs.propertiesOnly(configDir)) {
            Settings settings = Settings.of(properties, configDir);
            MailboxSettings mailbox = mailbox(settings, args.get(0));
            if (mailbox == null) {
                return 1;
            }
            String sandboxRoot = sandboxRoot(settings);
            OAuthCredentials client = new CredentialsResolver(System::getenv, sandboxClient(sandboxRoot),
                    settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true).toString()).client(mailbox);
            io.mailroute.connection.OAuthEndpoints endpoints = new io.mailroute.connection.OAuthEndpoints(
                    ConnectionWiring.url(mailbox.authUrl(), sandboxRoot, MailboxSettings.AUTH_PATH, mailbox),
                    ConnectionWiring.url(mailbox.tokenUrl(), sandboxRoot, MailboxSettings.TOKEN_PATH, mailbox),
                    ConnectionWiring.url(mailbox.revokeUrl(), sandboxRoot, MailboxSettings.REVOKE_PATH, mailbox));
            out.println("Connecting mailbox " + mailbox.id() + " (" + mailbox.address() + ", " + mailbox.role().configName()
                    + ": scope " + mailbox.role().scope() + ")");
            ConnectFlow.Grant grant;
            try {
                grant = new ConnectFlow(endpoints, client, mailbox.role().scope(), mailbox.address(), TRANSPORT, timeout)
                        .run(out, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
            } catch (ConnectFlow.ConnectException e) {
                err.println("Not connected: " + e.getMessage());
                return 1;
            }
            ObjectNode body = JSON.createObjectNode().put("refreshToken", grant.refreshToken()).put("scopes", grant.scopes());
            Optional<HttpResponse<String>> answer = service(settings).call("PUT", "/mailboxes/" + encode(mailbox.id())
                    + "/connection", JSON.writeValueAsString(body));
            if (answer.isPresent()) {
                return report(answer.get(), "Connected " + mailbox.id() + "; the running service uses the new grant now");
            }
            if (!mailbox.isMonitored()) {
                out.println("(a send-only grant cannot read the account's address; Gmail will send as the account that signed in)");
            }
            try (Local local = new Local(settings, sandboxClient(sandboxRoot))) {
                local.wiring.lifecycle.connect(mailbox.id(), grant.refreshToken(), grant.scopes());
            } catch (Connections.ConnectionException e) {
                err.println("Not connected: " + e.getMessage());
                return 1;
            }
            out.println("Connected " + mailbox.id() + "; the grant is stored (encrypted) and used when the service starts");
            return 0;
        }
    }

    /** disconnect MAILBOX */
    int disconnect(List<String> args) throws Exception {
        if (args.size() != 1) {
            err.println("Usage: disconnect MAILBOX");
            return 2;
        }
        try (CamelContext properties = Configs.propertiesOnly(configDir)) {
            Settings settings = Settings.of(properties, configDir);
            MailboxSettings mailbox = mailbox(settings, args.get(0));
            if (mailbox == null) {
                return 1;
            }
            Optional<HttpResponse<String>> answer = service(settings).call("DELETE", "/mailboxes/" + encode(mailbox.id())
                    + "/connection", null);
            if (answer.isPresent()) {
                return report(answer.get(), "Disconnected " + mailbox.id() + " (REVOKED); its mail goes from the fallback sender");
            }
            try (Local local = new Local(settings, sandboxClient(sandboxRoot(settings)))) {
                io.mailroute.connection.OAuthEndpoints.Revocation revocation = local.wiring.lifecycle.disconnect(mailbox.id());
                out.println("Disconnected " + mailbox.id() + " (REVOKED): grant " + revocation.name().toLowerCase().replace('_', ' '));
            }
            return 0;
        }
    }

    /** status: every mailbox's state, last successful poll, token age, cursor age and the node that polls it. */
    int status(List<String> args) throws Exception {
        try (CamelContext properties = Configs.propertiesOnly(configDir)) {
            Settings settings = Settings.of(properties, configDir);
            Optional<HttpResponse<String>> answer = service(settings).call("GET", "/mailboxes", null);
            JsonNode report;
            String from;
            boolean running = answer.isPresent();
            if (running) {
                if (answer.get().statusCode() != 200) {
                    err.println("The running service answered " + answer.get().statusCode() + ": " + answer.get().body());
                    return 1;
                }
                report = JSON.readTree(answer.get().body());
                from = "the running service";
            } else {
                // only a sandbox mailbox's client id is asked for, and status does not use it
                try (Local local = new Local(settings, address -> new OAuthCredentials("sandbox", "sandbox", null))) {
                    List<TokenStore.Summary> stored = local.wiring.tokens.summaries();
                    report = MailboxReport.of(JSON, local.states.all(), stored, local.mailboxes,
                            id -> stored.stream().anyMatch(t -> t.mailboxId().equals(id)) ? MailboxConnection.Source.STORE
                                    : local.mailboxes.containsKey(id) ? local.wiring.configuredSource(local.mailboxes.get(id))
                                    : MailboxConnection.Source.NONE);
                }
                from = "the database";
            }
            if (!running) {
                out.println("The service is not running (nothing answers on " + service(settings).base() + "): each mailbox's "
                        + "last known state, as of its last poll.");
            }
            print(report, Instant.now(), running);
            out.println();
            out.println("From " + from + ".");
            return 0;
        }
    }

    /** @param live whether the report comes from the running service; else each state is the last known, with its age */
    void print(JsonNode report, Instant now, boolean live) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"MAILBOX", "ADDRESS", live ? "STATE" : "LAST KNOWN STATE", "LAST GOOD POLL", "GRANT", "TOKEN AGE",
            "CURSOR AGE", "NODE"});
        for (JsonNode m : report.path("items")) {
            JsonNode connection = m.path("connection");
            String state = m.path("state").asText();
            if (!live) {
                String asOf = age(m.path("lastPollAt").asText(null), now);
                state += asOf.equals("-") ? " (never polled)" : " (" + asOf + " ago)";
            }
            rows.add(new String[] {m.path("id").asText(), m.path("address").asText(), state,
                    age(m.path("lastSuccessAt").asText(null), now), connection.path("grant").asText("-"),
                    age(connection.path("connectedAt").asText(null), now), age(m.path("cursorAt").asText(null), now),
                    m.path("owner").asText("-")});
        }
        int[] widths = new int[rows.get(0).length];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        });
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + (widths[i] + 2) + "s", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        for (JsonNode m : report.path("items")) {
            if (m.path("connection").hasNonNull("reconnect")) {
                out.println(m.path("id").asText() + ": " + m.path("state").asText() + " - " + m.path("lastError").asText("")
                        + "; to fix: " + m.path("connection").path("reconnect").asText());
            }
        }
    }

    /** "3d 4h", "12m", "45s"; "-" when never. */
    static String age(String instant, Instant now) {
        if (instant == null || instant.isEmpty()) {
            return "-";
        }
        Duration d = Duration.between(Instant.parse(instant), now);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        return d.toDays() > 0 ? d.toDays() + "d " + d.toHoursPart() + "h"
                : d.toHours() > 0 ? d.toHours() + "h " + d.toMinutesPart() + "m"
                : d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    private ServiceClient service(Settings settings) {
        return new ServiceClient(settings, System::getenv);
    }

    private int report(HttpResponse<String> answer, String success) throws IOException {
        if (answer.statusCode() == 200) {
            JsonNode body = JSON.readTree(answer.body());
            out.println(success + " (state " + body.path("state").asText() + ")");
            return 0;
        }
        JsonNode error = JSON.readTree(answer.body()).path("error");
        err.println("The running service refused: " + error.path("message").asText(answer.body()));
        return 1;
    }

    private MailboxSettings mailbox(Settings settings, String id) {
        List<MailboxSettings> mailboxes = MailboxesFile.load(settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true));
        MailboxSettings mailbox = mailboxes.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
        if (mailbox == null) {
            err.println("No mailbox '" + id + "' in " + settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true)
                    + "; configured: " + String.join(", ", mailboxes.stream().map(MailboxSettings::id).toList()));
        }
        return mailbox;
    }

    /** The sandbox the service uses: mailroute.sandbox.url, or the one the demo starts on mailroute.sandbox.port. */
    private static String sandboxRoot(Settings settings) {
        String url = settings.text("mailroute.sandbox.url", null);
        if (url != null) {
            return url.endsWith("/") ? url : url + "/";
        }
        return "http://127.0.0.1:" + settings.number("mailroute.sandbox.port", 8025) + "/";
    }

    /** The sandbox's OAuth client, asked of the running sandbox (its admin API). */
    private Function<String, OAuthCredentials> sandboxClient(String sandboxRoot) {
        return address -> {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(sandboxRoot + "sandbox/admin/client"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode client = JSON.readTree(answer.body());
                return new OAuthCredentials(client.path("clientId").asText(), client.path("clientSecret").asText(), null);
            } catch (IOException e) {
                throw new IllegalStateException("The Gmail sandbox at " + sandboxRoot + " does not answer (" + e.getMessage()
                        + "); start the service (it starts the sandbox) or java -jar target/mailroute.jar sandbox", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        };
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** The database and the connection lifecycle, when no service is running. */
    private final class Local implements AutoCloseable {
        final Database db;
        final MailboxStates states;
        final ConnectionWiring wiring;
        final Map<String, MailboxSettings> mailboxes = new LinkedHashMap<>();

        Local(Settings settings, Function<String, OAuthCredentials> sandboxClient) {
            Clock clock = Clock.systemUTC();
            List<MailboxSettings> configured = MailboxesFile.load(settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true));
            configured.forEach(m -> mailboxes.put(m.id(), m));
            db = Configs.openDatabase(settings);
            EventLog events = new EventLog(db, JSON, clock);
            states = new MailboxStates(db, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5))
                    .reportingTo(events);
            configured.forEach(states::register);
            AuditLog audit = new AuditLog(db, JSON, clock);
            String sandboxRoot = sandboxRoot(settings);
            wiring = new ConnectionWiring(settings, configured, new CredentialsResolver(System::getenv, sandboxClient,
                    settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true).toString()), sandboxRoot, db, states,
                    new io.mailroute.gmail.MailboxQuotas(configured), audit::append, JSON, TRANSPORT, clock);
        }

        @Override
        public void close() {
            db.close();
        }
    }

}
