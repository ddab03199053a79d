package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mailbox's OAuth grant breaking, being replaced and being revoked, against the sandbox's OAuth
 * server, with the packaged service: one notice per broken grant, nothing missed while it is
 * broken, no restart to re-connect, and mail from a disconnected mailbox sent by the fallback sender.
 */
class ConnectionLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MODIFY = "https://www.googleapis.com/auth/gmail.modify";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;

    @Test
    void aRevokedGrantIsAnnouncedOnceOtherMailboxesFlowAndMailArrivingMeanwhileIsIngestedAfterReconnecting() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "mailroute.fallback-sender = mailbox:support\n",
                "    owners: [team]\n");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            world.insert("hr", "Before the break");
            service.await(WAIT, "hr's first message", () -> messages(service, "hr") == 1);

            world.sandbox.admin().revokeRefreshToken(IntakeFixture.address("hr"));
            service.await(WAIT, "hr NOT_CONNECTED", () -> "NOT_CONNECTED".equals(mailbox(service, "hr").path("state").asText()));
            List<String> whileBroken = List.of(world.insert("hr", "While broken 1"), world.insert("hr", "While broken 2"));
            world.insert("support", "Support keeps flowing");
            service.await(WAIT, "many failed polls of hr", () -> mailbox(service, "hr").path("consecutiveFailures").asInt() >= 6);
            service.await(WAIT, "support's message", () -> messages(service, "support") == 1);

            List<JsonNode> broken = service.events("connection.broken");
            assertEquals(1, broken.size(), "one notice per broken connection, not one per failed poll");
            assertEquals("hr", broken.get(0).path("mailbox").asText());
            String brokenId = broken.get(0).path("id").asText();
            service.await(WAIT, "the notice delivered", () -> deliveries(service, brokenId).size() >= 3
                    && deliveries(service, brokenId).stream().allMatch(d -> d.path("status").asText().matches("SENT|DELIVERED")));
            List<JsonNode> notices = deliveries(service, brokenId);
            assertEquals(List.of("owner-email", "team-appworks", "team-mobile"),
                    notices.stream().map(d -> d.path("channel").asText()).sorted().toList(), notices.toString());
            JsonNode email = notices.stream().filter(d -> d.path("channel").asText().equals("owner-email")).findFirst().orElseThrow();
            assertEquals("mailbox support (support@acme.example)", email.path("sentVia").asText(),
                    "the notice goes from the fallback sender");
            var fcm = world.sandbox.admin().pushInbox().of("fcm");
            assertEquals(1, fcm.size(), fcm.toString());
            assertTrue(fcm.get(0).payload().contains("Mailbox hr is not connected"), fcm.get(0).payload());
            assertTrue(fcm.get(0).payload().contains("connect hr"), fcm.get(0).payload());
            JsonNode health = service.health();
            assertEquals("DEGRADED", health.path("status").asText(), health.toString());
            assertEquals(0, messages(service, "hr", whileBroken), "nothing read while broken");

            // Re-authorize through the API (what connect sends): no restart, intake resumes from the kept cursor.
            world.sandbox.admin().addUser(IntakeFixture.address("hr"), "refresh-hr-second-grant");
            HttpResponse<String> connected = send(service, "PUT", "/api/mailboxes/hr/connection",
                    "{\"refreshToken\":\"refresh-hr-second-grant\",\"scopes\":\"" + MODIFY + "\"}");
            assertEquals(200, connected.statusCode(), connected.body());
            assertTrue(connected.body().contains("\"state\":\"ACTIVE\""), connected.body());
            service.await(WAIT, "the mail that arrived while broken", () -> messages(service, "hr", whileBroken) == 2);
            assertEquals(1, service.events("connection.restored").size());
            assertEquals(1, service.events("connection.broken").size());
            JsonNode hr = mailbox(service, "hr");
            assertEquals("store", hr.path("connection").path("grant").asText(), hr.toString());
            assertEquals(MODIFY, hr.path("connection").path("scopes").asText(), hr.toString());
            service.await(WAIT, "health UP", () -> "UP".equals(service.healthStatus()));
        }
    }

    @Test
    void aGrantWithoutTheScopeTheMailboxNeedsIsRefused() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            HttpResponse<String> refused = send(service, "PUT", "/api/mailboxes/support/connection",
                    "{\"refreshToken\":\"x\",\"scopes\":\"https://www.googleapis.com/auth/gmail.send\"}");
            assertEquals(422, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("needs " + MODIFY), refused.body());
            assertEquals(404, send(service, "PUT", "/api/mailboxes/nobody/connection", "{\"refreshToken\":\"x\"}").statusCode());
        }
    }

    @Test
    void aDisconnectedMailboxIsNotReadAndItsMailGoesFromTheFallbackSmtpServer() throws Exception {
        int smtpPort = ServiceProcess.freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), """
                mailroute.fallback-sender = smtp
                mailroute.fallback-sender.smtp.url = smtp://127.0.0.1:%d
                mailroute.fallback-sender.smtp.from = alerts@acme.example
                """.formatted(smtpPort))) {
            world.triageEverythingTo("ops-email"); // email channel, sent from support's Gmail account
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                world.insert("hr", "Order 1 before");
                service.await(WAIT, "the first notification from support's Gmail",
                        () -> deliveries(service, null).stream().anyMatch(d -> "SENT".equals(d.path("status").asText())));
                assertTrue(deliveries(service, null).stream().allMatch(d -> d.path("sentVia").isNull()));

                ServiceProcess.CommandResult disconnect = service.run("disconnect", "support");
                assertEquals(0, disconnect.exit(), disconnect.output());
                assertTrue(disconnect.output().contains("Disconnected support (REVOKED)"), disconnect.output());
                assertEquals("REVOKED", mailbox(service, "support").path("state").asText());
                assertEquals(0, world.sandbox.admin().liveGrants(IntakeFixture.address("support")),
                        "the grant was revoked at the provider, not only forgotten here");

                world.insert("support", "Order 2 into the disconnected mailbox");
                world.insert("hr", "Order 3 after");
                service.await(WAIT, "a mail through the fallback SMTP server", () -> smtp.getReceivedMessages().length == 1);
                MimeMessage fallback = smtp.getReceivedMessages()[0];
                assertEquals("alerts@acme.example", ((InternetAddress) fallback.getFrom()[0]).getAddress());
                assertEquals("support@acme.example", ((InternetAddress) fallback.getReplyTo()[0]).getAddress(),
                        "replies reach the mailbox the fallback stands in for");
                assertEquals(IntakeFixture.TEAM, ((InternetAddress) fallback.getAllRecipients()[0]).getAddress());
                service.await(WAIT, "the delivery recorded as sent by the fallback", () -> deliveries(service, null).stream()
                        .anyMatch(d -> d.path("sentVia").asText("").startsWith("smtp 127.0.0.1:" + smtpPort + " as alerts@acme.example")
                                && "SENT".equals(d.path("status").asText())));
                JsonNode viaFallback = deliveries(service, null).stream().filter(d -> !d.path("sentVia").isNull()).findFirst().orElseThrow();
                assertTrue(viaFallback.path("sentVia").asText().contains("for mailbox support (REVOKED)"), viaFallback.toString());
                assertEquals(fallback.getMessageID(), "<" + viaFallback.path("messageId").asText() + ">",
                        "the Message-ID recorded before sending is the one that went");
                List<JsonNode> audited = new java.util.ArrayList<>();
                service.api("/api/audit/records?from=2020-01-01&to=2100-01-01&limit=500").path("items").forEach(r -> {
                    if (r.at("/details/via").asText().equals("fallback-smtp")) {
                        audited.add(r);
                    }
                });
                assertEquals(1, audited.size(), "the SMTP email is audited once: " + audited);
                assertEquals("mail.sent", audited.get(0).path("action").asText());
                assertEquals("support", audited.get(0).path("mailbox").asText(), "the mailbox the fallback stood in for");
                assertEquals(fallback.getMessageID(), "<" + audited.get(0).at("/details/messageId").asText() + ">");
                assertEquals(IntakeFixture.TEAM, audited.get(0).at("/details/to/0").asText());

                service.awaitLaterPolls(WAIT, "hr"); // the service is polling: only the disconnected mailbox is skipped
                assertEquals(0, messages(service, "support"), "a disconnected mailbox is not read");
                JsonNode health = service.health();
                assertEquals("DEGRADED", health.path("status").asText(), health.toString());
                assertTrue(health.toString().contains("\"id\":\"support\""), health.toString());

                ServiceProcess.CommandResult status = service.run("status");
                assertEquals(0, status.exit(), status.output());
                assertTrue(status.output().matches("(?s).*support\\s+support@acme.example\\s+REVOKED.*"), status.output());
                assertTrue(status.output().contains("to fix: java -jar target/mailroute.jar connect support"), status.output());
                assertTrue(status.output().contains("From the running service."), status.output());

                // An operator's pause: not polled, cursor kept; resume catches up.
                assertEquals(200, send(service, "POST", "/api/mailboxes/hr/pause", "").statusCode());
                assertEquals("PAUSED", mailbox(service, "hr").path("state").asText());
                int before = messages(service, "hr");
                String duringPause = world.insert("hr", "Order 4 during the pause");
                // its trigger still fires: two polls that began after the insert finish without reading it
                service.awaitFinishedPolls(WAIT, "hr", 2);
                assertEquals(before, messages(service, "hr"), "a paused mailbox is not read");
                assertEquals(200, send(service, "POST", "/api/mailboxes/hr/resume", "").statusCode());
                service.await(WAIT, "the mail that came during the pause", () -> messages(service, "hr", List.of(duringPause)) == 1);
                // ACTIVE comes with the poll's cursor move, just after the message it brought is committed
                service.await(WAIT, "hr ACTIVE again after its first poll", () -> "ACTIVE".equals(mailbox(service, "hr")
                        .path("state").asText()));
            }
        } finally {
            smtp.stop();
        }
    }

    @Test
    void theConnectCommandRunsPkceAgainstTheSandboxAndTheRunningServiceUsesTheGrantAtOnce() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            service.await(WAIT, "hr polled", () -> "ACTIVE".equals(mailbox(service, "hr").path("state").asText()));
            world.sandbox.admin().revokeRefreshToken(IntakeFixture.address("hr"));
            service.await(WAIT, "hr NOT_CONNECTED", () -> "NOT_CONNECTED".equals(mailbox(service, "hr").path("state").asText()));
            String whileBroken = world.insert("hr", "While broken");

            Process connect = service.command("connect", "hr").start();
            BufferedReader output = new BufferedReader(new InputStreamReader(connect.getInputStream(), StandardCharsets.UTF_8));
            URI location = authorize(readAuthorizationUrl(output));
            assertEquals("127.0.0.1", location.getHost(), "the sandbox sends the browser back to the loopback receiver");
            HttpResponse<String> landing = HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, landing.statusCode(), landing.body());
            String rest = drain(output, connect);
            assertEquals(0, connect.exitValue(), rest);
            assertTrue(rest.contains("Connected hr; the running service uses the new grant now (state ACTIVE)"), rest);

            assertEquals(1, world.sandbox.admin().tokenRequests(IntakeFixture.address("hr")).authorizationCodeExchanges());
            JsonNode hr = mailbox(service, "hr");
            assertEquals("ACTIVE", hr.path("state").asText());
            assertEquals("store", hr.path("connection").path("grant").asText(), hr.toString());
            service.await(WAIT, "the mail that arrived while broken",
                    () -> messages(service, "hr", List.of(whileBroken)) == 1);

            // Refresh: the access token expires, the client gets a new one with the stored grant, nothing else happens.
            long refreshes = world.sandbox.admin().tokenRequests(IntakeFixture.address("hr")).refreshTokenGrants();
            String refreshedBefore = mailbox(service, "hr").path("connection").path("refreshedAt").asText();
            world.sandbox.admin().expireAccessTokens(IntakeFixture.address("hr"));
            String afterExpiry = world.insert("hr", "After the access token expired");
            service.await(WAIT, "mail after the refresh", () -> messages(service, "hr", List.of(afterExpiry)) == 1);
            assertTrue(world.sandbox.admin().tokenRequests(IntakeFixture.address("hr")).refreshTokenGrants() > refreshes);
            assertTrue(mailbox(service, "hr").path("connection").path("refreshedAt").asText().compareTo(refreshedBefore) > 0,
                    "the store records when the grant was last used to refresh");
            assertEquals(1, service.events("connection.broken").size(), "an expired access token is not a broken connection");
            assertEquals("ACTIVE", mailbox(service, "hr").path("state").asText());
        }
    }

    @Test
    void aGrantPastedOnAHeadlessBoxIsStoredEncryptedAndAWrongKeyStopsTheStartWithAClearError() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("hr"), "")) {
            world.environment.remove("IT_HR_REFRESH_TOKEN"); // only connect gives it a grant
            ServiceProcess service = world.service();
            // No service runs: connect stores the grant in the database itself. No browser: the address is pasted.
            Process connect = service.command("connect", "hr").start();
            BufferedReader output = new BufferedReader(new InputStreamReader(connect.getInputStream(), StandardCharsets.UTF_8));
            URI location = authorize(readAuthorizationUrl(output));
            try (var stdin = connect.getOutputStream()) {
                stdin.write(("\n" + location + "\n").getBytes(StandardCharsets.UTF_8));
            }
            String rest = drain(output, connect);
            assertEquals(0, connect.exitValue(), rest);
            assertTrue(rest.contains("Connected hr; the grant is stored (encrypted) and used when the service starts"), rest);
            Path keyFile = IntakeFixture.keyFile(work);
            assertTrue(Files.isRegularFile(keyFile), "connect made the key, outside the config and data directories");
            byte[] database = Files.readAllBytes(world.dataDir.resolve("db").resolve("mailroute.mv.db"));
            assertFalse(new String(database, StandardCharsets.ISO_8859_1).contains("1//0sandbox-"),
                    "the refresh token is not in the database file in the clear");
            ServiceProcess.CommandResult status = service.run("status");
            assertEquals(0, status.exit(), status.output());
            assertTrue(status.output().matches("(?s).*\\bhr\\s+hr@acme.example\\s+ACTIVE \\(never polled\\)\\s+-\\s+store\\s.*"),
                    status.output());
            assertTrue(status.output().startsWith("The service is not running"), status.output());
            assertTrue(status.output().contains("From the database."), status.output());

            world.environment.put("MAILROUTE_TOKEN_KEY", io.mailroute.secrets.TokenKey.generate());
            ServiceProcess.CommandResult refused = service.run(); // the service itself, which must stop at once
            assertEquals(78, refused.exit(), refused.output());
            assertTrue(refused.output().contains("ERROR environment variable MAILROUTE_TOKEN_KEY: is not the key mailbox 'hr''s"
                    + " OAuth token was stored with"), refused.output());
            assertTrue(refused.output().contains("connect hr"), refused.output());
            assertFalse(refused.output().contains("\tat "), "one clear message, no stack trace: " + refused.output());

            world.environment.remove("MAILROUTE_TOKEN_KEY");
            try (ServiceProcess started = world.service().start().awaitUp(WAIT)) {
                started.await(WAIT, "hr ACTIVE with the stored grant",
                        () -> "ACTIVE".equals(mailbox(started, "hr").path("state").asText()));
                assertEquals("store", mailbox(started, "hr").path("connection").path("grant").asText());

                // While the service holds the H2 file, audit commands go through its API instead of failing on the lock.
                ServiceProcess.CommandResult verified = started.run("audit", "verify");
                assertEquals(0, verified.exit(), verified.output());
                assertTrue(verified.output().contains("Audit trail intact"), verified.output());
                ServiceProcess.CommandResult exported = started.run("audit", "export", "--from", "2020-01-01", "--to", "2100-01-01");
                assertEquals(0, exported.exit(), exported.output());
                assertTrue(exported.output().contains("\"action\":\"connection.connected\""), exported.output());
                assertFalse(exported.output().matches("(?s).*(locked|9002\\d|jdbc).*"), exported.output());
            }
            // Stopped: status says so and shows each mailbox's last known state with its age.
            ServiceProcess.CommandResult stopped = service.run("status");
            assertEquals(0, stopped.exit(), stopped.output());
            assertTrue(stopped.output().startsWith("The service is not running"), stopped.output());
            assertTrue(stopped.output().matches("(?s).*\\bhr\\s+hr@acme.example\\s+ACTIVE \\(\\d+[smhd]( \\d+[smh])? ago\\).*"),
                    stopped.output());
        }
    }

    /** The address connect printed for the person to open. */
    private static String readAuthorizationUrl(BufferedReader output) throws Exception {
        StringBuilder seen = new StringBuilder();
        for (String line; (line = output.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.startsWith("  http")) {
                return line.trim();
            }
        }
        throw new AssertionError("connect printed no address:\n" + seen);
    }

    /** What the person's browser does: opens the address, signs in (login_hint), and is sent back with a code. */
    private static URI authorize(String url) throws Exception {
        assertTrue(url.contains("code_challenge_method=S256") && url.contains("login_hint=hr@acme.example")
                && url.contains("scope=" + MODIFY), url);
        HttpResponse<String> consent = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, consent.statusCode(), consent.body());
        URI location = URI.create(consent.headers().firstValue("Location").orElseThrow());
        assertTrue(location.getQuery().contains("code="), location.toString());
        return location;
    }

    private static String drain(BufferedReader output, Process process) throws Exception {
        StringBuilder rest = new StringBuilder();
        for (String line; (line = output.readLine()) != null; ) {
            rest.append(line).append('\n');
        }
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("connect did not finish:\n" + rest);
        }
        return rest.toString();
    }

    static JsonNode mailbox(ServiceProcess service, String id) {
        JsonNode items = service.api("/api/mailboxes").path("items");
        return StreamSupport.stream(items.spliterator(), false).filter(m -> m.path("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no mailbox " + id + " in " + items));
    }

    private static int messages(ServiceProcess service, String mailbox) {
        return service.api("/api/messages?mailbox=" + mailbox + "&limit=500").path("items").size();
    }

    /** How many of the given Gmail ids were ingested. */
    private static int messages(ServiceProcess service, String mailbox, List<String> gmailIds) {
        JsonNode items = service.api("/api/messages?mailbox=" + mailbox + "&limit=500").path("items");
        return (int) StreamSupport.stream(items.spliterator(), false).filter(m -> gmailIds.contains(m.path("gmailId").asText())).count();
    }

    static List<JsonNode> deliveries(ServiceProcess service, String eventId) {
        JsonNode items = service.api("/api/deliveries?limit=500" + (eventId == null ? "" : "&event=" + eventId)).path("items");
        return StreamSupport.stream(items.spliterator(), false).toList();
    }

    static HttpResponse<String> send(ServiceProcess service, String method, String path, String body) throws Exception {
        return service.request(method, path, body);
    }

}
