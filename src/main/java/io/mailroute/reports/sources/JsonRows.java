package io.mailroute.reports.sources;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.mailroute.reports.Table;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON array of objects read as a report's table, streamed with Jackson's parser (one object in memory at a time).
 * The columns are the keys of the first object, in its order; a later object may leave keys out (empty cells) but
 * may not bring new ones (an error naming the row). Values as text: strings as they are, numbers plainly, booleans
 * {@code yes}/{@code no} (as the query sources), null empty, objects and arrays as their JSON text. An empty array
 * is a table with no rows and the single column {@value #NO_ROWS}: there is no object to take the columns from.
 */
final class JsonRows {

    /** The column of an empty array's table. */
    static final String NO_ROWS = "(no rows)";
    private static final JsonFactory JSON = new JsonFactory();
    /** Beyond this a number's plain form would be absurdly long (1e999999): it is shown as written. */
    private static final int MAX_PLAIN_SCALE = 100;

    private final JsonParser parser;
    private final String origin;
    private final String fix;
    private final Map<String, Integer> index = new HashMap<>();
    private long row;

    private JsonRows(JsonParser parser, String origin, String fix) {
        this.parser = parser;
        this.origin = origin;
        this.fix = fix;
    }

    /**
     * Reads up to the end of the first object now and returns the table whose further rows are read from {@code in}
     * as they are iterated. The caller closes {@code in}.
     *
     * @param origin what is being read, to start messages ("report 'x': the JSON from https://...")
     * @param fix    what to do when it is not an array of objects, to end messages
     */
    static Table table(String title, InputStream in, String origin, String fix) throws SourceException {
        JsonParser parser;
        try {
            parser = JSON.createParser(in);
        } catch (IOException e) {
            throw new SourceException(origin + " could not be read: " + e.getMessage(), e);
        }
        JsonRows json = new JsonRows(parser, origin, fix);
        JsonToken start = json.next();
        if (start != JsonToken.START_ARRAY) {
            throw json.malformed("it starts with " + describe(start) + " where an array of objects ([{...}, ...]) starts");
        }
        JsonToken first = json.next();
        if (first == JsonToken.END_ARRAY) {
            json.end();
            return new Table(title, List.of(NO_ROWS), List.of());
        }
        Map<String, String> firstRow = json.firstObject(first);
        List<String> columns = new ArrayList<>(firstRow.keySet());
        for (int i = 0; i < columns.size(); i++) {
            json.index.put(columns.get(i), i);
        }
        List<String> firstCells = new ArrayList<>(firstRow.values());
        return new Table(title, columns, new LazyRows(new LazyRows.NextRow() {
            private boolean firstGiven;

            @Override
            public List<String> next() throws SourceException {
                if (!firstGiven) {
                    firstGiven = true;
                    return firstCells;
                }
                return json.nextObject(columns.size());
            }
        }));
    }

    private Map<String, String> firstObject(JsonToken token) throws SourceException {
        row = 1;
        expectObject(token);
        Map<String, String> cells = new LinkedHashMap<>();
        JsonToken t;
        while ((t = next()) == JsonToken.FIELD_NAME) {
            String key = name();
            if (cells.containsKey(key)) {
                throw twice(key);
            }
            cells.put(key, value(next()));
        }
        if (cells.isEmpty()) {
            throw malformed("row 1 is an empty object, so there are no columns: its keys name them");
        }
        return cells;
    }

    /** The next object's cells in column order, or null after the array's last one. */
    private List<String> nextObject(int width) throws SourceException {
        JsonToken token = next();
        if (token == JsonToken.END_ARRAY) {
            end();
            return null;
        }
        row++;
        expectObject(token);
        String[] cells = new String[width];
        boolean[] given = new boolean[width];
        while (next() == JsonToken.FIELD_NAME) {
            String key = name();
            Integer column = index.get(key);
            if (column == null) {
                throw malformed("row " + row + " has the key \"" + key + "\", which the first object does not have: "
                        + "the first object's keys are the columns " + index.keySet().stream().sorted(
                                (a, b) -> index.get(a) - index.get(b)).toList());
            }
            if (given[column]) {
                throw twice(key);
            }
            given[column] = true;
            cells[column] = value(next());
        }
        return Arrays.asList(cells);
    }

    private void expectObject(JsonToken token) throws SourceException {
        if (token != JsonToken.START_OBJECT) {
            throw malformed("row " + row + " is " + describe(token) + ", not an object");
        }
    }

    private SourceException twice(String key) {
        return malformed("row " + row + " has the key \"" + key + "\" twice");
    }

    /** After the array's end: nothing but blanks. */
    private void end() throws SourceException {
        JsonToken after = next();
        if (after != null) {
            throw malformed("there is " + describe(after) + " after the array's end");
        }
    }

    private String value(JsonToken token) throws SourceException {
        try {
            return switch (token) {
                case VALUE_STRING, VALUE_NUMBER_INT -> parser.getText();
                case VALUE_NUMBER_FLOAT -> {
                    BigDecimal number = parser.getDecimalValue();
                    yield Math.abs(number.scale()) > MAX_PLAIN_SCALE ? parser.getText() : number.toPlainString();
                }
                case VALUE_TRUE -> QueryTables.YES;
                case VALUE_FALSE -> QueryTables.NO;
                case VALUE_NULL -> null;
                case START_OBJECT, START_ARRAY -> {
                    StringWriter text = new StringWriter();
                    try (JsonGenerator generator = JSON.createGenerator(text)) {
                        generator.copyCurrentStructure(parser);
                    }
                    yield text.toString();
                }
                default -> throw malformed("row " + row + " has " + describe(token) + " where a value belongs");
            };
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private String name() throws SourceException {
        try {
            return parser.currentName();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private JsonToken next() throws SourceException {
        try {
            return parser.nextToken();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private SourceException failed(IOException e) {
        if (e instanceof JsonProcessingException json) {
            return malformed("line " + parser.currentLocation().getLineNr() + ", column "
                    + parser.currentLocation().getColumnNr() + (row > 0 ? " (row " + row + ")" : "") + ": "
                    + json.getOriginalMessage(), e);
        }
        return new SourceException(origin + " could not be read" + (row > 0 ? " at row " + row : "") + ": "
                + e.getMessage(), e);
    }

    private SourceException malformed(String what) {
        return malformed(what + " (line " + parser.currentLocation().getLineNr() + ")", null);
    }

    private SourceException malformed(String what, Exception cause) {
        return new SourceException(origin + " is not a JSON array of objects: " + what + ". " + fix, cause);
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : "'" + token.asString() + "'";
        };
    }
}
