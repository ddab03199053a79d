package io.mailroute.delivery;

import java.util.Map;

/**
 * Where one push goes, as registered for a person.
 *
 * @param channel   the channel name in {@code config/channels.yaml}
 * @param recipient the person or group it is for
 * @param address   webhook: unused (the channel has the URL); FCM: the device registration token;
 *                  Web Push: the subscription endpoint URL; AppWorks: the user id
 * @param keys      Web Push: {@code p256dh} and {@code auth} of the subscription (base64url); else empty
 */
public record PushTarget(String channel, String recipient, String address, Map<String, String> keys) {

    public PushTarget {
        keys = keys == null ? Map.of() : Map.copyOf(keys);
    }

    @Override
    public String toString() {
        // device tokens and subscription keys are credentials of a kind: keep them out of logs
        return "PushTarget[channel=" + channel + ", recipient=" + recipient + "]";
    }
}
