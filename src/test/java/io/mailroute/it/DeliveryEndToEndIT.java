package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import io.mailroute.gmail.mime.ParsedMail;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notifications by email through Gmail (the sandbox), tracked per delivery, with the packaged configuration. */
class DeliveryEndToEndIT {

    private static final Duration SOON = Duration.ofSeconds(45);

    @TempDir
    Path work;

    @Test
    void aNewCaseIsMailedToItsAudienceOnceWithOurHeadersAndTracked() throws Exception {
        try (IntakeFixture world = fixture("ops-email");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            world.insertText("support", """
                    From: Mei Chen <m.chen@globex.example>
                    To: support@acme.example
                    Subject: Help, cannot log in =?UTF-8?Q?=0D=0ABcc:_victim@evil.example?=
                    Message-ID: <login-7@globex.example>

                    The portal says "Session expired" and <script>alert(1)</script>.
                    """);
            service.await(SOON, "a SENT delivery", () -> statuses(service).contains("SENT"));
            JsonNode delivery = service.api("/api/deliveries?status=SENT").get("items").get(0);
            assertEquals("team@acme.example", delivery.get("address").asText());
            assertEquals(1, delivery.get("attempts").asInt());

            Gmail team = world.gmailClient("team");
            List<ParsedMail> inbox = inbox(team, work);
            assertEquals(1, inbox.size(), "one email for one delivery");
            ParsedMail mail = inbox.get(0);
            assertEquals(delivery.get("messageId").asText(), mail.messageId(), "the Message-ID we recorded is the one sent");
            assertEquals("mailroute", mail.extraHeaders().get("X-Mailroute-Origin"));
            assertTrue(mail.subject().matches("\\[(LOW|NORMAL|HIGH|URGENT)] New case #\\d+ in [a-z0-9-]+"), mail.subject());
            assertTrue(!mail.subject().contains("\n") && !mail.subject().contains("\r"), mail.subject());
            assertEquals(List.of(IntakeFixture.TEAM), mail.to().stream().map(a -> a.address()).toList(),
                    "the injected Bcc never became a recipient");
            assertTrue(!mail.htmlBody().contains("<script>"), "HTML is escaped: " + mail.htmlBody());
            JsonNode sent = onlyMailSent(service).get("details");
            assertEquals(mail.messageId(), sent.get("messageId").asText(), "audited with the Message-ID that arrived");
            assertEquals(List.of(IntakeFixture.TEAM), texts(sent.get("to")));
            assertEquals(mail.subject(), sent.get("subject").asText());
            assertEquals(delivery.get("providerId").asText(), sent.get("gmailId").asText());

            // the sent copy lands in support@'s SENT, and intake does not ingest our own mail: once a poll has taken
            // support@'s history past it (a stalled intake fails here instead of passing), still one message received
            java.math.BigInteger afterTheSend = world.gmailClient("support").users().getProfile("me").execute().getHistoryId();
            service.await(SOON, "a poll past the sent copy", () -> {
                JsonNode cursor = service.api("/api/mailboxes").path("items").get(0).path("historyId");
                return !cursor.isNull() && new java.math.BigInteger(cursor.asText()).compareTo(afterTheSend) >= 0;
            });
            assertEquals(1, service.events("message.received").size());
        }
    }

