package io.mailroute.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An alert another system reports, checked ({@link AlertRequestReader}). To raise: type, key, summary, severity and
 * exactly one of queue and team; to resolve ({@code status: resolved}): the key.
 *
 * @param type     what happened, a dotted name: {@code process.failed}, {@code shipment.delayed}
 * @param severity how bad
 * @param key      the sender's de-duplication key: reports of the same key while it is open are counted on one alert
 * @param queue    the owning queue (its owners in channels.yaml hear of it), or null
 * @param team     an audience of channels.yaml named directly, or null
 * @param summary  one line for people
 * @param details  anything else the sender wants kept (a bounded JSON object), or null
 * @param resolved true when the report says the condition is over
 */
public record AlertRequest(String type, Severity severity, String key, String queue, String team, String summary,
        ObjectNode details, boolean resolved) {
}
