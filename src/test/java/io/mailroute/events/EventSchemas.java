package io.mailroute.events;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.util.Set;

/** Checks events against the schema files shipped in src/main/resources/schemas/. */
public final class EventSchemas {

    private EventSchemas() {
    }

    public static void assertValid(String schemaFile, JsonNode event) {
        Set<ValidationMessage> errors = load(schemaFile).validate(event);
        assertTrue(errors.isEmpty(), () -> event.path("type").asText() + " does not match " + schemaFile + ": " + errors
                + "\n" + event.toPrettyString());
    }

    private static JsonSchema load(String schemaFile) {
        InputStream in = EventSchemas.class.getResourceAsStream("/schemas/" + schemaFile);
        if (in == null) {
            throw new IllegalArgumentException("no schema /schemas/" + schemaFile);
        }
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
    }
}
