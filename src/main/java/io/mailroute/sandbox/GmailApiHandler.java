package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gmail REST API under {@code /gmail/v1/users/...} and {@code /upload/gmail/v1/users/...}. Each request
 * goes: latency, route, bearer auth, scope check, user check, 429 storm, quota, random fault, then the method.
 */
final class GmailApiHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(GmailApiHandler.class);
    private static final String RAW_REQUIRED =
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required";

    private final SandboxMailStore store;
    private final OAuthTokenStore tokens;
    private final QuotaMeter quota;
    private final FaultInjector faults;
    private final UsageCounters usage;
    private final CallLog calls;
    private final MediaUploads uploads = new MediaUploads();
    private final Clock clock;
    private final GmailWatches watches;

    GmailApiHandler(SandboxMailStore store, OAuthTokenStore tokens, QuotaMeter quota, FaultInjector faults,
            UsageCounters usage, CallLog calls, Clock clock, GmailWatches watches) {
        this.watches = watches;
        this.calls = calls;
        this.store = store;
        this.tokens = tokens;
        this.quota = quota;
        this.faults = faults;
        this.usage = usage;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!calls.recording()) {
            answer(exchange, null);
            return;
        }
        java.time.Instant started = java.time.Instant.now();
        String[] called = new String[2];
        try {
            answer(exchange, called);
        } finally {
            calls.add(called[0], called[1], exchange.getRequestHeaders().getFirst("User-Agent"), started,
                    java.time.Instant.now());
        }
    }

    /** @param called where the caller's mailbox and method go, once known (null: not recorded) */
    private void answer(HttpExchange exchange, String[] called) throws IOException {
        try {
            faults.delay();
            GmailRoute route = GmailRoute.resolve(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
            OAuthTokenStore.AccessGrant grant = authenticate(exchange);
            if (!route.method().allowedWith(grant.scopes())) {
                throw GmailErrors.insufficientScope(route.method());
            }
            String user = grant.address();
            if (called != null) {
                called[0] = user;
                called[1] = route.method().apiName();
            }
            SandboxMailbox mailbox = mailboxFor(route.userId(), user);
            Map<String, List<String>> query = HttpExchanges.query(exchange);
            String uploadId = HttpExchanges.first(query, "upload_id");
            if (uploadId != null) { // later PUTs of a resumable upload: admitted and charged when it was opened
                continueResumable(exchange, uploadId, user);
                return;
            }
            admit(user, route.method());
            if (route.upload() && "resumable".equals(HttpExchanges.first(query, "uploadType"))) {
                startResumable(exchange, route, mailbox, query);
                return;
            }
            JsonNode result = execute(exchange, route, mailbox, query);
            if (result == null) {
                HttpExchanges.send(exchange, 204, null, new byte[0]);
            } else {
                HttpExchanges.sendJson(exchange, 200, result);
            }
        } catch (GmailApiException e) {
            HttpExchanges.sendError(exchange, e);
        } catch (IllegalArgumentException e) {
            HttpExchanges.sendError(exchange, GmailErrors.invalidArgument(e.getMessage()));
        } catch (IOException e) {
            HttpExchanges.sendError(exchange, GmailErrors.badRequest("Unreadable request: " + e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("Gmail sandbox failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            HttpExchanges.sendError(exchange, GmailErrors.backend(500));
        }
    }

    /** Counts the request, then applies the 429 storm, the quota and random faults, in that order. */
    private void admit(String user, GmailMethod method) {
        usage.request(user, method);
        var storm = faults.rateLimitStorm();
        if (storm.isPresent()) {
            usage.countRateLimited(user);
            throw storm.get();
        }
        if (!quota.tryAcquire(SandboxMailStore.key(user), method.quotaUnits())) {
            usage.countRateLimited(user);
            throw GmailErrors.rateLimited(1);
        }
        var fault = faults.randomError();
        if (fault.isPresent()) {
            if (fault.get().status() == 429) {
                usage.countRateLimited(user);
            }
            throw fault.get();
        }
    }

    private OAuthTokenStore.AccessGrant authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String token;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = header.substring(7).trim();
        } else {
            token = HttpExchanges.first(HttpExchanges.query(exchange), "access_token");
        }
        if (token == null || token.isEmpty()) {
            throw GmailErrors.unauthenticated(false);
        }
        return tokens.accessGrant(token).orElseThrow(() -> GmailErrors.unauthenticated(true));
    }

    private SandboxMailbox mailboxFor(String userId, String tokenUser) {
        if (!userId.equals("me") && !SandboxMailStore.key(userId).equals(SandboxMailStore.key(tokenUser))) {
            throw GmailErrors.delegationDenied(userId);
        }
        return store.mailbox(tokenUser).orElseThrow(() -> GmailErrors.delegationDenied(userId));
    }

    private JsonNode execute(HttpExchange exchange, GmailRoute route, SandboxMailbox mailbox,
            Map<String, List<String>> query) throws IOException {
        return switch (route.method()) {
            case GET_PROFILE -> profile(mailbox);
            case LABELS_LIST -> labels(mailbox);
            case LABELS_GET -> label(mailbox, route.param(1));
            case LABELS_CREATE -> createLabel(mailbox, jsonBody(exchange));
            case MESSAGES_LIST -> MessageListing.list(mailbox, query, clock.instant());
            case MESSAGES_GET -> get(mailbox, route.param(1), query);
            case ATTACHMENTS_GET -> attachment(mailbox, route.param(1), route.param(3));
            case MESSAGES_MODIFY -> modify(mailbox, route.param(1), jsonBody(exchange));
            case MESSAGES_BATCH_MODIFY -> batchModify(mailbox, jsonBody(exchange));
            case MESSAGES_TRASH -> MessageJsonRenderer.reference(
                    mailbox.modify(route.param(1), List.of("TRASH"), List.of()), true);
            case MESSAGES_UNTRASH -> MessageJsonRenderer.reference(
                    mailbox.modify(route.param(1), List.of(), List.of("TRASH")), true);
            case MESSAGES_DELETE -> {
                mailbox.delete(route.param(1));
                yield null;
            }
            case MESSAGES_INSERT, MESSAGES_IMPORT, MESSAGES_SEND -> route.upload()
                    ? upload(exchange, route, mailbox, query)
                    : store(route.method(), mailbox, jsonBody(exchange), null, query);
            case HISTORY_LIST -> HistoryListing.list(mailbox, query);
            case THREADS_GET -> thread(mailbox, route.param(1), query);
            case WATCH -> watches.watch(mailbox, jsonBody(exchange));
            case STOP -> {
                watches.stop(mailbox);
                yield null;
            }
        };
    }

    // ---- users, labels

    private static ObjectNode profile(SandboxMailbox mailbox) {
        SandboxMailbox.Profile p = mailbox.profile();
        return HttpExchanges.JSON.createObjectNode()
                .put("emailAddress", p.emailAddress())
                .put("messagesTotal", p.messagesTotal())
                .put("threadsTotal", p.threadsTotal())
                .put("historyId", Long.toString(p.historyId()));
    }

    private static ObjectNode labels(SandboxMailbox mailbox) {
        ObjectNode out = HttpExchanges.JSON.createObjectNode();
        ArrayNode array = out.putArray("labels");
        mailbox.labels().forEach(l -> array.add(labelJson(l)));
        return out;
    }

    private static ObjectNode label(SandboxMailbox mailbox, String id) {
        SandboxLabel label = mailbox.label(id).orElseThrow(GmailErrors::notFound);
        SandboxMailbox.LabelCounts counts = mailbox.labelCounts(id);
        return labelJson(label)
                .put("messagesTotal", counts.messagesTotal())
                .put("messagesUnread", counts.messagesUnread())
                .put("threadsTotal", counts.threadsTotal())
                .put("threadsUnread", counts.threadsUnread());
    }

    private static ObjectNode createLabel(SandboxMailbox mailbox, JsonNode body) {
        return labelJson(mailbox.createLabel(body.path("name").asText(null),
                body.path("messageListVisibility").asText(null), body.path("labelListVisibility").asText(null)));
    }

    private static ObjectNode labelJson(SandboxLabel l) {
        ObjectNode node = HttpExchanges.JSON.createObjectNode().put("id", l.id()).put("name", l.name());
        if (l.messageListVisibility() != null) {
            node.put("messageListVisibility", l.messageListVisibility());
        }
        if (l.labelListVisibility() != null) {
            node.put("labelListVisibility", l.labelListVisibility());
        }
        return node.put("type", l.type());
    }

    // ---- messages

    private static ObjectNode get(SandboxMailbox mailbox, String id, Map<String, List<String>> query) {
        MessageSnapshot m = mailbox.get(id).orElseThrow(GmailErrors::notFound);
        MessageJsonRenderer.Format format = MessageJsonRenderer.Format.fromApi(HttpExchanges.first(query, "format"));
        return MessageJsonRenderer.message(m, format, query.getOrDefault("metadataHeaders", List.of()));
    }

    private static ObjectNode attachment(SandboxMailbox mailbox, String messageId, String attachmentId) {
        MessageSnapshot m = mailbox.get(messageId).orElseThrow(GmailErrors::notFound);
        String partId = MessageJsonRenderer.partIdOf(attachmentId, messageId)
                .orElseThrow(() -> GmailErrors.invalidArgument("Invalid attachment token"));
        ParsedMessage.PartNode part = m.parsed().part(partId).filter(p -> p.body() != null)
                .orElseThrow(GmailErrors::notFound);
        return MessageJsonRenderer.attachment(attachmentId, part.body());
    }

    private static ObjectNode modify(SandboxMailbox mailbox, String id, JsonNode body) {
        return MessageJsonRenderer.reference(
                mailbox.modify(id, strings(body, "addLabelIds"), strings(body, "removeLabelIds")), true);
    }

    private static JsonNode batchModify(SandboxMailbox mailbox, JsonNode body) {
        List<String> ids = strings(body, "ids");
        if (ids.size() > 1000) {
            throw GmailErrors.invalidArgument("Too many ids: at most 1000 per batchModify");
        }
        mailbox.batchModify(ids, strings(body, "addLabelIds"), strings(body, "removeLabelIds"));
        return null;
    }

    private static ObjectNode thread(SandboxMailbox mailbox, String threadId, Map<String, List<String>> query) {
        MessageJsonRenderer.Format format = MessageJsonRenderer.Format.fromApi(HttpExchanges.first(query, "format"));
        if (format == MessageJsonRenderer.Format.RAW) {
            throw GmailErrors.invalidArgument("Invalid format: raw is not supported for threads");
        }
        List<MessageSnapshot> messages = mailbox.thread(threadId);
        if (messages.isEmpty()) {
            throw GmailErrors.notFound();
        }
        return MessageJsonRenderer.thread(threadId, messages, format, query.getOrDefault("metadataHeaders", List.of()));
    }

    // ---- insert, import, send

    private ObjectNode store(GmailMethod method, SandboxMailbox mailbox, JsonNode metadata, byte[] media,
            Map<String, List<String>> query) {
        byte[] raw = media;
        if (raw == null) {
            String encoded = metadata.path("raw").asText("");
            if (encoded.isEmpty()) {
                throw GmailErrors.invalidArgument(RAW_REQUIRED);
            }
            raw = decodeBase64Url(encoded);
        }
        if (raw.length == 0) {
            throw GmailErrors.invalidArgument(RAW_REQUIRED);
        }
        String threadId = metadata.path("threadId").asText(null);
        MessageSnapshot stored = switch (method) {
            case MESSAGES_SEND -> store.send(mailbox, raw, threadId);
            case MESSAGES_IMPORT -> store.receive(mailbox, raw, strings(metadata, "labelIds"), threadId,
                    SandboxMailStore.InternalDateSource.fromApi(HttpExchanges.first(query, "internalDateSource"),
                            SandboxMailStore.InternalDateSource.DATE_HEADER));
            default -> store.receive(mailbox, raw, strings(metadata, "labelIds"), threadId,
                    SandboxMailStore.InternalDateSource.fromApi(HttpExchanges.first(query, "internalDateSource"),
                            SandboxMailStore.InternalDateSource.RECEIVED_TIME));
        };
        return MessageJsonRenderer.reference(stored, true);
    }

    private ObjectNode upload(HttpExchange exchange, GmailRoute route, SandboxMailbox mailbox,
            Map<String, List<String>> query) throws IOException {
        MediaUploads.Upload upload = MediaUploads.direct(HttpExchanges.first(query, "uploadType"),
                exchange.getRequestHeaders().getFirst("Content-Type"), HttpExchanges.body(exchange));
        return store(route.method(), mailbox, upload.metadata(), upload.media(), query);
    }

    /** Opens a resumable session; the client PUTs the bytes to the returned Location. */
    private void startResumable(HttpExchange exchange, GmailRoute route, SandboxMailbox mailbox,
            Map<String, List<String>> query) throws IOException {
        JsonNode metadata = jsonBody(exchange);
        String uploadId = uploads.open(new MediaUploads.Session(mailbox.address(), route.method(),
                route.userId(), query, (ObjectNode) metadata));
        String location = "http://" + exchange.getRequestHeaders().getFirst("Host")
                + exchange.getRequestURI().getRawPath() + "?uploadType=resumable&upload_id=" + uploadId;
        exchange.getResponseHeaders().set("Location", location);
        exchange.getResponseHeaders().set("X-GUploader-UploadID", uploadId);
        HttpExchanges.send(exchange, 200, null, new byte[0]);
    }

    private void continueResumable(HttpExchange exchange, String uploadId, String user) throws IOException {
        MediaUploads.Session session = uploads.session(uploadId).orElseThrow(GmailErrors::notFound);
        if (!SandboxMailStore.key(session.user).equals(SandboxMailStore.key(user))) {
            throw GmailErrors.delegationDenied(session.userId);
        }
        MediaUploads.Progress progress = uploads.put(uploadId, session,
                exchange.getRequestHeaders().getFirst("Content-Range"), HttpExchanges.body(exchange));
        if (progress.completed() == null) {
            if (progress.receivedBytes() > 0) {
                exchange.getResponseHeaders().set("Range", "bytes=0-" + (progress.receivedBytes() - 1));
            }
            HttpExchanges.send(exchange, 308, null, new byte[0]);
            return;
        }
        SandboxMailbox mailbox = store.mailbox(session.user).orElseThrow(GmailErrors::notFound);
        HttpExchanges.sendJson(exchange, 200, store(session.method, mailbox, progress.completed().metadata(),
                progress.completed().media(), session.query));
    }

    // ---- helpers

    private static JsonNode jsonBody(HttpExchange exchange) throws IOException {
        byte[] body = HttpExchanges.body(exchange);
        if (body.length == 0) {
            return HttpExchanges.JSON.createObjectNode();
        }
        JsonNode json = HttpExchanges.JSON.readTree(body);
        if (!json.isObject()) {
            throw GmailErrors.invalidArgument("Request body must be a JSON object");
        }
        return json;
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        node.path(field).forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Gmail takes base64url; be lenient about padding, whitespace and the standard alphabet, as Gmail is. */
    static byte[] decodeBase64Url(String encoded) {
        String normalized = encoded.replaceAll("\\s", "").replace('+', '-').replace('/', '_').replace("=", "");
        try {
            return Base64.getUrlDecoder().decode(normalized);
        } catch (IllegalArgumentException e) {
            throw GmailErrors.invalidArgument("Invalid value for ByteString: " + encoded.substring(0,
                    Math.min(20, encoded.length())) + "...");
        }
    }
}
