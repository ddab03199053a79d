package io.mailroute.gmail.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Locale;

/**
 * What Gmail publishes for a watched mailbox: {@code {"emailAddress": "...", "historyId": 1234}}, base64 in the Pub/Sub
 * message's {@code data}. Its history id is the mailbox's at the change; everything up to it is in {@code history.list}.
 */
public record PushNotification(String emailAddress, BigInteger historyId) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What is quoted of undecodable data in an error: enough to recognise it, never a whole payload. */
    private static final int QUOTE_LIMIT = 80;

    /**
     * Decodes a Pub/Sub message's {@code data}.
     *
     * @throws IllegalArgumentException saying what is wrong with it (such a message is acknowledged and dropped)
     */
    public static PushNotification decode(String base64Data) {
        if (base64Data == null || base64Data.isEmpty()) {
            throw new IllegalArgumentException("the message has no data (a Gmail notification carries {emailAddress, historyId})");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64Data);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its data is not base64: " + quote(base64Data));
        }
        JsonNode json;
        try {
            json = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("its data is not JSON: " + quote(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("its data is not a JSON object {emailAddress, historyId}");
        }
        String address = json.path("emailAddress").asText("").trim().toLowerCase(Locale.ROOT);
        if (address.isEmpty() || !address.contains("@")) {
            throw new IllegalArgumentException("its emailAddress is missing or not an address: " + quote(json.toString()));
        }
        JsonNode history = json.path("historyId");
        BigInteger historyId;
        try {
            // Gmail sends a JSON number; a string of digits is taken too
            historyId = history.isIntegralNumber() ? history.bigIntegerValue() : new BigInteger(history.asText("").trim());
        } catch (NumberFormatException e) {
            historyId = null;
        }
        if (historyId == null || historyId.signum() <= 0) {
            throw new IllegalArgumentException("its historyId is missing or not a positive number: " + quote(json.toString()));
        }
        return new PushNotification(address, historyId);
    }

    /** Whether a stored history cursor (a decimal string, or null) already covers this notification. */
    public boolean coveredBy(String cursor) {
        return covers(cursor, historyId);
    }

    /** Whether a stored history cursor (a decimal string, or null) is at or past the history id (null: never). */
    static boolean covers(String cursor, BigInteger historyId) {
        if (cursor == null || cursor.isBlank() || historyId == null) {
            return false;
        }
        try {
            return new BigInteger(cursor.trim()).compareTo(historyId) >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String quote(String text) {
        return "\"" + (text.length() > QUOTE_LIMIT ? text.substring(0, QUOTE_LIMIT) + "…" : text) + "\"";
    }
}
