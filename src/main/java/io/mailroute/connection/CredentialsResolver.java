package io.mailroute.connection;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.MailboxSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Finds a mailbox's OAuth client where its {@code credentials:} reference says: the environment
 * ({@code env:PREFIX}) or the built-in sandbox, never files in the repository; and the refresh
 * token to start with when the encrypted token store has none ({@code PREFIX_REFRESH_TOKEN}, which
 * is optional: {@code connect} puts a grant in the store instead).
 */
public final class CredentialsResolver {

    private final Function<String, String> environment;
    private final Function<String, OAuthCredentials> sandbox;
    private final String mailboxesFile;

    /**
     * @param sandbox answers a sandbox user's demo credentials by address, or is null when no
     *     sandbox runs in this process
     */
    public CredentialsResolver(Function<String, String> environment, Function<String, OAuthCredentials> sandbox,
            String mailboxesFile) {
        this.environment = environment;
        this.sandbox = sandbox;
        this.mailboxesFile = mailboxesFile;
    }

    public OAuthCredentials resolve(MailboxSettings mailbox) {
        List<ConfigProblem> problems = problems(mailbox);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        MailboxSettings.CredentialsRef ref = mailbox.credentials();
        if (ref.isSandbox()) {
            return sandbox.apply(mailbox.address());
        }
        return new OAuthCredentials(env(ref, "CLIENT_ID"), env(ref, "CLIENT_SECRET"), env(ref, "REFRESH_TOKEN"));
    }

    /** The OAuth client alone, for {@code connect}: no refresh token needed. */
    public OAuthCredentials client(MailboxSettings mailbox) {
        OAuthCredentials credentials = resolve(mailbox);
        return new OAuthCredentials(credentials.clientId(), credentials.clientSecret(), null);
    }

    /** What is missing for this mailbox, without throwing (the {@code check} command lists these). */
    public List<ConfigProblem> problems(MailboxSettings mailbox) {
        List<ConfigProblem> problems = new ArrayList<>();
        MailboxSettings.CredentialsRef ref = mailbox.credentials();
        String key = "mailbox '" + mailbox.id() + "' credentials";
        if (ref.isSandbox()) {
            if (sandbox == null) {
                problems.add(new ConfigProblem(mailboxesFile, key,
                        "'sandbox' credentials come from the built-in sandbox, which this configuration does not start",
                        "set mailroute.sandbox.enabled=true and leave mailroute.sandbox.url unset; with a sandbox "
                                + "elsewhere write credentials: env:PREFIX and export what its GET /sandbox/admin/users/"
                                + mailbox.address() + "/credentials answers (README: the sandbox elsewhere)"));
            }
            return problems;
        }
        for (String suffix : List.of("CLIENT_ID", "CLIENT_SECRET")) {
            String variable = ref.envPrefix() + "_" + suffix;
            String value = environment.apply(variable);
            if (value == null || value.isBlank()) {
                problems.add(new ConfigProblem(mailboxesFile, key, "environment variable " + variable + " is not set",
                        "export it before starting (see README: Point a mailbox at real Gmail)"));
            }
        }
        return problems;
    }

    private String env(MailboxSettings.CredentialsRef ref, String suffix) {
        String value = environment.apply(ref.envPrefix() + "_" + suffix);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
