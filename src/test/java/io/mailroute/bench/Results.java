package io.mailroute.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The JSON the benchmark writes (target/bench/results.json), and the small number helpers its figures share. */
final class Results {

    static final ObjectMapper JSON = io.mailroute.json.Json.newMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final double MIB = 1024.0 * 1024.0;

    private Results() {
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static void write(Path file, ObjectNode results) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, JSON.writeValueAsString(results) + "\n");
    }

    /** Rounded to {@code digits} decimals: the JSON carries what a reader can use, not float noise. */
    static double round(double value, int digits) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    static double mib(long bytes) {
        return round(bytes / MIB, 1);
    }

    static double perSecond(long count, long millis) {
        return millis <= 0 ? Double.NaN : round(count * 1000.0 / millis, 1);
    }

    static double ratio(double a, double b) {
        return b <= 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : round(a / b, 2);
    }

    /** The p-th percentile (0..100) of the values, nearest-rank. */
    static long percentile(long[] values, double p) {
        if (values.length == 0) {
            return -1;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
