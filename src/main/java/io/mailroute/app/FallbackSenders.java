package io.mailroute.app;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.MailboxSettings;
import io.mailroute.delivery.email.FallbackSender;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/** Reads {@code mailroute.fallback-sender}: none, {@code mailbox:ID}, or {@code smtp} with its settings. */
final class FallbackSenders {

    static final String KEY = "mailroute.fallback-sender";
    static final String PASSWORD_ENV = "MAILROUTE_SMTP_PASSWORD";

    private FallbackSenders() {
    }

    /** @return the fallback sender, or null when none is configured */
    static FallbackSender from(Settings settings, Map<String, MailboxSettings> mailboxes, Function<String, String> env) {
        String value = settings.text(KEY, null);
        if (value == null || value.equals("none")) {
            return null;
        }
        String file = settings.configDir().resolve("application.properties").toString();
        if (value.startsWith("mailbox:")) {
            MailboxSettings mailbox = mailboxes.get(value.substring("mailbox:".length()).trim());
            if (mailbox == null) {
                throw new ConfigException(new ConfigProblem(file, KEY, "mailbox '" + value.substring(8) + "' is not in mailboxes.yaml",
                        "name one of " + mailboxes.keySet() + ", e.g. mailbox:" + mailboxes.keySet().iterator().next()));
            }
            return new FallbackSender.ViaMailbox(mailbox);
        }
        if (!value.equals("smtp")) {
            throw new ConfigException(new ConfigProblem(file, KEY, "'" + value + "' is not a fallback sender",
                    "write none, mailbox:ID (a Gmail mailbox from mailboxes.yaml) or smtp (and set " + KEY + ".smtp.*)"));
        }
        String url = settings.text(KEY + ".smtp.url", null);
        String from = settings.text(KEY + ".smtp.from", null);
        URI server = url == null ? null : URI.create(url);
        if (server == null || !("smtp".equals(server.getScheme()) || "smtps".equals(server.getScheme())) || server.getHost() == null) {
            throw new ConfigException(new ConfigProblem(file, KEY + ".smtp.url", url == null ? "is missing" : "'" + url
                    + "' is not an SMTP server URL", "write e.g. smtps://smtp.acme.example:465 or smtp://127.0.0.1:2525"));
        }
        if (from == null || !from.contains("@")) {
            throw new ConfigException(new ConfigProblem(file, KEY + ".smtp.from", from == null ? "is missing" : "'" + from
                    + "' is not an email address", "write the address fallback mail comes from, e.g. alerts@acme.example"));
        }
        int port = server.getPort() > 0 ? server.getPort() : "smtps".equals(server.getScheme()) ? 465 : 25;
        StringBuilder endpoint = new StringBuilder(server.getScheme()).append("://").append(server.getHost()).append(':').append(port)
                .append("?connectionTimeout=").append(settings.duration("mailroute.gmail.http-timeout",
                        java.time.Duration.ofSeconds(30)).toMillis());
        String username = settings.text(KEY + ".smtp.username", null);
        if (username != null) {
            String password = env.apply(PASSWORD_ENV);
            if (password == null || password.isEmpty()) {
                throw new ConfigException(new ConfigProblem(file, KEY + ".smtp.username", "is set but environment variable "
                        + PASSWORD_ENV + " is not", "export the SMTP password as " + PASSWORD_ENV));
            }
            endpoint.append("&username=").append(URLEncoder.encode(username, StandardCharsets.UTF_8))
                    .append("&password=RAW(").append(password).append(')');
        }
        return new FallbackSender.ViaSmtp(endpoint.toString(), server.getHost() + ":" + port, from.trim());
    }
}
