package io.mailroute.it;

import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxCredentials;
import io.mailroute.sandbox.SandboxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One end-to-end world: a Gmail sandbox in this JVM with the given mailboxes, and a config
 * directory for the packaged service that points at it, with credentials passed the production
 * way (environment variables). The shipped application.properties is used, so the test runs the
 * packaged configuration; only ports, the data directory and poll timing differ.
 */
public final class IntakeFixture implements AutoCloseable {

    public final GmailSandbox sandbox;
    public final Path configDir;
    public final Path dataDir;
    public final Map<String, String> environment = new LinkedHashMap<>();
    /** The application server's VAPID keys the service is configured with (browsers subscribe with the public one). */
    public final io.mailroute.delivery.webpush.VapidKeys vapid = io.mailroute.delivery.webpush.VapidKeys.generate();
    private int sequence;

    public IntakeFixture(Path workDir, List<String> mailboxIds, String extraProperties) throws IOException {
        this(workDir, mailboxIds, extraProperties, "");
    }

    /** @param mailboxYaml extra settings for every mailbox, e.g. {@code "    processedLabel: Done\n"} */
    public IntakeFixture(Path workDir, List<String> mailboxIds, String extraProperties, String mailboxYaml)
            throws IOException {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        configDir = Files.createDirectories(workDir.resolve("config"));
        dataDir = workDir.resolve("data");
        StringBuilder mailboxes = new StringBuilder("""
                defaults:
                  pollInterval: 200ms
                  quotaUnitsPerSecond: 1000
                  bootstrapQuery: "in:inbox"
                mailboxes:
                """);
        for (String id : mailboxIds) {
            String address = address(id);
            String prefix = "IT_" + id.toUpperCase(Locale.ROOT).replace('-', '_');
            sandbox.admin().addUser(address, "refresh-" + id);
            SandboxCredentials credentials = sandbox.admin().credentials(address);
            environment.put(prefix + "_CLIENT_ID", credentials.clientId());
            environment.put(prefix + "_CLIENT_SECRET", credentials.clientSecret());
            environment.put(prefix + "_REFRESH_TOKEN", credentials.refreshToken());
            mailboxes.append("  - id: ").append(id).append('\n')
                    .append("    address: ").append(address).append('\n')
                    .append("    credentials: env:").append(prefix).append('\n')
                    .append("    gmail: ").append(sandbox.rootUrl()).append('\n')
                    .append(mailboxYaml);
        }
        Files.writeString(configDir.resolve("mailboxes.yaml"), mailboxes);
        Files.copy(Path.of("config", "triage.yaml"), configDir.resolve("triage.yaml"));
        Files.copy(Path.of("config", "approvals.yaml"), configDir.resolve("approvals.yaml")); // the groups the rules name
        // The shipped channels and templates, sending from the first mailbox to the sandbox's team@ inbox.
        sandbox.admin().addUser(TEAM, "refresh-team");
        String hookSecret = "it-hook-secret-" + System.nanoTime();
        io.mailroute.sandbox.WebhookReceiver.of(sandbox).setSecret(hookSecret.getBytes(StandardCharsets.UTF_8));
        environment.put("IT_TEAM_HOOK_SECRET", hookSecret);
        environment.put("IT_FCM_SERVICE_ACCOUNT", io.mailroute.sandbox.FcmReceiver.of(sandbox).serviceAccountJson(sandbox.rootUrl()));
        environment.put("IT_VAPID_PUBLIC", vapid.publicKeyBase64Url());
        environment.put("IT_APPWORKS_KEY", io.mailroute.sandbox.AppWorksReceiver.of(sandbox).trustedServerKey());
        environment.put("IT_VAPID_PRIVATE", vapid.privateKeyBase64Url());
        Files.writeString(configDir.resolve("channels.yaml"), Files.readString(Path.of("config", "channels.yaml"))
                .replace("sender: support", "sender: " + mailboxIds.get(0))
                .replace("url: sandbox", "url: " + sandbox.rootUrl() + "push/webhook/team")
                .replace("secret: sandbox", "secret: env:IT_TEAM_HOOK_SECRET")
                .replace("serviceAccount: sandbox", "serviceAccount: env:IT_FCM_SERVICE_ACCOUNT")
                .replace("baseUrl: sandbox", "baseUrl: " + io.mailroute.sandbox.FcmReceiver.baseUrl(sandbox.rootUrl()))
                .replace("vapidPublicKey: sandbox", "vapidPublicKey: env:IT_VAPID_PUBLIC")
                .replace("vapidPrivateKey: sandbox", "vapidPrivateKey: env:IT_VAPID_PRIVATE")
                .replace("gatewayUrl: sandbox", "gatewayUrl: " + io.mailroute.sandbox.AppWorksReceiver.gatewayUrl(sandbox.rootUrl()))
                .replace("trustedServerKey: sandbox", "trustedServerKey: env:IT_APPWORKS_KEY"));
        Path templates = Files.createDirectories(configDir.resolve("templates"));
        try (var files = Files.list(Path.of("config", "templates"))) {
            for (Path template : files.toList()) {
                Files.copy(template, templates.resolve(template.getFileName()));
            }
        }
        String shipped = Files.readString(Path.of("config", "application.properties"));
        Files.writeString(configDir.resolve("application.properties"), shipped + """

                ## end-to-end test overrides
                mailroute.sandbox.enabled = false
                mailroute.console.google.domains =
                mailroute.intake.initial-delay = 100
                mailroute.intake.backoff-base = 200ms
                mailroute.intake.backoff-max = 2s
                mailroute.delivery.lease = 3s
                mailroute.delivery.backoff-base = 300ms
                mailroute.fallback-sender = none
                mailroute.tokens.key-file = %s
                """.formatted(keyFile(workDir)) + extraProperties);
    }

