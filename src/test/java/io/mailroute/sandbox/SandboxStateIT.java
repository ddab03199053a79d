package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.auth.oauth2.AuthorizationCodeRequestUrl;
import com.google.api.client.auth.oauth2.AuthorizationCodeResponseUrl;
import com.google.api.client.auth.oauth2.AuthorizationCodeTokenRequest;
import com.google.api.client.auth.oauth2.ClientParametersAuthentication;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.History;
import com.google.api.services.gmail.model.Label;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.ModifyMessageRequest;
import io.mailroute.gmail.TokenRefusal;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox with a state directory, stopped and started again (as the demo is): the grants it issued, its
 * mail with ids, labels and threads, and its history go on; without one, a restart starts from the seed.
 */
class SandboxStateIT {

    private static final String USER = "support@acme.example";
    private static final String REDIRECT = "http://127.0.0.1:53682/callback";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path dir;

    @Test
    void aRestartKeepsTheGrantsItIssuedItsMailAndItsHistory() throws Exception {
        SandboxOptions options = seeded(USER).withStateDir(dir.resolve("state"));
        String connected;
        String inserted;
        String labelId;
        BigInteger historyBefore;
        List<Message> mailBefore;
        try (GmailSandbox first = GmailSandbox.start(options)) {
            connected = connect(first, USER);
            Gmail gmail = gmail(first, connected);
            inserted = gmail.users().messages().insert("me", new Message().setLabelIds(List.of("INBOX"))
                    .encodeRaw(SandboxTestClients.mail("a@example.com", USER, "Inserted", "hello"))).execute().getId();
            labelId = gmail.users().labels().create("me", new Label().setName("Done").setLabelListVisibility("labelShow")
                    .setMessageListVisibility("show")).execute().getId();
            gmail.users().messages().modify("me", inserted, new ModifyMessageRequest().setAddLabelIds(List.of(labelId))).execute();
            revoke(first, "seeded-" + USER);
            historyBefore = gmail.users().getProfile("me").execute().getHistoryId();
            mailBefore = raw(gmail);
        }

        try (GmailSandbox second = GmailSandbox.start(options)) {
            Gmail gmail = gmail(second, connected);
            assertEquals(historyBefore, gmail.users().getProfile("me").execute().getHistoryId());
            List<Message> mailAfter = raw(gmail);
            assertEquals(mailBefore.stream().map(Message::getId).toList(), mailAfter.stream().map(Message::getId).toList());
            for (int i = 0; i < mailBefore.size(); i++) {
                assertArrayEquals(mailBefore.get(i).decodeRaw(), mailAfter.get(i).decodeRaw());
                assertEquals(mailBefore.get(i).getLabelIds(), mailAfter.get(i).getLabelIds());
                assertEquals(mailBefore.get(i).getThreadId(), mailAfter.get(i).getThreadId());
                assertEquals(mailBefore.get(i).getInternalDate(), mailAfter.get(i).getInternalDate());
            }
            assertTrue(gmail.users().messages().get("me", inserted).execute().getLabelIds().contains(labelId));
            assertEquals("Done", gmail.users().labels().get("me", labelId).execute().getName());

            String later = gmail.users().messages().insert("me", new Message().setLabelIds(List.of("INBOX"))
                    .encodeRaw(SandboxTestClients.mail("b@example.com", USER, "After", "again"))).execute().getId();
            List<History> history = gmail.users().history().list("me").setStartHistoryId(historyBefore).execute().getHistory();
            assertEquals(List.of(later), history.stream().flatMap(h -> h.getMessagesAdded().stream())
                    .map(added -> added.getMessage().getId()).toList(), "history goes on from where it was");
            assertTrue(later.compareTo(inserted) > 0, "ids go on increasing");

            IOException revoked = assertThrows(IOException.class,
                    () -> SandboxTestClients.credentials(second, OAuthTokenStore.DEFAULT_CLIENT_ID,
                            OAuthTokenStore.DEFAULT_CLIENT_SECRET, "seeded-" + USER).refresh());
            assertEquals("invalid_grant", TokenRefusal.in(revoked).error(), "a revoked grant stays revoked");
        }
        assertOwnerOnly(dir.resolve("state"));
    }

    @Test
    void withoutAStateDirectoryARestartStartsFromTheSeed() throws Exception {
        SandboxOptions options = seeded(USER);
        try (GmailSandbox first = GmailSandbox.start(options)) {
            first.admin().insert(USER, SandboxTestClients.mail("a@example.com", USER, "Gone after a restart", "x"),
                    List.of("INBOX"));
            assertEquals(2, first.admin().stats().user(USER).messageCount());
        }
        try (GmailSandbox second = GmailSandbox.start(options)) {
            assertEquals(1, second.admin().stats().user(USER).messageCount());
        }
    }

