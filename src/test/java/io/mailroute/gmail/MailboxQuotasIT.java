package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.api.services.gmail.Gmail;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxCredentials;
import io.mailroute.sandbox.SandboxOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A mailbox's Gmail client paced by its quota against the sandbox enforcing Gmail's quota (units per rolling
 * second, 429 beyond): every call is paced at its published cost, bursts draw no 429, and the budget is spent
 * whole (the pacer holds back only what Gmail would refuse).
 */
class MailboxQuotasIT {

    private static final String ADDRESS = "support@acme.example";
    private static final int BUDGET = 50;

    private GmailSandbox sandbox;
    private QuotaPacer pacer;
    private final List<QuotaPacer.Spend> spends = Collections.synchronizedList(new ArrayList<>());
    private final List<Boolean> wentAtOnce = Collections.synchronizedList(new ArrayList<>());
    private Gmail gmail;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        sandbox.admin().setQuota(BUDGET);
        sandbox.admin().addUser(ADDRESS, "refresh-support");
        pacer = new QuotaPacer(BUDGET);
        IntFunction<QuotaPacer.Spend> quota = units -> {
            wentAtOnce.add(pacer.waitNanos(units, System.nanoTime()) == 0);
            QuotaPacer.Spend spend = pacer.acquire(units);
            spends.add(spend);
            return spend;
        };
        SandboxCredentials c = sandbox.admin().credentials(ADDRESS);
        gmail = new GmailClientFactory(sandbox.rootUrl(), sandbox.tokenUrl(), 5_000).pacedBy(quota)
                .makeClient(c.clientId(), c.clientSecret(), List.of(), "test", c.refreshToken(), null);
    }

    @AfterEach
    void tearDown() {
        sandbox.close();
    }

    @Test
    void everyCallIsPacedAtItsCostAndTheFirstSecondSpendsTheWholeBudget() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(insert("burst " + i));
        }
        long historyId = gmail.users().getProfile("me").execute().getHistoryId().longValue(); // 1 unit
        gmail.users().labels().list("me").execute();                                             // 1
        for (int i = 0; i < 3; i++) {
            gmail.users().history().list("me").setStartHistoryId(java.math.BigInteger.valueOf(historyId)).execute(); // 2 each
        }
        for (String id : ids) {
            gmail.users().messages().get("me", id).setFormat("raw").execute();                    // 5 each
        }

        var user = sandbox.admin().stats().user(ADDRESS);
        assertEquals(0, user.rateLimited(), "no 429");
        assertEquals(1 + 1 + 3 * 2 + 20 * 5, user.quotaUnitsUsed());
        assertEquals(user.quotaUnitsUsed(), spentUnits(), "the pacer counted every call Gmail charged, at Gmail's price");
        assertEquals(List.of(true, true, true, true, true, true, true, true, true, true, true, true, true, false),
                wentAtOnce.subList(0, 14), "profile, labels and 3 history.list (8 units), then 8 messages.get went at once: "
                        + "48 of the 50 units, no headroom held back; the 9th messages.get waited for room");
    }

    @Test
    void concurrentFetchesDrawNo429AndAnUnauthorizedTryGivesItsUnitsBack() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            ids.add(insert("concurrent " + i));
        }
        gmail.users().getProfile("me").execute();
        sandbox.admin().expireAccessTokens(ADDRESS); // the next call is answered 401, then tried again with a new token
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fetches = new ArrayList<>();
            for (String id : ids) {
                fetches.add(threads.submit(() -> gmail.users().messages().get("me", id).setFormat("raw").execute()));
            }
            for (Future<?> fetch : fetches) {
                fetch.get();
            }
        } finally {
            threads.shutdownNow();
        }

        var user = sandbox.admin().stats().user(ADDRESS);
        assertEquals(0, user.rateLimited(), "no 429 with four callers at once");
        assertEquals(24L, user.requestsByMethod().get("messages.get"), "every message fetched once");
        assertEquals(true, spends.size() > 1 + 24, "the tries answered 401 went through the pacer too: " + spends.size());
        assertEquals(user.quotaUnitsUsed(), spentUnits(), "401s charged nothing, and gave their units back");
    }

    private long spentUnits() {
        synchronized (spends) {
            return spends.stream().mapToLong(QuotaPacer.Spend::units).sum();
        }
    }

    private String insert(String subject) {
        return SandboxClients.insert(sandbox, ADDRESS, subject);
    }
}
