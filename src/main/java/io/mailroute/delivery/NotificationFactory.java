package io.mailroute.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The words of a notification, from its event: short, useful on a lock screen, and free of mail
 * bodies (an event's data carries metadata only). {@code itemUrl} has {@code {itemId}} filled in.
 */
public final class NotificationFactory {

    private final String itemUrl;
    private Links links = (delivery, event) -> null;
    private AckLinks ackLinks = (delivery, data) -> null;
    private String mailboxPages;

    public NotificationFactory(String itemUrl) {
        this.itemUrl = itemUrl;
    }

    /** A link made for one delivery's recipient (e.g. an approver's signed decision link), instead of the item's. */
    @FunctionalInterface
    public interface Links {
        /** @return the URL for this delivery, or null for the item's */
        String url(Delivery delivery, JsonNode event);
    }

    public NotificationFactory withLinks(Links links) {
        this.links = links;
        return this;
    }

    /** The signed acknowledgement URL of one delivery (io.mailroute.engagement.EngagementLinks). */
    @FunctionalInterface
    public interface AckLinks {
        /**
         * @param data the notification's data so far (priority, itemId, ...)
         * @return the URL for {@link Notification#ACK_URL}, or null for none
         */
        String ackUrl(Delivery delivery, Map<String, String> data);
    }

    /** Gives each notification its delivery's acknowledgement URL, in its data ({@link Notification#ackUrl}). */
    public NotificationFactory withAckLinks(AckLinks ackLinks) {
        this.ackLinks = ackLinks;
        return this;
    }

    /**
     * Connection notices ({@code connection.broken}, {@code .restored}, {@code .revoked}) link to the mailbox's console
     * page, {@code <consoleUrl>/console/mailboxes/<id>}, where an admin re-authorizes it.
     *
     * @param consoleUrl {@code mailroute.console.public-url}
     */
    public NotificationFactory withMailboxPages(String consoleUrl) {
        this.mailboxPages = consoleUrl == null ? null : consoleUrl.endsWith("/") ? consoleUrl : consoleUrl + "/";
        return this;
    }

    public Notification from(Delivery delivery, JsonNode event) {
        JsonNode data = event.path("data");
        String itemId = data.hasNonNull("itemId") ? data.get("itemId").asText() : null;
        String queue = data.path("queue").asText("");
        String subject = data.path("subject").asText("");
        String title;
        String body;
        switch (event.path("type").asText()) {
            case "case.created" -> {
                title = "[" + data.path("priority").asText("NORMAL") + "] New " + data.path("type").asText("case").toLowerCase()
                        + " #" + itemId + " in " + queue;
                body = subject;
            }
            case "item.replied" -> {
                title = "Reply on #" + itemId;
                body = data.path("from").asText("") + ": " + subject;
            }
            case "item.assigned" -> {
                title = "#" + itemId + " assigned to " + data.path("to").asText("nobody");
                body = "by " + data.path("by").asText("");
            }
            case "item.state-changed" -> {
                title = "#" + itemId + " is now " + data.path("to").asText();
                body = "was " + data.path("from").asText() + ", by " + data.path("by").asText("");
            }
            case "item.info-requested" -> { // io.mailroute.loop.CustomerMessages: to the customer, in their thread
                title = "More information needed for case #" + itemId;
                body = data.path("text").asText("");
            }
            case "item.status-update" -> {
                title = "Update on case #" + itemId;
                body = data.path("text").asText("");
            }
            case "sla.breached" -> {
                title = "SLA breached: #" + itemId + " in " + queue;
                body = subject + " (due " + data.path("slaDueAt").asText("") + ")";
            }
            case "alert.raised" -> {
                // another system's alert carries its severity; Mailroute's own do not
                title = (data.hasNonNull("severity") ? "[" + data.get("severity").asText().toUpperCase(java.util.Locale.ROOT)
                        + "] " : "") + (data.path("reminder").asBoolean() ? "Still happening (" + data.path("occurrences").asText()
                        + "x): " : "Alert: ") + data.path("kind").asText() + " " + data.path("subject").asText("");
                body = data.path("summary").asText("");
            }
            case "alert.resolved" -> {
                title = "Resolved: " + data.path("kind").asText() + " " + data.path("subject").asText("");
                body = data.path("summary").asText("");
            }
            case "subscription.dead-lettered" -> {
                title = "Flow " + data.path("subscription").asText() + " gave up on an event";
                body = data.path("eventType").asText() + " #" + data.path("eventSeq").asText() + ": " + data.path("error").asText();
            }
            case "connection.broken" -> {
                String mailbox = event.path("mailbox").asText();
                title = "Mailbox " + mailbox + " is not connected";
                // The fix first: a lock screen shows the start, and Gmail's error text can be long.
                body = data.path("address").asText(mailbox) + ": Gmail refused its OAuth grant. Fix: "
                        + (mailboxPages == null ? "" : "Re-authorize on its console page, or ")
                        + data.path("reconnect").asText() + ". Its mail is not read until then; nothing is lost, intake "
                        + "resumes where it stopped. (" + data.path("error").asText("no detail") + ")";
            }
            case "connection.restored" -> {
                title = "Mailbox " + event.path("mailbox").asText() + " is connected again";
                body = data.path("address").asText("") + " is ACTIVE; intake resumes from where it stopped.";
            }
            case "connection.revoked" -> {
                title = "Mailbox " + event.path("mailbox").asText() + " was disconnected";
                body = data.path("address").asText("") + ": its grant was revoked and deleted; mail it would send goes "
                        + "from the fallback sender. To connect it again: " + data.path("reconnect").asText();
            }
            case "approval.requested" -> {
                title = "Approval needed: " + data.path("title").asText("");
                body = "Asked by " + data.path("requester").asText("") + (data.path("expiresAt").isTextual()
                        ? ", decide before " + data.path("expiresAt").asText() : "") + ". Open to approve or reject.";
            }
            case "approval.decided" -> {
                title = "Approval " + data.path("outcome").asText("") + ": " + data.path("title").asText("");
                body = "by " + data.path("approver").asText("") + " (" + data.path("how").asText("") + ")";
            }
            default -> {
                title = event.path("type").asText("event");
                body = subject;
            }
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("eventType", event.path("type").asText());
        for (String key : new String[] {"itemId", "approvalId", "queue", "priority", "category", "type", "state", "severity",
                "text"}) {
            if (data.hasNonNull(key) && data.get(key).isValueNode()) {
                fields.put(key.equals("type") ? "itemType" : key, data.get(key).asText());
            }
        }
        String ackUrl = ackLinks.ackUrl(delivery, Map.copyOf(fields));
        if (ackUrl != null) {
            fields.put(Notification.ACK_URL, ackUrl);
        }
        String url = links.url(delivery, event);
        if (url == null && mailboxPages != null && event.path("type").asText().startsWith("connection.")
                && event.path("mailbox").isTextual()) {
            url = mailboxPages + "console/mailboxes/" + java.net.URLEncoder.encode(event.path("mailbox").asText(),
                    java.nio.charset.StandardCharsets.UTF_8);
        }
        if (url == null) {
            url = itemId == null || itemUrl == null || itemUrl.isBlank() ? null : itemUrl.replace("{itemId}", itemId);
        }
        return new Notification(String.valueOf(delivery.id()), delivery.eventId(), event.path("type").asText(),
                clip(title, 120), clip(body, 400), url, fields);
    }

    private static String clip(String text, int max) {
        String flat = text == null ? "" : text.replaceAll("\\p{Cntrl}", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
    }
}
