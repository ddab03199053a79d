package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every list endpoint of the packaged service pages the same way: after and limit in range, or a 400 naming them. */
class ApiPagingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LISTS = List.of("/api/messages", "/api/events", "/api/items", "/api/deliveries");
    private static final List<String> REFUSED = List.of("limit=0", "limit=-1", "limit=501", "limit=1000000",
            "limit=2147483647", "limit=99999999999", "limit=lots", "after=-5", "after=-1", "after=last");
    private static final List<String> TAKEN = List.of("limit=1", "limit=500", "after=0", "after=3&limit=2");

    @TempDir
    Path work;

    @Test
    void everyListRefusesAPagingParameterOutOfRangeWithA400NamingIt() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(Duration.ofSeconds(60))) {
            for (String list : LISTS) {
                for (String query : REFUSED) {
                    HttpResponse<String> answer = service.apiResponse(list + "?" + query);
                    String where = list + "?" + query + " answered " + answer.statusCode() + " " + answer.body();
                    assertEquals(400, answer.statusCode(), where);
                    JsonNode error = JSON.readTree(answer.body()).path("error");
                    assertEquals(400, error.path("status").asInt(), where);
                    String parameter = query.substring(0, query.indexOf('='));
                    assertTrue(error.path("message").asText().startsWith(parameter + " must be"), where);
                }
                for (String query : TAKEN) {
                    assertTrue(service.api(list + "?" + query).path("items").isArray(), list + "?" + query);
                }
            }
        }
    }
}
