package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.HashMap;
import java.util.Map;

/** CPU used by the service (if any), the sandbox and this harness between start and stop. */
final class CpuMeter {
    private final long servicePid;
    private final long sandboxPid;
    private final long service0;
    private final long sandbox0;
    private final long harness0;
    private final Map<String, Long> serviceThreads0;
    private final Map<String, Long> serviceThreads = new HashMap<>();
    private long service;
    private long sandbox;
    private long harness;

    private CpuMeter(long servicePid, long sandboxPid) {
        this.servicePid = servicePid;
        this.sandboxPid = sandboxPid;
        this.service0 = servicePid > 0 ? ProcStats.cpuMillis(servicePid) : 0;
        this.serviceThreads0 = servicePid > 0 ? ProcStats.cpuMillisByThread(servicePid) : Map.of();
        this.sandbox0 = ProcStats.cpuMillis(sandboxPid);
        this.harness0 = ProcStats.ownCpuMillis();
    }

    /** @param servicePid the service's pid, or -1 when only the sandbox and the harness run */
    static CpuMeter start(long servicePid, long sandboxPid) {
        return new CpuMeter(servicePid, sandboxPid);
    }

    void stop() {
        service = servicePid > 0 ? ProcStats.cpuMillis(servicePid) - service0 : 0;
        if (servicePid > 0) {
            ProcStats.cpuMillisByThread(servicePid).forEach((name, millis) ->
                    serviceThreads.merge(group(name), millis - serviceThreads0.getOrDefault(name, 0L), Long::sum));
        }
        sandbox = ProcStats.cpuMillis(sandboxPid) - sandbox0;
        harness = ProcStats.ownCpuMillis() - harness0;
    }

    long service() {
        return service;
    }

    /** The service's CPU by thread name (JIT compilers, GC, Camel, HTTP ...), most first, as shares of its total. */
    ArrayNode serviceByThread(int top) {
        long total = Math.max(1, serviceThreads.values().stream().mapToLong(Long::longValue).sum());
        ArrayNode array = Results.JSON.createArrayNode();
        serviceThreads.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> array.addObject().put("name", e.getKey()).put("cpuSeconds", Results.round(e.getValue() / 1000.0, 1))
                        .put("share", Results.round(e.getValue() / (double) total, 3)));
        return array;
    }

    /** The JVM's own threads by what they do; application threads by their (15-character) name. */
    static String group(String threadName) {
        if (threadName.contains("CompilerThre")) {
            return "JIT compilers (C1, C2)";
        }
        if (threadName.startsWith("GC Thread") || threadName.startsWith("G# ") || threadName.equals("VM Thread")) {
            return "GC and VM (G1, safepoints)";
        }
        if (threadName.startsWith("Camel (")) {
            return "Camel threads (intake, triage, delivery)";
        }
        if (threadName.startsWith("vert.x")) {
            return "HTTP (Vert.x: API, health)";
        }
        return threadName;
    }

    long sandbox() {
        return sandbox;
    }

    long harness() {
        return harness;
    }

    double perThousand(long cpuMillis, int messages) {
        return messages <= 0 ? Double.NaN : Results.round(cpuMillis / (double) messages, 3);
    }
}
