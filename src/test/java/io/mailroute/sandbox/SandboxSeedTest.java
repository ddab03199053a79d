package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxSeedTest {

    @TempDir
    Path dir;

    private final SandboxMailStore store = new SandboxMailStore(Clock.systemUTC(), HistoryLog.DEFAULT_RETAINED);
    private final OAuthTokenStore tokens = new OAuthTokenStore(Clock.systemUTC());
    private final SandboxAdmin admin = new SandboxAdmin(store, tokens, new QuotaMeter(0), new FaultInjector(0, 0),
            new UsageCounters(), new CallLog());

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    @Test
    void theProjectSeedFileLoads() throws IOException {
        SandboxSeed seed = SandboxSeed.load(Path.of("config/sandbox"));
        assertEquals("mailroute-sandbox", seed.clientId());
        assertEquals(List.of("support@acme.example", "accounts@acme.example", "hr@acme.example", "notify@acme.example",
                "team@acme.example", "r.okafor@acme.example"),
                seed.users().stream().map(SandboxSeed.SeedUser::address).toList());
    }

    @Test
    void seedsClientUsersAndMailInFileNameOrder() throws IOException {
        write("sandbox.yaml", """
                client: { id: demo-client, secret: demo-secret }
                users:
                  - address: support@acme.example
                    refreshToken: rt-support
                    mail: mail/support
                  - address: empty@acme.example
                    refreshToken: rt-empty
                    mail: mail/does-not-exist
                """);
        write("mail/support/02-second.eml", "From: b@example.com\r\nSubject: second\r\n"
                + "Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n\r\nsecond\r\n");
        write("mail/support/01-first.eml", "From: a@example.com\r\nSubject: first\r\n"
                + "X-Sandbox-Auth: dkim=fail; spf=fail; dmarc=fail\r\n"
                + "Date: Sun, 01 Mar 2026 09:00:00 +0000\r\n\r\nfirst\r\n");
        write("mail/support/notes.txt", "not mail");

        SandboxSeed.load(dir).applyTo(tokens, admin, store);

        SandboxCredentials credentials = admin.credentials("support@acme.example");
        assertEquals(new SandboxCredentials("demo-client", "demo-secret", "rt-support"), credentials);
        SandboxMailbox mailbox = store.requireMailbox("support@acme.example");
        List<MessageSnapshot> oldestFirst = new java.util.ArrayList<>(mailbox.list(m -> true));
        java.util.Collections.reverse(oldestFirst);
        assertEquals(List.of("first", "second"), oldestFirst.stream().map(m -> m.parsed().subject()).toList());
        assertTrue(oldestFirst.get(0).id().compareTo(oldestFirst.get(1).id()) < 0, "inserted in file-name order");
        assertEquals(List.of("INBOX", "UNREAD"), oldestFirst.get(0).labelIds());
        String first = new String(oldestFirst.get(0).raw(), StandardCharsets.UTF_8);
        assertTrue(first.startsWith("Authentication-Results: mx.google.com; dkim=fail"), first);
        assertTrue(!first.contains("X-Sandbox-Auth"), first);
        assertEquals(0, store.requireMailbox("empty@acme.example").messageCount());
    }

    /** So that a demo's SLAs count from its start, not from the dates its seed files were written with. */
    @Test
    void seededMailArrivesWhenItIsSeededWithItsDateHeaderUnchanged() throws IOException {
        write("sandbox.yaml", "client: {id: demo-client, secret: demo-secret}\n"
                + "users: [{address: support@acme.example, refreshToken: rt-support, mail: mail/support}]\n");
        write("mail/support/01-old.eml", "From: a@example.com\r\nSubject: written long ago\r\n"
                + "Date: Sun, 01 Mar 2026 09:00:00 +0000\r\n\r\nold\r\n");
        java.time.Instant start = java.time.Instant.parse("2030-06-01T08:00:00Z");
        SandboxMailStore startingNow = new SandboxMailStore(Clock.fixed(start, java.time.ZoneOffset.UTC), HistoryLog.DEFAULT_RETAINED);

        SandboxSeed.load(dir).applyTo(tokens, new SandboxAdmin(startingNow, tokens, new QuotaMeter(0), new FaultInjector(0, 0),
                new UsageCounters(), new CallLog()), startingNow);

        MessageSnapshot seeded = startingNow.requireMailbox("support@acme.example").list(m -> true).get(0);
        assertEquals(start.toEpochMilli(), seeded.internalDate());
        assertTrue(new String(seeded.raw(), StandardCharsets.UTF_8).contains("Date: Sun, 01 Mar 2026 09:00:00 +0000"));
    }

    @Test
    void aMissingKeyIsNamedWithItsFile() throws IOException {
        write("sandbox.yaml", """
                client: { id: demo-client, secret: demo-secret }
                users:
                  - address: support@acme.example
                    refreshToken: rt
                  - address: hr@acme.example
                """);
        SandboxSeedException e = assertThrows(SandboxSeedException.class, () -> SandboxSeed.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("sandbox.yaml").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("users[1].refreshToken"), e.getMessage());
    }

    @Test
    void aMissingClientSecretIsNamed() throws IOException {
        write("sandbox.yaml", "client: { id: demo-client }\nusers: []\n");
        SandboxSeedException e = assertThrows(SandboxSeedException.class, () -> SandboxSeed.load(dir));
        assertTrue(e.getMessage().contains("client.secret"), e.getMessage());
    }

    @Test
    void unparsableYamlIsNamedWithItsFile() throws IOException {
        write("sandbox.yaml", "client: { id: [unclosed\n");
        SandboxSeedException e = assertThrows(SandboxSeedException.class, () -> SandboxSeed.load(dir));
        assertTrue(e.getMessage().contains("sandbox.yaml") && e.getMessage().contains("not valid YAML"), e.getMessage());
    }

    @Test
    void aMissingSeedFileIsNamed() {
        SandboxSeedException e = assertThrows(SandboxSeedException.class, () -> SandboxSeed.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("sandbox.yaml").toString()), e.getMessage());
    }
}
