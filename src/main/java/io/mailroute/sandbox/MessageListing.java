package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** {@code messages.list}: search ({@code q}), label filter, spam/trash hiding and paging, newest first. */
final class MessageListing {

    private MessageListing() {
    }

    static ObjectNode list(SandboxMailbox mailbox, Map<String, List<String>> query, Instant now) {
        MessageQuery q = MessageQuery.parse(HttpExchanges.first(query, "q"));
        List<String> labelIds = query.getOrDefault("labelIds", List.of());
        boolean includeSpamTrash = Boolean.parseBoolean(HttpExchanges.first(query, "includeSpamTrash"))
                || q.searchesSpamOrTrash() || labelIds.contains("SPAM") || labelIds.contains("TRASH");
        int max = HttpExchanges.pageSize(query);
        Map<String, String> names = mailbox.labelNames();
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
}
