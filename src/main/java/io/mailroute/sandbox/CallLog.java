package io.mailroute.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which caller made which Gmail call for which mailbox, and when it started and ended: what a test of several
 * instances needs to see that two nodes never poll one mailbox at once. Off until {@link SandboxAdmin#recordCalls}
 * turns it on (the demo's sandbox keeps nothing), and bounded.
 */
public final class CallLog {

    /** The Gmail client's application name goes first in its User-Agent: {@code mailroute/<node-id> Google-API-Java-Client/...}. */
    private static final Pattern CALLER = Pattern.compile("^([^\\s/]+/[A-Za-z0-9._-]+)");
    private static final int MAX_CALLS = 1_000_000;

    /**
     * One answered call.
     *
     * @param caller the first product of its User-Agent ({@code mailroute/node-1}), or the whole header, or "" without one
     */
    public record Call(String user, String method, String caller, Instant started, Instant ended) {

        /** Whether the two calls were in flight at the same time. */
        public boolean overlaps(Call other) {
            return started.isBefore(other.ended) && other.started.isBefore(ended);
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private volatile boolean recording;

    void record(boolean on) {
        recording = on;
    }

    boolean recording() {
        return recording;
    }

    void add(String user, String method, String userAgent, Instant started, Instant ended) {
        if (!recording || user == null) {
            return;
        }
        Call call = new Call(user, method, caller(userAgent), started, ended);
        synchronized (calls) {
            if (calls.size() < MAX_CALLS) {
                calls.add(call);
            }
        }
    }

    static String caller(String userAgent) {
        if (userAgent == null) {
            return "";
        }
        Matcher m = CALLER.matcher(userAgent.strip());
        return m.find() ? m.group(1) : userAgent.strip();
    }

    List<Call> all() {
        synchronized (calls) {
            return List.copyOf(new ArrayList<>(calls));
        }
    }
}
