package io.mailroute.sandbox;

import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.jackson2.JacksonFactory;
import com.google.api.services.gmail.Gmail;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.UserCredentials;
import io.mailroute.gmail.GmailClientFactory;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Builds the unmodified Google Gmail client exactly as Mailroute (camel-google-mail) does, against a sandbox, its
 * grant being google-auth-library's {@link UserCredentials} built by {@link GmailClientFactory#credentials}.
 */
@SuppressWarnings("deprecation") // JacksonFactory is what camel-google-mail 4.17 uses
final class SandboxTestClients {

    static final JsonFactory JSON_FACTORY = JacksonFactory.getDefaultInstance();

    /** A sandbox user with its own client; tests each take fresh users so they do not see each other's mail. */
    record User(String address, String refreshToken, Gmail gmail, UserCredentials credentials) {
    }

    private SandboxTestClients() {
    }

    static User newUser(GmailSandbox sandbox, String localPart) {
        String address = localPart + "-" + UUID.randomUUID().toString().substring(0, 8) + "@acme.example";
        String refreshToken = "refresh-" + UUID.randomUUID();
        sandbox.admin().addUser(address, refreshToken);
        SandboxCredentials credentials = sandbox.admin().credentials(address);
        UserCredentials grant = credentials(sandbox, credentials.clientId(), credentials.clientSecret(),
                credentials.refreshToken());
        return new User(address, refreshToken, gmail(sandbox, grant), grant);
    }

    static UserCredentials credentials(GmailSandbox sandbox, String clientId, String clientSecret, String refreshToken) {
        return credentialsBuilder(sandbox, clientId, clientSecret, refreshToken).build();
    }

    /** To add an access token the code exchange already gave, before building. */
    static UserCredentials.Builder credentialsBuilder(GmailSandbox sandbox, String clientId, String clientSecret,
            String refreshToken) {
        return GmailClientFactory.credentials(new NetHttpTransport(), clientId, clientSecret, sandbox.tokenUrl(),
                refreshToken);
    }

    static Gmail gmail(GmailSandbox sandbox, UserCredentials credentials) {
        return gmail(sandbox, new HttpCredentialsAdapter(credentials));
    }

    /** A client whose requests {@code authorize} alone prepares (an anonymous or hand-made token). */
    static Gmail gmail(GmailSandbox sandbox, HttpRequestInitializer authorize) {
        return new Gmail.Builder(new NetHttpTransport(), JSON_FACTORY, authorize)
                .setRootUrl(sandbox.rootUrl())
                .setApplicationName("mailroute-test")
                .build();
    }

    /** The same client, giving up on an answer after {@code readTimeout}: a request the sandbox never answers fails. */
    static Gmail gmail(GmailSandbox sandbox, UserCredentials credentials, java.time.Duration readTimeout) {
        HttpCredentialsAdapter adapter = new HttpCredentialsAdapter(credentials);
        return gmail(sandbox, request -> {
            adapter.initialize(request);
            request.setReadTimeout((int) readTimeout.toMillis());
        });
    }

    /** An RFC 822 message with CRLF line endings; {@code extraHeaders} are full lines without line endings. */
    static byte[] mail(String from, String to, String subject, String body, String... extraHeaders) {
        StringBuilder sb = new StringBuilder();
        sb.append("From: ").append(from).append("\r\n");
        sb.append("To: ").append(to).append("\r\n");
        sb.append("Subject: ").append(subject).append("\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        sb.append("MIME-Version: 1.0\r\n");
        sb.append("Content-Type: text/plain; charset=UTF-8\r\n");
        sb.append("\r\n");
        sb.append(body).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** multipart/mixed: a text part and a PDF-named attachment carrying {@code attachment}. */
    static byte[] mailWithAttachment(String from, String to, String subject, String text, byte[] attachment) {
        String b64 = java.util.Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(attachment);
        String s = "From: " + from + "\r\n"
                + "To: " + to + "\r\n"
                + "Subject: " + subject + "\r\n"
                + "Message-ID: <att-" + UUID.randomUUID() + "@example.com>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                + "\r\n"
                + "--b1\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "\r\n"
                + text + "\r\n"
                + "--b1\r\n"
                + "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
                + "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + b64 + "\r\n"
                + "--b1--\r\n";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(String head, byte[] tail) {
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + tail.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(tail, 0, out, h.length, tail.length);
        return out;
    }
}
