package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pacer on a clock the test moves: what fits, what waits and until when. */
class QuotaPacerTest {

    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000 * MILLI;
    private static final long T0 = 1_000 * SECOND;

    private long now = T0;
    private final QuotaPacer pacer = new QuotaPacer(50, () -> now);

    @Test
    void aBurstUpToTheBudgetGoesAtOnceAndTheNextWaitsUntilTheFirstAnswerIsAWindowOld() {
        List<QuotaPacer.Spend> burst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            assertEquals(0, pacer.waitNanos(5, now), "call " + i + " of the budget's ten");
            burst.add(pacer.spend(5, now));
        }
        now += 20 * MILLI;
        burst.get(0).answered();
        assertEquals(QuotaPacer.WINDOW_NANOS, pacer.waitNanos(5, now), "the first answer plus Gmail's window");
        assertEquals(0, pacer.waitNanos(5, now + QuotaPacer.WINDOW_NANOS));
    }

    @Test
    void anUnansweredCallCountsUntilItIsAnsweredHoweverLongItTakes() {
        QuotaPacer.Spend slow = pacer.spend(50, now);
        now += 5 * SECOND;
        assertTrue(pacer.waitNanos(5, now) > 0, "Gmail may charge it on arrival, any time before its answer");
        slow.answered();
        assertEquals(QuotaPacer.WINDOW_NANOS, pacer.waitNanos(5, now));
    }

    @Test
    void aCallGmailRefusedAsUnauthorizedGivesItsUnitsBack() {
        pacer.spend(45, now);
        QuotaPacer.Spend unauthorized = pacer.spend(5, now);
        assertTrue(pacer.waitNanos(5, now) > 0);
        unauthorized.release();
        assertEquals(0, pacer.waitNanos(5, now));
        assertEquals(45, pacer.unitsInWindow(now));
    }

    @Test
    void aCallDearerThanTheWholeBudgetGoesAlone() {
        assertEquals(0, pacer.waitNanos(100, now), "messages.send on a 50-unit budget: alone, not never");
        pacer.spend(100, now).answered();
        assertTrue(pacer.waitNanos(1, now) > 0);
    }

    /**
     * Gmail's budget (250 units/s) and messages.get calls that reach Gmail anywhere between their sending and
     * their answer, 2 to 40 ms there and back: Gmail never counts more than the budget in a second of arrivals,
     * and the mailbox still gets at least 95 % of it.
     */
    @Test
    void noSecondOfArrivalsHoldsMoreThanTheBudgetAndTheBudgetIsSpent() {
        int budget = 250;
        QuotaPacer full = new QuotaPacer(budget, () -> now);
        Random travel = new Random(7);
        List<Long> arrivals = new ArrayList<>();
        java.util.PriorityQueue<long[]> answers = new java.util.PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        List<QuotaPacer.Spend> spends = new ArrayList<>();
        while (arrivals.size() < 2_000) { // as many callers as want to go: only the pacer holds them back
            long wait = full.waitNanos(5, now);
            if (!answers.isEmpty() && answers.peek()[0] <= now + wait) {
                long[] answer = answers.poll();
                now = Math.max(now, answer[0]);
                spends.get((int) answer[1]).answered();
                continue;
            }
            now += wait;
            spends.add(full.spend(5, now));
            long there = (1 + travel.nextInt(20)) * MILLI;
            arrivals.add(now + there);
            answers.add(new long[] {now + there + (1 + travel.nextInt(20)) * MILLI, spends.size() - 1});
        }
        arrivals.sort(null);
        for (int i = 0; i < arrivals.size(); i++) {
            long arrival = arrivals.get(i);
            long units = 5 * arrivals.stream().filter(a -> a > arrival - SECOND && a <= arrival).count();
            assertTrue(units <= budget, "the second up to arrival " + i + " held " + units + " units");
        }
        double seconds = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / (double) SECOND;
        double rate = 5 * (arrivals.size() - 1) / seconds;
        assertTrue(rate >= 0.95 * budget, "spent " + rate + " units/s of " + budget);
    }
}
