package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A published Pub/Sub message as subscribers get it.
 *
 * @param data base64 (standard alphabet), as Pub/Sub's REST API carries it
 */
record PubSubMessage(String messageId, String data, Map<String, String> attributes, Instant publishTime) {

    PubSubMessage {
        attributes = Map.copyOf(attributes);
    }

    /** The {@code PubsubMessage} JSON of pull answers and push bodies. */
    ObjectNode json() {
        ObjectNode message = HttpExchanges.JSON.createObjectNode().put("data", data);
        ObjectNode attrs = message.putObject("attributes");
        attributes.forEach(attrs::put);
        return message.put("messageId", messageId)
                .put("publishTime", DateTimeFormatter.ISO_INSTANT.format(publishTime));
    }
}