    @Test
    void deliveriesSurviveACrashWithoutLossOrDuplicateEmails() throws Exception {
        try (IntakeFixture world = fixture("ops-email")) {
            Set<String> subjects = new HashSet<>();
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                for (int i = 0; i < 6; i++) {
                    subjects.add(insertSupportRequest(world, i));
                }
                service.await(SOON, "the first email", () -> statuses(service).contains("SENT"));
                service.kill(); // mid-stream: some sent, some pending, maybe one in flight
            }
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                service.await(Duration.ofSeconds(90), "six SENT deliveries",
                        () -> statuses(service).stream().filter("SENT"::equals).count() == 6);
                List<ParsedMail> inbox = inbox(world.gmailClient("team"), work);
                Set<String> messageIds = new HashSet<>();
                inbox.forEach(m -> messageIds.add(m.messageId()));
                assertEquals(6, inbox.size(), "six emails, none twice: " + inbox.stream().map(ParsedMail::subject).toList());
                assertEquals(6, messageIds.size());
                List<String> audited = new ArrayList<>();
                mailSent(service).forEach(r -> audited.add(r.at("/details/messageId").asText()));
                assertEquals(messageIds, new HashSet<>(audited), "each email that arrived is audited");
                assertEquals(6, audited.size(), "once, across the kill: " + audited);
            }
        }
    }

    @Test
    void aPushThatKeepsFailingFallsBackToEmailAndTheWebhookIsSigned() throws Exception {
        try (IntakeFixture world = fixture("support-push");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            io.mailroute.sandbox.WebhookReceiver hook = io.mailroute.sandbox.WebhookReceiver.of(world.sandbox);
            world.insertText("support", "From: a@globex.example\nTo: support@acme.example\nSubject: help, ticket one\n"
                    + "Message-ID: <t1@globex.example>\n\nfirst\n");
            service.await(SOON, "a DELIVERED webhook", () -> statuses(service).contains("DELIVERED"));
            var pushes = world.sandbox.admin().pushInbox().of("webhook");
            assertEquals(1, pushes.size());
            assertTrue(pushes.get(0).accepted() && pushes.get(0).verdict().contains("signature valid"), pushes.get(0).verdict());
            assertTrue(pushes.get(0).payload().contains("\"eventType\":\"case.created\""), pushes.get(0).payload());

            hook.failNext(503, 100, null); // the webhook is down from now on
            world.insertText("support", "From: b@globex.example\nTo: support@acme.example\nSubject: help, ticket two\n"
                    + "Message-ID: <t2@globex.example>\n\nsecond\n");
            service.await(SOON, "the fallback email SENT", () -> statuses(service).contains("FELL_BACK")
                    && statuses(service).contains("SENT"));
            JsonNode fellBack = service.api("/api/deliveries?status=FELL_BACK").get("items").get(0);
            assertEquals(3, fellBack.get("attempts").asInt(), "afterAttempts: 3");
            JsonNode email = service.api("/api/deliveries?status=SENT").get("items").get(0);
            assertEquals(fellBack.get("id").asLong(), email.get("fallbackOf").asLong());
            assertEquals("email", email.get("channel").asText());
            assertEquals(1, inbox(world.gmailClient("team"), work).size(), "the same content, by email");
        }
    }

    @Test
    void anEmailThatKeepsFailingFallsBackToPush() throws Exception {
        try (IntakeFixture world = fixture("ops-email");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            // Gmail's per-user quota below one messages.send (100 units): reading still works, sending never does
            world.sandbox.admin().setQuota(50);
            world.insertText("support", "From: c@globex.example\nTo: support@acme.example\nSubject: help, ticket three\n"
                    + "Message-ID: <t3@globex.example>\n\nthird\n");
            service.await(Duration.ofSeconds(60), "the fallback push DELIVERED",
                    () -> statuses(service).contains("FELL_BACK") && statuses(service).contains("DELIVERED"));
            JsonNode fellBack = service.api("/api/deliveries?status=FELL_BACK").get("items").get(0);
            assertEquals("email", fellBack.get("channel").asText());
            assertTrue(fellBack.get("lastError").asText().startsWith("gmail 429 rateLimitExceeded: "), fellBack.toString());
            assertFalse(fellBack.get("lastError").asText().contains("User-rate limit"), "Gmail's words are not shown: " + fellBack);
            assertTrue(service.log().contains("the provider said: 429 User-rate limit exceeded."), "they are in the log");
            assertEquals(List.of(), mailSent(service), "a send that failed is not mail.sent");
            JsonNode push = service.api("/api/deliveries?status=DELIVERED").get("items").get(0);
            assertEquals("team-hook", push.get("channel").asText());
            assertEquals(fellBack.get("id").asLong(), push.get("fallbackOf").asLong());
            assertEquals(0, inbox(world.gmailClient("team"), work).size(), "no email went");
            assertEquals(1, world.sandbox.admin().pushInbox().of("webhook").size());
        }
    }

    @Test
    void pastTheDailySendingLimitMailFallsBackInsteadOfRiskingTheAccount() throws Exception {
        try (IntakeFixture world = fixture("ops-email")) {
            java.nio.file.Path channels = world.configDir.resolve("channels.yaml");
            java.nio.file.Files.writeString(channels, java.nio.file.Files.readString(channels).replace("dailyLimit: 2000", "dailyLimit: 1"));
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                insertSupportRequest(world, 1);
                service.await(SOON, "the first email SENT", () -> statuses(service).contains("SENT"));
                insertSupportRequest(world, 2);
                service.await(SOON, "the second handed to the webhook", () -> statuses(service).contains("DELIVERED"));
                JsonNode fellBack = service.api("/api/deliveries?status=FELL_BACK").get("items").get(0);
                assertTrue(fellBack.get("lastError").asText().contains("daily sending limit of 1"), fellBack.toString());
                assertEquals(1, fellBack.get("attempts").asInt(), "no send was even tried");
                assertEquals(1, inbox(world.gmailClient("team"), work).size());
            }
        }
    }

    @Test
    void pushReachesPhonesAndBrowsersAndAGoneDeviceIsDisabledAndFallsBack() throws Exception {
        try (IntakeFixture world = fixture("support-push");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            var browser = world.sandbox.admin().pushReceiver("webpush", io.mailroute.sandbox.WebPushReceiver.class)
                    .subscribe(world.sandbox.rootUrl(), world.vapid.publicKeyBase64Url());
            var registered = service.request("POST", "/api/recipients/team/targets", "{\"channel\":\"team-browser\",\"address\":\""
                    + browser.endpoint() + "\",\"keys\":{\"p256dh\":\"" + browser.p256dh() + "\",\"auth\":\""
                    + browser.auth() + "\"}}");
            assertEquals(201, registered.statusCode(), registered.body());
            world.sandbox.admin().pushReceiver("fcm", io.mailroute.sandbox.FcmReceiver.class)
                    .markUnregistered("demo-phone-registration-token"); // the app was uninstalled

            world.insertText("support", "From: d@globex.example\nTo: support@acme.example\nSubject: help, ticket four\n"
                    + "Message-ID: <t4@globex.example>\n\nfourth\n");
            service.await(SOON, "browser push, phone fallen back, fallback email sent", () -> {
                List<String> s = statuses(service);
                return s.stream().filter("DELIVERED"::equals).count() == 2 && s.contains("FELL_BACK") && s.contains("SENT");
            });
            var webpush = world.sandbox.admin().pushInbox().of("webpush");
            assertEquals(1, webpush.size());
            assertTrue(webpush.get(0).verdict().contains("vapid ok") && webpush.get(0).payload().contains("case.created"),
                    webpush.get(0).verdict() + " " + webpush.get(0).payload());
            JsonNode phone = service.api("/api/deliveries?status=FELL_BACK").get("items").get(0);
            assertEquals("team-mobile", phone.get("channel").asText());
            assertEquals(1, phone.get("attempts").asInt(), "a gone device is not retried");

            world.insertText("support", "From: e@globex.example\nTo: support@acme.example\nSubject: help, ticket five\n"
                    + "Message-ID: <t5@globex.example>\n\nfifth\n");
            service.await(SOON, "the second round", () -> world.sandbox.admin().pushInbox().of("webpush").size() == 2);
            List<JsonNode> cases = service.events("case.created");
            assertEquals(2, cases.size());
            // the second case's deliveries are all planned (the phone's would be among them) and none is still under way
            service.awaitSubscriptionPast(SOON, "deliver-plan", cases.get(1).path("seq").asLong());
            service.await(SOON, "every delivery finished", () -> statuses(service).stream()
                    .noneMatch(st -> st.equals("PENDING") || st.equals("SENDING")));
            assertEquals(1, world.sandbox.admin().pushInbox().of("fcm").size(), "the disabled phone is not pushed again");
        }
    }

    @Test
    void targetsAreCheckedWhenRegisteredAndABrowsersKeysAreStoredSealed() throws Exception {
        Path keyFile = IntakeFixture.keyFile(work);
        try (IntakeFixture world = fixture("support-push")) {
            var browser = world.sandbox.admin().pushReceiver("webpush", io.mailroute.sandbox.WebPushReceiver.class)
                    .subscribe(world.sandbox.rootUrl(), world.vapid.publicKeyBase64Url());
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                assertFalse(Files.exists(keyFile), "channels.yaml's devices have no keys: no key is needed or made");

                assertRefused(service, browserTarget("http://push.example.com/wpush/1", browser),
                        "address: a Web Push endpoint must be an absolute https URL");
                assertRefused(service, browserTarget("https://192.168.1.20/wpush/1", browser),
                        "address: a Web Push endpoint must not be a private, link-local or local-network IP address");
                assertRefused(service, browserTarget(browser.endpoint(), browser).replace(browser.auth(), "c2hvcnQ"),
                        "keys.auth: must be the subscription's 16-byte auth secret");
                assertRefused(service, "{\"channel\":\"team-mobile\",\"address\":\"token\\r\\nX-Other: 1\"}",
                        "address: must not contain control characters");
                assertFalse(Files.exists(keyFile));

                var registered = registerTarget(service, browserTarget(browser.endpoint(), browser));
                assertEquals(201, registered.statusCode(), registered.body());
                assertTrue(Files.exists(keyFile), "the first sealed keys made the key, while nothing was sealed");
            }
            // the service has stopped: read what it stored
            try (Connection h2 = DriverManager.getConnection("jdbc:h2:file:" + world.dataDir.resolve("db").resolve("mailroute")
                    .toAbsolutePath() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "");
                    ResultSet row = h2.createStatement().executeQuery(
                            "SELECT address, keys_json, keys_key_id FROM push_target WHERE channel = 'team-browser'")) {
                assertTrue(row.next(), "the subscription is stored");
                assertEquals(browser.endpoint(), row.getString("address"));
                assertFalse(row.getString("keys_json").contains(browser.auth()), row.getString("keys_json"));
                assertFalse(row.getString("keys_json").contains(browser.p256dh()), row.getString("keys_json"));
                assertEquals(io.mailroute.secrets.TokenKey.load(name -> null, keyFile, false).id(), row.getString("keys_key_id"));
                assertFalse(row.next(), "none of the refused targets was stored");
            }
        }
    }

    private static String browserTarget(String endpoint, io.mailroute.sandbox.WebPushReceiver.Subscription browser) {
        return "{\"channel\":\"team-browser\",\"address\":\"" + endpoint + "\",\"keys\":{\"p256dh\":\"" + browser.p256dh()
                + "\",\"auth\":\"" + browser.auth() + "\"}}";
    }

    private static java.net.http.HttpResponse<String> registerTarget(ServiceProcess service, String target) throws Exception {
        return service.request("POST", "/api/recipients/team/targets", target);
    }

    private static void assertRefused(ServiceProcess service, String target, String rule) throws Exception {
        var answer = registerTarget(service, target);
        assertEquals(400, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains(rule), answer.body());
    }

    @Test
    void anAcknowledgementRepliesInTheCustomersOwnThread() throws Exception {
        try (IntakeFixture world = fixture("customer-ack")) {
            world.sandbox.admin().addUser("customer@globex.example", "refresh-customer");
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                String original = world.insertText("support", """
                        From: Pat Customer <customer@globex.example>
                        To: support@acme.example
                        Subject: Help with my order
                        Message-ID: <order-help-1@globex.example>

                        Where is my order?
                        """);
                service.await(SOON, "the acknowledgement SENT", () -> statuses(service).contains("SENT"));
                Gmail support = world.gmailClient("support");
                String threadId = support.users().messages().get("me", original).setFormat("minimal").execute().getThreadId();

                Gmail customer = world.gmailClientFor("customer@globex.example");
                List<ParsedMail> inbox = inbox(customer, work);
                assertEquals(1, inbox.size());
                ParsedMail ack = inbox.get(0);
                assertEquals("Re: Help with my order", ack.subject());
                assertEquals("order-help-1@globex.example", ack.inReplyTo());
                assertEquals(List.of("order-help-1@globex.example"), ack.references());
                assertTrue(ack.textBody().contains("case #"), ack.textBody());

                var sent = support.users().messages().list("me").setLabelIds(List.of("SENT")).execute().getMessages();
                assertEquals(1, sent.size());
                assertEquals(threadId, sent.get(0).getThreadId(), "the reply sits in the customer's thread in support@");
                JsonNode record = onlyMailSent(service);
                assertEquals("support", record.get("mailbox").asText());
                JsonNode details = record.get("details");
                assertEquals(ack.messageId(), details.get("messageId").asText(), "the Message-ID the customer received");
                assertEquals(List.of("customer@globex.example"), texts(details.get("to")));
                assertEquals(sent.get(0).getId(), details.get("gmailId").asText());
                assertEquals(threadId, details.get("threadId").asText());
                assertEquals("Re: Help with my order", details.get("subject").asText());
                assertEquals("customer-reply", details.get("channel").asText());
                ServiceProcess.CommandResult verified = service.run("audit", "verify");
                assertEquals(0, verified.exit(), verified.output());
                ServiceProcess.CommandResult exported = service.run("audit", "export", "--from", "2020-01-01", "--to", "2100-01-01");
                assertEquals(0, exported.exit(), exported.output());
                assertEquals(1, exported.output().lines().filter(l -> l.contains("\"action\":\"mail.sent\"")
                        && l.contains(ack.messageId())).count(), exported.output());

                // the customer answers the acknowledgement: it attaches to the same case
                world.insertText("support", """
                        From: Pat Customer <customer@globex.example>
                        To: support@acme.example
                        Subject: Re: Help with my order
                        Message-ID: <order-help-2@globex.example>
                        In-Reply-To: <%s>
                        References: <order-help-1@globex.example> <%s>

                        Thanks! Order number is 4471.
                        """.formatted(ack.messageId(), ack.messageId()));
                service.await(SOON, "item.replied", () -> service.events("item.replied").size() == 1);
                assertEquals(1, service.events("case.created").size());
            }
        }
    }

    @Test
    void anAcknowledgementReachesASenderWrittenWithACommentAndAQuotedLocalPart() throws Exception {
        try (IntakeFixture world = fixture("customer-ack")) {
            String customer = "\"Pat Customer\"@globex.example";
            world.sandbox.admin().addUser(customer, "refresh-pat");
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                world.insertText("support", """
                        From: Pat <"Pat Customer"(the buyer)@Globex.EXAMPLE>
                        To: support@acme.example
                        Subject: Help with my order
                        Message-ID: <order-help-quoted@globex.example>

                        Where is my order?
                        """);
                service.await(SOON, "the acknowledgement SENT", () -> statuses(service).contains("SENT"));

                JsonNode received = service.events("message.received").get(0);
                assertEquals(customer, received.at("/data/from/address").asText(), "stored as written, comment dropped");
                Message sent = world.gmailClient("support").users().messages().list("me").setLabelIds(List.of("SENT"))
                        .execute().getMessages().get(0);
                String to = new String(world.gmailClient("support").users().messages().get("me", sent.getId())
                        .setFormat("raw").execute().decodeRaw(), java.nio.charset.StandardCharsets.UTF_8)
                        .lines().filter(l -> l.startsWith("To: ")).findFirst().orElseThrow();
                jakarta.mail.internet.InternetAddress[] strict =
                        jakarta.mail.internet.InternetAddress.parseHeader(to.substring("To: ".length()), true);
                assertEquals(List.of(customer), java.util.Arrays.stream(strict).map(a -> a.getAddress()).toList(),
                        "a quoted local part stays quoted on the way out: " + to);
                assertEquals(1, inbox(world.gmailClientFor(customer), work).size(), "and the mail reaches that mailbox");
            }
        }
    }

    @Test
    void quarantinedMailRaisesOneAlertPerWindowByEmailAndAppWorks() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "mailroute.intake.max-attachment-bytes = 2048\n");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            world.insertRaw("support", io.mailroute.testing.TestMail.withAttachment("Huge scan", "scan.pdf", "application/pdf", 8192));
            service.await(SOON, "the alert by email and AppWorks", () -> {
                List<String> s = statuses(service);
                return s.contains("SENT") && s.contains("DELIVERED");
            });
            assertEquals(1, service.events("alert.raised").size());
            var appworks = world.sandbox.admin().pushInbox().of("appworks");
            assertEquals(1, appworks.size());
            assertTrue(appworks.get(0).accepted() && appworks.get(0).payload().contains("quarantine"), appworks.get(0).payload());
            assertTrue(inbox(world.gmailClient("team"), work).get(0).subject().startsWith("Alert: quarantine support"));

            world.insertRaw("support", io.mailroute.testing.TestMail.withAttachment("Another scan", "scan2.pdf", "application/pdf", 8192));
            service.await(SOON, "the second quarantine", () -> service.events("message.quarantined").size() == 2);
            // the alert desk has handled the second quarantine: had it raised another alert, that would show now
            service.awaitSubscriptionPast(SOON, "alerts", service.events("message.quarantined").get(1).path("seq").asLong());
            assertEquals(1, service.events("alert.raised").size(), "one alert per condition per window");
        }
    }

    private IntakeFixture fixture(String notify) throws IOException {
        IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
        world.triageEverythingTo(notify);
        return world;
    }

    private static String insertSupportRequest(IntakeFixture world, int n) {
        String subject = "Cannot log in, ticket " + n;
        world.insertText("support", """
                From: Customer %1$d <c%1$d@globex.example>
                To: support@acme.example
                Subject: %2$s
                Message-ID: <req-%1$d-%3$d@globex.example>

                Please help.
                """.formatted(n, subject, System.nanoTime()));
        return subject;
    }

    /** The {@code mail.sent} audit records, from the running service's API. */
    private static List<JsonNode> mailSent(ServiceProcess service) {
        List<JsonNode> records = new ArrayList<>();
        service.api("/api/audit/records?from=2020-01-01&to=2100-01-01&limit=500").get("items").forEach(r -> {
            if ("mail.sent".equals(r.path("action").asText())) {
                records.add(r);
            }
        });
        return records;
    }

    private static JsonNode onlyMailSent(ServiceProcess service) {
        List<JsonNode> records = mailSent(service);
        assertEquals(1, records.size(), "one email, one mail.sent record: " + records);
        return records.get(0);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static List<String> statuses(ServiceProcess service) {
        List<String> statuses = new ArrayList<>();
        service.api("/api/deliveries?limit=500").get("items").forEach(d -> statuses.add(d.get("status").asText()));
        return statuses;
    }

    private static List<ParsedMail> inbox(Gmail gmail, Path work) throws Exception {
        return IntakeFixture.inbox(gmail, work.resolve("parsed"));
    }
}
