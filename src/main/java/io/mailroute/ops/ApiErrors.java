package io.mailroute.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

/** The API's one error shape: {@code {"error":{"status":404,"message":"..."}}} with that HTTP status. */
public final class ApiErrors {

    private ApiErrors() {
    }

    public static ObjectNode error(ObjectMapper json, Exchange exchange, int status, String message) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        ObjectNode node = json.createObjectNode();
        node.putObject("error").put("status", status).put("message", message);
        return node;
    }
}
