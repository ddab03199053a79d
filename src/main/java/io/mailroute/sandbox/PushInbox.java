package io.mailroute.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the sandbox's push receivers accepted (or refused), in arrival order, for the demo and tests. */
public final class PushInbox {

    /**
     * @param channel  webhook, fcm, webpush, appworks
     * @param target   the device token, subscription id, user or path it was sent to
     * @param accepted whether the receiver accepted it (status 2xx)
     * @param status   the HTTP status answered
     * @param payload  the decoded payload (for Web Push: the decrypted plaintext)
     * @param headers  selected request headers
     * @param verdict  what the receiver checked and concluded (signature valid, VAPID ok, ...)
     */
    public record Push(Instant receivedAt, String channel, String target, boolean accepted, int status, String payload,
            Map<String, String> headers, String verdict) {
    }

    private final List<Push> pushes = new ArrayList<>();

    public synchronized void record(Push push) {
        pushes.add(push);
    }

    public synchronized List<Push> all() {
        return List.copyOf(pushes);
    }

    public synchronized List<Push> of(String channel) {
        return pushes.stream().filter(p -> p.channel().equals(channel)).toList();
    }

    public synchronized void clear() {
        pushes.clear();
    }
}
