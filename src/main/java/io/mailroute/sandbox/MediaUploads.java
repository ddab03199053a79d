package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's media upload protocols on {@code /upload/...}: {@code uploadType=media} (the message bytes),
 * {@code multipart} (JSON metadata then the bytes, in multipart/related) and {@code resumable} (a session
 * the client then PUTs the bytes to, which is what the Java client does by default).
 */
final class MediaUploads {

    /** The message resource from the JSON metadata (may be empty) and the uploaded RFC 822 bytes. */
    record Upload(ObjectNode metadata, byte[] media) {
    }

    /** An open resumable session: who opened it, for which method, and what has arrived so far. */
    static final class Session {
        final String user;
        final GmailMethod method;
        final String userId;
        final Map<String, List<String>> query;
        final ObjectNode metadata;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        Session(String user, GmailMethod method, String userId, Map<String, List<String>> query, ObjectNode metadata) {
            this.user = user;
            this.method = method;
            this.userId = userId;
            this.query = query;
            this.metadata = metadata;
        }
    }

    /** What a PUT to a session led to: complete (run the method) or still waiting for bytes. */
    record Progress(Upload completed, long receivedBytes) {
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    static Upload direct(String uploadType, String contentType, byte[] body) throws IOException {
        if ("multipart".equals(uploadType)) {
            return multipart(contentType, body);
        }
        if ("media".equals(uploadType) || uploadType == null) {
            return new Upload(HttpExchanges.JSON.createObjectNode(), body);
        }
        throw GmailErrors.invalidArgument("Invalid uploadType: " + uploadType);
    }

    String open(Session session) {
        String id = UUID.randomUUID().toString().replace("-", "");
        sessions.put(id, session);
        return id;
    }

    Optional<Session> session(String uploadId) {
        return Optional.ofNullable(sessions.get(uploadId));
    }

    /** Appends one PUT's bytes; a Content-Range total that is reached completes and closes the session. */
    Progress put(String uploadId, Session session, String contentRange, byte[] chunk) {
        synchronized (session) {
            long total = -1;
            long start = session.received.size();
            if (contentRange != null) {
                Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
                if (!m.matches()) {
                    throw GmailErrors.badRequest("Invalid Content-Range: " + contentRange);
                }
                if (m.group(1) != null) {
                    start = Long.parseLong(m.group(1));
                }
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else {
                total = start + chunk.length; // a single PUT with the whole content
            }
            if (start != session.received.size() && chunk.length > 0) {
                throw GmailErrors.badRequest("Upload out of order: expected byte " + session.received.size());
            }
            session.received.writeBytes(chunk);
            long received = session.received.size();
            if (total >= 0 && received >= total) {
                sessions.remove(uploadId);
                return new Progress(new Upload(session.metadata, session.received.toByteArray()), received);
            }
            return new Progress(null, received);
        }
    }

    private static Upload multipart(String contentType, byte[] body) throws IOException {
        Matcher b = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType == null ? "" : contentType);
        if (!b.find()) {
            throw GmailErrors.badRequest("multipart upload without a boundary");
        }
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + b.group(1);
        int first = text.indexOf(delimiter);
        if (first < 0) {
            throw GmailErrors.badRequest("multipart upload without parts");
        }
        ObjectNode metadata = HttpExchanges.JSON.createObjectNode();
        byte[] media = null;
        int pos = first + delimiter.length();
        int partIndex = 0;
        while (!text.startsWith("--", pos)) {
            pos = skipLineBreak(text, pos);
            int next = text.indexOf(delimiter, pos);
            if (next < 0) {
                throw GmailErrors.badRequest("multipart upload not terminated");
            }
            int contentEnd = next;
            if (contentEnd >= 2 && text.startsWith("\r\n", contentEnd - 2)) {
                contentEnd -= 2;
            } else if (contentEnd >= 1 && text.charAt(contentEnd - 1) == '\n') {
                contentEnd -= 1;
            }
            String part = text.substring(pos, contentEnd);
            int crlf = part.indexOf("\r\n\r\n");
            int lf = part.indexOf("\n\n");
            int bodyStart = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : 0;
            String headers = part.substring(0, bodyStart).toLowerCase(java.util.Locale.ROOT);
            byte[] content = part.substring(bodyStart).getBytes(StandardCharsets.ISO_8859_1);
            if (partIndex == 0 && headers.contains("application/json")) {
                JsonNode json = HttpExchanges.JSON.readTree(content);
                if (json instanceof ObjectNode object) {
                    metadata = object;
                }
            } else {
                if (headers.contains("content-transfer-encoding: base64")) {
                    content = java.util.Base64.getMimeDecoder().decode(content);
                }
                media = content;
            }
            partIndex++;
            pos = next + delimiter.length();
        }
        if (media == null) {
            throw GmailErrors.badRequest("multipart upload without media part");
        }
        return new Upload(metadata, media);
    }

    private static int skipLineBreak(String text, int pos) {
        if (text.startsWith("\r\n", pos)) {
            return pos + 2;
        }
        return text.startsWith("\n", pos) ? pos + 1 : pos;
    }
}
