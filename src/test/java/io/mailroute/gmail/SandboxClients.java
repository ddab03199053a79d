package io.mailroute.gmail;

import com.google.api.services.gmail.Gmail;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxCredentials;
import java.io.IOException;
import java.util.List;

/** The real Google client, as a mailbox's component makes it, for a user the sandbox has just been given. */
final class SandboxClients {

    private SandboxClients() {
    }

    static Gmail newUser(GmailSandbox sandbox, String address, String refreshToken) throws IOException {
        sandbox.admin().addUser(address, refreshToken);
        SandboxCredentials c = sandbox.admin().credentials(address);
        return new GmailClientFactory(sandbox.rootUrl(), sandbox.tokenUrl(), 5_000)
                .makeClient(c.clientId(), c.clientSecret(), List.of(), "test", c.refreshToken(), null);
    }

    /** Inserts a small message with this subject (and a unique Message-ID) into the user's inbox; its Gmail id. */
    static String insert(GmailSandbox sandbox, String address, String subject) {
        String rfc822 = "From: a@globex.example\r\nTo: " + address + "\r\nSubject: " + subject + "\r\nMessage-ID: <"
                + subject.replace(' ', '-') + "." + System.nanoTime() + "@globex.example>\r\n\r\nbody\r\n";
        return sandbox.admin().insert(address, rfc822.getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of("INBOX"));
    }
}
