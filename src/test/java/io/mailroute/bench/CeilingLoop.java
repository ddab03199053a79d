package io.mailroute.bench;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.History;
import com.google.api.services.gmail.model.HistoryMessageAdded;
import com.google.api.services.gmail.model.ListHistoryResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling: the same Google client Mailroute uses, doing only what any pipeline on it must do —
 * {@code history.list} from a cursor and {@code messages.get(format=RAW)} for each id — and nothing
 * with the result. One thread and one client per mailbox, as Mailroute has one poller and one client
 * per mailbox. No pipeline on this client against this sandbox can be faster.
 */
final class CeilingLoop {

    private CeilingLoop() {
    }

    /**
     * Fetches everything added to each mailbox after its start history id.
     *
     * @return messages fetched
     */
    static int run(SandboxProcess sandbox, List<SandboxProcess.Credentials> mailboxes, Map<String, Long> startHistoryIds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(mailboxes.size());
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (SandboxProcess.Credentials mailbox : mailboxes) {
                Gmail gmail = sandbox.gmail(mailbox);
                long start = startHistoryIds.get(mailbox.address());
                results.add(pool.submit(() -> drain(gmail, start)));
            }
            int fetched = 0;
            for (Future<Integer> result : results) {
                fetched += result.get();
            }
            return fetched;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int drain(Gmail gmail, long startHistoryId) throws IOException {
        int fetched = 0;
        String pageToken = null;
        do {
            ListHistoryResponse page = gmail.users().history().list("me")
                    .setStartHistoryId(BigInteger.valueOf(startHistoryId))
                    .setHistoryTypes(List.of("messageAdded"))
                    .setMaxResults(500L)
                    .setPageToken(pageToken)
                    .execute();
            for (History record : page.getHistory() == null ? List.<History>of() : page.getHistory()) {
                for (HistoryMessageAdded added : record.getMessagesAdded() == null
                        ? List.<HistoryMessageAdded>of() : record.getMessagesAdded()) {
                    gmail.users().messages().get("me", added.getMessage().getId()).setFormat("raw").execute();
                    fetched++;
                }
            }
            pageToken = page.getNextPageToken();
        } while (pageToken != null);
        return fetched;
    }
}
