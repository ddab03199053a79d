package io.mailroute.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.config.MailboxSettings;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.TokenStore;
import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStatus;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every mailbox's state and connection in one JSON shape: {@code GET /api/mailboxes} answers it and
 * the {@code status} command prints it, whether it asked the running service or read the database.
 */
public final class MailboxReport {

    private MailboxReport() {
    }

    /**
     * @param sourceOf where each mailbox's grant comes from (store, environment, sandbox, none)
     */
    public static ObjectNode of(ObjectMapper json, List<MailboxStatus> statuses, List<TokenStore.Summary> tokens,
            Map<String, MailboxSettings> mailboxes, Function<String, MailboxConnection.Source> sourceOf) {
        Map<String, TokenStore.Summary> byMailbox = tokens.stream().collect(Collectors.toMap(TokenStore.Summary::mailboxId, t -> t));
        ArrayNode items = json.createArrayNode();
        for (MailboxStatus s : statuses) {
            MailboxSettings settings = mailboxes.get(s.id());
            TokenStore.Summary token = byMailbox.get(s.id());
            ObjectNode item = items.addObject()
                    .put("id", s.id())
                    .put("address", s.address())
                    .put("role", settings == null ? null : settings.role().configName())
                    .put("state", s.state().name())
                    .put("historyId", s.historyId())
                    .put("cursorAt", text(s.cursorAt()))
                    .put("lastPollAt", text(s.lastPollAt()))
                    .put("lastSuccessAt", text(s.lastSuccessAt()))
                    .put("lastError", s.lastError())
                    .put("consecutiveFailures", s.consecutiveFailures())
                    .put("nextAttemptAt", text(s.nextAttemptAt()))
                    .put("owner", s.owner())
                    .put("ownerSince", text(s.ownerSince()));
            if (settings != null && settings.usesPush()) {
                // Gmail push: its watch (null expiry: none yet, or stopped while paused or disconnected)
                item.putObject("push").put("mode", settings.push().configName())
                        .put("watchExpiresAt", text(s.watchExpiresAt()))
                        .put("watchError", s.watchError());
            }
            item.putObject("gmailErrors")
                    .put("rateLimited", s.gmailErrors().rateLimited())
                    .put("transient", s.gmailErrors().transientErrors())
                    .put("retried", s.gmailErrors().retried());
            ObjectNode connection = item.putObject("connection")
                    .put("grant", sourceOf.apply(s.id()).name().toLowerCase(Locale.ROOT))
                    .put("scopes", token == null ? null : token.scopes())
                    .put("connectedAt", token == null ? null : text(token.connectedAt()))
                    .put("refreshedAt", token == null ? null : text(token.refreshedAt()));
            if (settings != null && (s.state() == MailboxState.NOT_CONNECTED || s.state() == MailboxState.REVOKED)) {
                connection.put("reconnect", "java -jar target/mailroute.jar connect " + s.id());
            }
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("items", items);
        return answer;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
