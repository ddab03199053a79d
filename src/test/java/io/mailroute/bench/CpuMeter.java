package io.mailroute.bench;

/** CPU used by the service (if any), the sandbox and this harness between start and stop. */
final class CpuMeter {
    private final long servicePid;
    private final long sandboxPid;
    private final long service0;
    private final long sandbox0;
    private final long harness0;
    private long service;
    private long sandbox;
    private long harness;

    private CpuMeter(long servicePid, long sandboxPid) {
        this.servicePid = servicePid;
        this.sandboxPid = sandboxPid;
        this.service0 = servicePid > 0 ? ProcStats.cpuMillis(servicePid) : 0;
        this.sandbox0 = ProcStats.cpuMillis(sandboxPid);
        this.harness0 = ProcStats.ownCpuMillis();
    }

    /** @param servicePid the service's pid, or -1 when only the sandbox and the harness run */
    static CpuMeter start(long servicePid, long sandboxPid) {
        return new CpuMeter(servicePid, sandboxPid);
    }

    void stop() {
        service = servicePid > 0 ? ProcStats.cpuMillis(servicePid) - service0 : 0;
        sandbox = ProcStats.cpuMillis(sandboxPid) - sandbox0;
        harness = ProcStats.ownCpuMillis() - harness0;
    }

    long service() {
        return service;
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
