package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gmail REST API under {@code /gmail/v1/users/...} and {@code /upload/gmail/v1/users/...}. Each request
 * goes: latency, route, bearer auth, user check, 429 storm, quota, random fault, then the method.
 */
final class GmailApiHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(GmailApiHandler.class);
    private static final String API_PREFIX = "/gmail/v1/users/";
    private static final String UPLOAD_PREFIX = "/upload/gmail/v1/users/";
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 500;
    private static final String RAW_REQUIRED =
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required";

    private record Route(GmailMethod method, String userId, List<String> params, boolean upload) {
        String param(int i) {
            return params.get(i);
        }
    }

    private final SandboxMailStore store;
    private final OAuthTokenStore tokens;
    private final QuotaMeter quota;
    private final FaultInjector faults;
    private final UsageCounters usage;
    private final MediaUploads uploads = new MediaUploads();
    private final Clock clock;

    GmailApiHandler(SandboxMailStore store, OAuthTokenStore tokens, QuotaMeter quota, FaultInjector faults,
            UsageCounters usage, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.quota = quota;
        this.faults = faults;
        this.usage = usage;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            faults.delay();
            Route route = route(exchange);
            String user = authenticate(exchange);
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
        faults.randomError().ifPresent(e -> {
            throw e;
        });
    }

    private String authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String token = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = header.substring(7).trim();
        } else {
            token = HttpExchanges.first(HttpExchanges.query(exchange), "access_token");
        }
        if (token == null || token.isEmpty()) {
            throw GmailErrors.unauthenticated(false);
        }
        return tokens.userForAccessToken(token).orElseThrow(() -> GmailErrors.unauthenticated(true));
    }

    private SandboxMailbox mailboxFor(String userId, String tokenUser) {
        if (!userId.equals("me") && !SandboxMailStore.key(userId).equals(SandboxMailStore.key(tokenUser))) {
            throw GmailErrors.delegationDenied(userId);
        }
        return store.mailbox(tokenUser).orElseThrow(() -> GmailErrors.delegationDenied(userId));
    }

    // ---- routing

    private static Route route(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        boolean upload = path.startsWith(UPLOAD_PREFIX);
        String rest = path.substring(upload ? UPLOAD_PREFIX.length() : API_PREFIX.length());
        List<String> s = Arrays.stream(rest.split("/")).map(HttpExchanges::decode).toList();
        String verb = exchange.getRequestMethod();
        GmailMethod method = match(verb, s);
        if (method == null || s.get(0).isEmpty()) {
            throw GmailErrors.notFound();
        }
        if (upload && method != GmailMethod.MESSAGES_INSERT && method != GmailMethod.MESSAGES_IMPORT
                && method != GmailMethod.MESSAGES_SEND) {
            throw GmailErrors.notFound();
        }
        return new Route(method, s.get(0), s.subList(1, s.size()), upload);
    }

    private static GmailMethod match(String verb, List<String> s) {
        int n = s.size();
        String kind = n > 1 ? s.get(1) : "";
        boolean get = verb.equals("GET");
        boolean post = verb.equals("POST") || verb.equals("PUT");
        switch (kind) {
            case "profile":
                return get && n == 2 ? GmailMethod.GET_PROFILE : null;
            case "labels":
                if (n == 2) {
                    return get ? GmailMethod.LABELS_LIST : post ? GmailMethod.LABELS_CREATE : null;
                }
                return get && n == 3 ? GmailMethod.LABELS_GET : null;
            case "history":
                return get && n == 2 ? GmailMethod.HISTORY_LIST : null;
            case "threads":
                return get && n == 3 ? GmailMethod.THREADS_GET : null;
            case "messages":
                if (n == 2) {
                    return get ? GmailMethod.MESSAGES_LIST : post ? GmailMethod.MESSAGES_INSERT : null;
                }
                if (n == 3 && post) {
                    return switch (s.get(2)) {
                        case "send" -> GmailMethod.MESSAGES_SEND;
                        case "import" -> GmailMethod.MESSAGES_IMPORT;
                        case "batchModify" -> GmailMethod.MESSAGES_BATCH_MODIFY;
                        default -> null;
                    };
                }
                if (n == 3) {
                    return get ? GmailMethod.MESSAGES_GET : verb.equals("DELETE") ? GmailMethod.MESSAGES_DELETE : null;
                }
                if (n == 4 && post) {
                    return switch (s.get(3)) {
                        case "modify" -> GmailMethod.MESSAGES_MODIFY;
                        case "trash" -> GmailMethod.MESSAGES_TRASH;
                        case "untrash" -> GmailMethod.MESSAGES_UNTRASH;
                        default -> null;
                    };
                }
                return get && n == 5 && s.get(3).equals("attachments") ? GmailMethod.ATTACHMENTS_GET : null;
            default:
                return null;
        }
    }

    private JsonNode execute(HttpExchange exchange, Route route, SandboxMailbox mailbox,
            Map<String, List<String>> query) throws IOException {
        return switch (route.method()) {
            case GET_PROFILE -> profile(mailbox);
            case LABELS_LIST -> labels(mailbox);
            case LABELS_GET -> label(mailbox, route.param(1));
            case LABELS_CREATE -> createLabel(mailbox, jsonBody(exchange));
            case MESSAGES_LIST -> list(mailbox, query);
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
            case HISTORY_LIST -> history(mailbox, query);
            case THREADS_GET -> thread(mailbox, route.param(1), query);
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

    private ObjectNode list(SandboxMailbox mailbox, Map<String, List<String>> query) {
        MessageQuery q = MessageQuery.parse(HttpExchanges.first(query, "q"));
        List<String> labelIds = query.getOrDefault("labelIds", List.of());
        boolean includeSpamTrash = Boolean.parseBoolean(HttpExchanges.first(query, "includeSpamTrash"))
                || q.searchesSpamOrTrash() || labelIds.contains("SPAM") || labelIds.contains("TRASH");
        int max = pageSize(query);
        Map<String, String> names = mailbox.labelNames();
        java.time.Instant now = clock.instant();
        Predicate<MessageSnapshot> filter = m -> m.labelIds().containsAll(labelIds)
                && (includeSpamTrash || (!m.labelIds().contains("SPAM") && !m.labelIds().contains("TRASH")))
                && q.matches(facts(m, names, mailbox.address()), now);
        List<MessageSnapshot> matching = mailbox.list(filter);

        int from = 0;
        String pageToken = HttpExchanges.first(query, "pageToken");
        if (pageToken != null && !pageToken.isEmpty()) {
            from = pageStart(matching, pageToken);
        }
        List<MessageSnapshot> page = matching.subList(from, Math.min(matching.size(), from + max));
        ObjectNode out = HttpExchanges.JSON.createObjectNode();
        if (!page.isEmpty()) {
            ArrayNode array = out.putArray("messages");
            page.forEach(m -> array.add(MessageJsonRenderer.reference(m, false)));
        }
        if (from + page.size() < matching.size()) {
            MessageSnapshot last = page.get(page.size() - 1);
            out.put("nextPageToken", last.internalDate() + "-" + last.id());
        }
        return out.put("resultSizeEstimate", matching.size());
    }

    /** A page token names the last message of the previous page, so paging survives new mail. */
    private static int pageStart(List<MessageSnapshot> newestFirst, String pageToken) {
        int dash = pageToken.lastIndexOf('-');
        long date;
        String id;
        try {
            date = Long.parseLong(pageToken.substring(0, dash));
            id = pageToken.substring(dash + 1);
        } catch (RuntimeException e) {
            throw GmailErrors.invalidArgument("Invalid pageToken");
        }
        for (int i = 0; i < newestFirst.size(); i++) {
            MessageSnapshot m = newestFirst.get(i);
            if (m.internalDate() < date || (m.internalDate() == date && m.id().compareTo(id) < 0)) {
                return i;
            }
        }
        return newestFirst.size();
    }

    static MessageFacts facts(MessageSnapshot m, Map<String, String> labelNames, String owner) {
        ParsedMessage p = m.parsed();
        Set<String> names = new LinkedHashSet<>();
        m.labelIds().forEach(id -> names.add(labelNames.getOrDefault(id, id)));
        return new MessageFacts(owner, p.headerOrEmpty("From"), p.headerOrEmpty("To"), p.headerOrEmpty("Cc"),
                p.headerOrEmpty("Bcc"), p.subject(), p.plainText(), Set.copyOf(m.labelIds()), names,
                m.internalDate(), p.filenames(), m.raw().length, p.header("Message-ID").orElse(null));
    }

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

    private ObjectNode upload(HttpExchange exchange, Route route, SandboxMailbox mailbox,
            Map<String, List<String>> query) throws IOException {
        MediaUploads.Upload upload = MediaUploads.direct(HttpExchanges.first(query, "uploadType"),
                exchange.getRequestHeaders().getFirst("Content-Type"), HttpExchanges.body(exchange));
        return store(route.method(), mailbox, upload.metadata(), upload.media(), query);
    }

    /** Opens a resumable session; the client PUTs the bytes to the returned Location. */
    private void startResumable(HttpExchange exchange, Route route, SandboxMailbox mailbox,
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

    // ---- history

    private static ObjectNode history(SandboxMailbox mailbox, Map<String, List<String>> query) {
        String start = HttpExchanges.first(query, "startHistoryId");
        if (start == null || start.isEmpty()) {
            throw GmailErrors.invalidArgument("Missing required parameter: startHistoryId");
        }
        long startId;
        try {
            startId = Long.parseUnsignedLong(start);
        } catch (NumberFormatException e) {
            throw GmailErrors.invalidArgument("Invalid startHistoryId: " + start);
        }
        String pageToken = HttpExchanges.first(query, "pageToken");
        long afterId = startId;
        if (pageToken != null && !pageToken.isEmpty()) {
            try {
                afterId = Math.max(startId, Long.parseLong(pageToken));
            } catch (NumberFormatException e) {
                throw GmailErrors.invalidArgument("Invalid pageToken");
            }
        }
        Set<HistoryLog.ChangeType> types = EnumSet.noneOf(HistoryLog.ChangeType.class);
        query.getOrDefault("historyTypes", List.of()).forEach(t -> types.add(HistoryLog.ChangeType.fromApi(t)));
        SandboxMailbox.HistoryPage page = mailbox.history(startId, afterId, types,
                HttpExchanges.first(query, "labelId"), pageSize(query));
        ObjectNode out = HttpExchanges.JSON.createObjectNode();
        if (!page.records().isEmpty()) {
            ArrayNode array = out.putArray("history");
            page.records().forEach(r -> array.add(historyRecord(r)));
        }
        if (page.nextAfterId() != null) {
            out.put("nextPageToken", Long.toString(page.nextAfterId()));
        }
        return out.put("historyId", Long.toString(page.historyId()));
    }

    private static ObjectNode historyRecord(HistoryLog.Record r) {
        ObjectNode node = HttpExchanges.JSON.createObjectNode().put("id", Long.toString(r.id()));
        node.putArray("messages").addObject().put("id", r.messageId()).put("threadId", r.threadId());
        ObjectNode change = node.putArray(r.type().field).addObject();
        ObjectNode message = change.putObject("message").put("id", r.messageId()).put("threadId", r.threadId());
        ArrayNode labels = message.putArray("labelIds");
        r.messageLabels().forEach(labels::add);
        if (!r.changedLabels().isEmpty()) {
            ArrayNode changed = change.putArray("labelIds");
            r.changedLabels().forEach(changed::add);
        }
        return node;
    }

    // ---- helpers

    private static int pageSize(Map<String, List<String>> query) {
        String max = HttpExchanges.first(query, "maxResults");
        if (max == null || max.isEmpty()) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(max);
            if (n < 1) {
                throw GmailErrors.invalidArgument("Invalid maxResults: " + max);
            }
            return Math.min(n, MAX_PAGE);
        } catch (NumberFormatException e) {
            throw GmailErrors.invalidArgument("Invalid maxResults: " + max);
        }
    }

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
