package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the service's time went during a throughput run, from its JFR recording: execution samples
 * counted by pipeline step (the first marker found anywhere in the stack, in the order below), by
 * library (the top frame's package), by thread and by hottest method; plus GC pauses and CPU load.
 * The same recording opens in JDK Mission Control or {@code jfr print --events jdk.ExecutionSample}.
 */
final class JfrProfile {

    /** Pipeline steps, most specific first: a sample counts for the first whose marker is on its stack. */
    private static final List<String[]> STEPS = List.of(
            new String[] {"io.mailroute.gmail.mime.MimeParser", "MIME parse + attachments to disk"},
            new String[] {"io.mailroute.gmail.MessageStore", "mail_message insert"},
            new String[] {"io.mailroute.audit.", "audit log append"},
            new String[] {"io.mailroute.events.EventLog", "event log append/read"},
            new String[] {"io.mailroute.gmail.StoredMessageRepository", "idempotent repository"},
            new String[] {"io.mailroute.workflow.", "triage + workflow item"},
            new String[] {"io.mailroute.triage.", "triage + workflow item"},
            new String[] {"io.mailroute.delivery.", "delivery planning"},
            new String[] {"io.mailroute.ops.", "service API (the benchmark's polling)"},
            new String[] {"com.google.api.client.googleapis.services.AbstractGoogleClientRequest",
                "Gmail API call (HTTP + JSON + base64)"},
            new String[] {"io.mailroute.gmail.MessageIngest", "ingest: other (hash, decode, event JSON)"},
            new String[] {"io.mailroute.gmail.", "intake: other"},
            new String[] {"io.mailroute.", "mailroute: other"},
            new String[] {"org.apache.camel.", "Camel routing and consumers"});

    private static final List<String[]> LIBRARIES = List.of(
            new String[] {"com.google.gson.", "JSON (Gson, Google client)"},
            new String[] {"com.google.api.client.json.", "JSON (Gson, Google client)"},
            new String[] {"com.fasterxml.jackson.", "JSON (Jackson)"},
            new String[] {"com.google.", "Google client"},
            new String[] {"org.h2.", "H2 database"},
            new String[] {"com.zaxxer.", "JDBC (HikariCP, Spring JDBC)"},
            new String[] {"org.springframework.", "JDBC (HikariCP, Spring JDBC)"},
            new String[] {"jakarta.mail.", "MIME (Jakarta/Angus Mail)"},
            new String[] {"org.eclipse.angus.", "MIME (Jakarta/Angus Mail)"},
            new String[] {"org.apache.camel.", "Camel"},
            new String[] {"io.vertx.", "HTTP server (Vert.x, Netty)"},
            new String[] {"io.netty.", "HTTP server (Vert.x, Netty)"},
            new String[] {"io.mailroute.", "Mailroute code"},
            new String[] {"ch.qos.logback.", "logging"},
            new String[] {"org.slf4j.", "logging"},
            new String[] {"java.util.Base64", "base64"},
            new String[] {"sun.security.", "hashing / crypto"},
            new String[] {"java.security.", "hashing / crypto"},
            new String[] {"com.sun.crypto.", "hashing / crypto"},
            new String[] {"java.util.regex.", "regex"},
            new String[] {"java.util.zip.", "zip / gzip"},
            new String[] {"sun.nio.ch.", "sockets and files (JDK)"},
            new String[] {"java.net.", "sockets and files (JDK)"},
            new String[] {"sun.net.", "sockets and files (JDK)"},
            new String[] {"java.io.", "streams (java.io)"},
            new String[] {"sun.nio.fs.", "sockets and files (JDK)"},
            new String[] {"java.lang.String", "strings"},
            new String[] {"java.", "JDK other"},
            new String[] {"jdk.", "JDK other"},
            new String[] {"sun.", "JDK other"});

    private JfrProfile() {
    }

    static ObjectNode summarize(Path recording, int top) throws IOException {
        Map<String, Integer> steps = new HashMap<>();
        Map<String, Integer> libraries = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> methods = new HashMap<>();
        int samples = 0;
        long gcPauseNanos = 0;
        int collections = 0;
        double jvmLoad = 0;
        double machineLoad = 0;
        int loadReadings = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                switch (event.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        RecordedStackTrace stack = event.getStackTrace();
                        if (stack == null || stack.getFrames().isEmpty()) {
                            continue;
                        }
                        samples++;
                        List<RecordedFrame> frames = stack.getFrames();
                        String topClass = frames.get(0).getMethod().getType().getName();
                        methods.merge(topClass + "." + frames.get(0).getMethod().getName(), 1, Integer::sum);
                        libraries.merge(firstMatch(LIBRARIES, topClass, "other"), 1, Integer::sum);
                        steps.merge(step(frames), 1, Integer::sum);
                        String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
                        threads.merge(thread == null ? "?" : thread.replaceAll("\\d+", "#"), 1, Integer::sum);
                    }
                    case "jdk.GarbageCollection" -> {
                        gcPauseNanos += event.getDuration("sumOfPauses").toNanos();
                        collections++;
                    }
                    case "jdk.CPULoad" -> {
                        jvmLoad += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                        machineLoad += event.getFloat("machineTotal");
                        loadReadings++;
                    }
                    default -> {
                    }
                }
            }
        }
        ObjectNode json = Results.object()
                .put("recording", recording.toString())
                .put("executionSamples", samples)
                .put("gcCollections", collections)
                .put("gcPauseMillis", gcPauseNanos / 1_000_000)
                .put("averageServiceCpuLoad", loadReadings == 0 ? Double.NaN : Results.round(jvmLoad / loadReadings, 3))
                .put("averageMachineCpuLoad", loadReadings == 0 ? Double.NaN : Results.round(machineLoad / loadReadings, 3));
        json.set("bySteps", shares(steps, samples, top));
        json.set("byLibrary", shares(libraries, samples, top));
        json.set("byThread", shares(threads, samples, top));
        json.set("hottestMethods", shares(methods, samples, top));
        return json;
    }

    /**
     * Where memory was allocated, from the recording's allocation samples (each weighs the bytes it
     * stands for): by allocating site (the first frame outside the JDK) and by the Mailroute method
     * nearest to it.
     */
    static ObjectNode allocations(Path recording, int top) throws IOException {
        Map<String, Long> sites = new HashMap<>();
        Map<String, Long> ours = new HashMap<>();
        long total = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ObjectAllocationSample") || event.getStackTrace() == null) {
                    continue;
                }
                long weight = event.getLong("weight");
                total += weight;
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                sites.merge(firstFrame(frames, false), weight, Long::sum);
                ours.merge(firstFrame(frames, true), weight, Long::sum);
            }
        }
        ObjectNode json = Results.object().put("recording", recording.toString()).put("sampledMiB", Results.mib(total));
        json.set("bySite", weights(sites, total, top));
        json.set("byMailrouteMethod", weights(ours, total, top));
        return json;
    }

    /** The first frame outside the JDK (or, with {@code mailroute}, in Mailroute's code), as Class.method. */
    private static String firstFrame(List<RecordedFrame> frames, boolean mailroute) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            boolean jdk = type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.");
            if (mailroute ? type.startsWith("io.mailroute.") : !jdk) {
                return type + "." + frame.getMethod().getName();
            }
        }
        return "(none)";
    }

    private static ArrayNode weights(Map<String, Long> bytes, long total, int top) {
        ArrayNode array = Results.JSON.createArrayNode();
        bytes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> array.addObject().put("name", e.getKey()).put("mib", Results.mib(e.getValue()))
                        .put("share", Results.round(e.getValue() / (double) Math.max(1, total), 3)));
        return array;
    }

    private static String step(List<RecordedFrame> frames) {
        for (String[] step : STEPS) {
            for (RecordedFrame frame : frames) {
                if (frame.getMethod().getType().getName().startsWith(step[0])) {
                    return step[1];
                }
            }
        }
        return "other (JVM, HTTP server, idle pools)";
    }

    private static String firstMatch(List<String[]> table, String className, String fallback) {
        for (String[] row : table) {
            if (className.startsWith(row[0])) {
                return row[1];
            }
        }
        return fallback;
    }

    private static ArrayNode shares(Map<String, Integer> counts, int total, int top) {
        ArrayNode array = Results.JSON.createArrayNode();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> array.addObject().put("name", e.getKey()).put("samples", e.getValue())
                        .put("share", Results.round(e.getValue() / (double) Math.max(1, total), 3)));
        return array;
    }
}
