package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code history.list}: records after {@code startHistoryId}, filtered by {@code historyTypes} and
 * {@code labelId}, paged; 404 when the start id is older than the mailbox keeps.
 */
final class HistoryListing {

    private HistoryListing() {
    }

    static ObjectNode list(SandboxMailbox mailbox, Map<String, List<String>> query) {
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
                HttpExchanges.first(query, "labelId"), HttpExchanges.pageSize(query));
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
}