    @Test
    void aUserAddedToTheSeedSinceIsSeededOverTheKeptState() throws Exception {
        Path state = dir.resolve("state");
        try (GmailSandbox first = GmailSandbox.start(seeded(USER).withStateDir(state))) {
            first.admin().insert(USER, SandboxTestClients.mail("a@example.com", USER, "Kept", "x"), List.of("INBOX"));
        }
        try (GmailSandbox second = GmailSandbox.start(seeded(USER, "hr@acme.example").withStateDir(state))) {
            assertEquals(2, second.admin().stats().user(USER).messageCount(), "the kept mail, not the seed again");
            assertEquals(1, second.admin().stats().user("hr@acme.example").messageCount(), "the new user, seeded");
        }
    }

    @Test
    void anUnreadableStateStopsTheStartSayingWhichFileAndWhatToDo() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(state.resolve(SandboxState.FILE), "{ not json");
        SandboxSeedException e = assertThrows(SandboxSeedException.class,
                () -> GmailSandbox.start(seeded(USER).withStateDir(state)).close());
        assertTrue(e.getMessage().contains(state.resolve(SandboxState.FILE).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("Delete " + state), e.getMessage());
    }

    /** A seed directory with the users, each with one message and refresh token {@code seeded-<address>}. */
    private SandboxOptions seeded(String... users) throws IOException {
        Path seed = dir.resolve("seed");
        StringBuilder yaml = new StringBuilder("client: { id: mailroute-sandbox, secret: sandbox-not-a-secret }\nusers:\n");
        for (String user : users) {
            yaml.append("  - address: ").append(user).append("\n    refreshToken: seeded-").append(user)
                    .append("\n    mail: mail/").append(user).append('\n');
            Path mail = Files.createDirectories(seed.resolve("mail").resolve(user));
            Files.write(mail.resolve("01-seeded.eml"), SandboxTestClients.mail("c@example.com", user, "Seeded", "seed",
                    "Message-ID: <seeded-" + user + ">", "Date: Mon, 16 Nov 2026 08:00:00 +0000"));
        }
        Files.writeString(seed.resolve("sandbox.yaml"), yaml);
        return SandboxOptions.defaults().withPort(0).withSeedDir(seed);
    }

    /** The authorization-code flow with PKCE, as {@code connect} runs it; returns the refresh token issued. */
    private static String connect(GmailSandbox sandbox, String user) throws Exception {
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(("verifier-" + System.nanoTime()).repeat(2)
                .getBytes(StandardCharsets.US_ASCII));
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String url = new AuthorizationCodeRequestUrl(sandbox.authorizationUrl(), OAuthTokenStore.DEFAULT_CLIENT_ID)
                .setRedirectUri(REDIRECT).setScopes(List.of(GmailScope.GMAIL_MODIFY.uri()))
                .set("code_challenge", challenge).set("code_challenge_method", "S256").set("login_hint", user).build();
        HttpResponse<String> consent = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, consent.statusCode(), consent.body());
        String code = new AuthorizationCodeResponseUrl(consent.headers().firstValue("Location").orElseThrow()).getCode();
        return new AuthorizationCodeTokenRequest(new NetHttpTransport(), SandboxTestClients.JSON_FACTORY,
                new GenericUrl(sandbox.tokenUrl()), code).setRedirectUri(REDIRECT)
                .setClientAuthentication(new ClientParametersAuthentication(OAuthTokenStore.DEFAULT_CLIENT_ID,
                        OAuthTokenStore.DEFAULT_CLIENT_SECRET))
                .set("code_verifier", verifier).execute().getRefreshToken();
    }

    private static void revoke(GmailSandbox sandbox, String token) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.revokeUrl() + "?token=" + token))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
    }

    private static Gmail gmail(GmailSandbox sandbox, String refreshToken) {
        return SandboxTestClients.gmail(sandbox, SandboxTestClients.credentials(sandbox, OAuthTokenStore.DEFAULT_CLIENT_ID,
                OAuthTokenStore.DEFAULT_CLIENT_SECRET, refreshToken));
    }

    /** Every message, oldest first, in format raw. */
    private static List<Message> raw(Gmail gmail) throws IOException {
        List<Message> listed = gmail.users().messages().list("me").execute().getMessages();
        List<Message> out = new java.util.ArrayList<>();
        for (int i = listed.size() - 1; i >= 0; i--) {
            out.add(gmail.users().messages().get("me", listed.get(i).getId()).setFormat("raw").execute());
        }
        return out;
    }

    private static void assertOwnerOnly(Path state) throws IOException {
        Assumptions.assumeTrue(state.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "no POSIX permissions on " + state + " to check");
        try (Stream<Path> walk = Files.walk(state)) {
            for (Path path : walk.toList()) {
                assertEquals(Files.isDirectory(path) ? "rwx------" : "rw-------",
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), path.toString());
            }
        }
    }
}
