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
}