    /** Adds a send-only mailbox (role send-only: never polled) on the sandbox, its grant in the environment. */
    public void addSendOnly(String mailboxId) throws IOException {
        String prefix = "IT_" + mailboxId.toUpperCase(Locale.ROOT).replace('-', '_');
        sandbox.admin().addUser(address(mailboxId), "refresh-" + mailboxId);
        SandboxCredentials credentials = sandbox.admin().credentials(address(mailboxId));
        environment.put(prefix + "_CLIENT_ID", credentials.clientId());
        environment.put(prefix + "_CLIENT_SECRET", credentials.clientSecret());
        environment.put(prefix + "_REFRESH_TOKEN", credentials.refreshToken());
        Files.writeString(configDir.resolve("mailboxes.yaml"), """
                  - id: %s
                    address: %s
                    role: send-only
                    credentials: env:%s
                    gmail: %s
                """.formatted(mailboxId, address(mailboxId), prefix, sandbox.rootUrl()), java.nio.file.StandardOpenOption.APPEND);
    }

    /** Where the service keeps the token key in tests: under the test's own directory, never the user's home. */
    public static Path keyFile(Path workDir) {
        return workDir.toAbsolutePath().resolve("keys").resolve("token.key");
    }

    /** The sandbox inbox the shipped channels.yaml sends notification emails to. */
    public static final String TEAM = "team@acme.example";

    public static String address(String mailboxId) {
        return mailboxId + "@acme.example";
    }

    public ServiceProcess service() throws IOException {
        return new ServiceProcess(configDir, dataDir, environment);
    }

    /** Inserts a small, distinct, realistic message through the sandbox's messages.insert path. */
    public String insert(String mailboxId, String subject) {
        int n = ++sequence;
        String rfc822 = """
                From: "Customer %1$d" <customer%1$d@globex.example>
                To: %2$s
                Subject: %3$s
                Date: Sun, 22 Nov 2026 09:%4$02d:00 +0000
                Message-ID: <m%1$d.%5$d@globex.example>
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                Hello, this is message %1$d.
                """.formatted(n, address(mailboxId), subject, n % 60, System.nanoTime());
        return sandbox.admin().insert(address(mailboxId), rfc822.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8),
                List.of("INBOX", "UNREAD"));
    }

    /** The unmodified Google client, as the mailbox's owner would use it. */
    public com.google.api.services.gmail.Gmail gmailClient(String mailboxId) {
        return gmailClientFor(address(mailboxId));
    }

    /** The unmodified Google client for any sandbox user, by address. */
    public com.google.api.services.gmail.Gmail gmailClientFor(String address) {
        SandboxCredentials credentials = sandbox.admin().credentials(address);
        return new io.mailroute.gmail.GmailClientFactory(sandbox.rootUrl(), sandbox.tokenUrl(), 10_000).makeClient(
                credentials.clientId(), credentials.clientSecret(), List.of(), "mailroute-it", credentials.refreshToken(), null);
    }

    /** A sandbox user's inbox as its owner reads it: each message parsed (attachments stored under {@code parsedDir}). */
    public static List<io.mailroute.gmail.mime.ParsedMail> inbox(com.google.api.services.gmail.Gmail gmail, Path parsedDir)
            throws Exception {
        List<io.mailroute.gmail.mime.ParsedMail> mails = new java.util.ArrayList<>();
        var list = gmail.users().messages().list("me").setLabelIds(List.of("INBOX")).execute();
        if (list.getMessages() == null) {
            return mails;
        }
        io.mailroute.gmail.mime.MimeParser parser = new io.mailroute.gmail.mime.MimeParser(
                new io.mailroute.gmail.mime.AttachmentStore(parsedDir, 1 << 20));
        for (com.google.api.services.gmail.model.Message ref : list.getMessages()) {
            com.google.api.services.gmail.model.Message raw = gmail.users().messages().get("me", ref.getId()).setFormat("raw")
                    .execute();
            mails.add(parser.parse(raw.decodeRaw()));
        }
        return mails;
    }

    /** Inserts a message given as RFC 822 text (LF line ends are sent as CRLF). */
    public String insertText(String mailboxId, String rfc822) {
        return insertRaw(mailboxId, rfc822.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces the shipped triage rules with one rule (plus a quiet default) for a test. */
    public void triageEverythingTo(String notify) throws IOException {
        Files.writeString(configDir.resolve("triage.yaml"), """
                rules:
                  - id: everything
                    when: {subject: [help, login, ticket, order]}
                    then: {type: case, category: test/delivery, queue: support, priority: HIGH, notify: [%s]}
                  - id: default
                    then: {type: case, category: general, queue: triage, priority: NORMAL}
                """.formatted(notify));
    }

    public String insertRaw(String mailboxId, byte[] rfc822) {
        return sandbox.admin().insert(address(mailboxId), rfc822, List.of("INBOX", "UNREAD"));
    }

    @Override
    public void close() {
        sandbox.close();
    }
}
