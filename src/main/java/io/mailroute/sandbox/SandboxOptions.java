package io.mailroute.sandbox;

import java.nio.file.Path;

/**
 * How to start a {@link GmailSandbox}.
 *
 * @param host                bind address; keep it on loopback: the admin API has no auth
 * @param port                TCP port, 0 for an ephemeral one
 * @param seedDir             directory holding {@code sandbox.yaml}, or null for an empty sandbox
 * @param stateDir            where users, grants and mail are kept across restarts (seeded only while it is
 *                            empty), or null to keep everything in memory
 * @param quotaUnitsPerSecond per-user Gmail quota units per rolling second, 0 = unlimited
 * @param errorRate           probability in [0,1] that a Gmail API request fails with a 500
 * @param latencyMillis       delay added to every Gmail API request
 */
public record SandboxOptions(String host, int port, Path seedDir, Path stateDir,
        int quotaUnitsPerSecond, double errorRate, int latencyMillis) {

    public static final int DEFAULT_PORT = 8025;

    public SandboxOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (quotaUnitsPerSecond < 0) {
            throw new IllegalArgumentException("quotaUnitsPerSecond must be >= 0, was " + quotaUnitsPerSecond);
        }
        if (errorRate < 0 || errorRate > 1) {
            throw new IllegalArgumentException("errorRate must be in [0,1], was " + errorRate);
        }
        if (latencyMillis < 0) {
            throw new IllegalArgumentException("latencyMillis must be >= 0, was " + latencyMillis);
        }
    }

    public static SandboxOptions defaults() {
        return new SandboxOptions("127.0.0.1", DEFAULT_PORT, null, null, 0, 0.0, 0);
    }

    public SandboxOptions withHost(String newHost) {
        return new SandboxOptions(newHost, port, seedDir, stateDir, quotaUnitsPerSecond, errorRate, latencyMillis);
    }

    public SandboxOptions withPort(int newPort) {
        return new SandboxOptions(host, newPort, seedDir, stateDir, quotaUnitsPerSecond, errorRate, latencyMillis);
    }

    public SandboxOptions withSeedDir(Path newSeedDir) {
        return new SandboxOptions(host, port, newSeedDir, stateDir, quotaUnitsPerSecond, errorRate, latencyMillis);
    }

    public SandboxOptions withStateDir(Path newStateDir) {
        return new SandboxOptions(host, port, seedDir, newStateDir, quotaUnitsPerSecond, errorRate, latencyMillis);
    }

    public SandboxOptions withQuota(int unitsPerSecond) {
        return new SandboxOptions(host, port, seedDir, stateDir, unitsPerSecond, errorRate, latencyMillis);
    }

    public SandboxOptions withErrorRate(double newErrorRate) {
        return new SandboxOptions(host, port, seedDir, stateDir, quotaUnitsPerSecond, newErrorRate, latencyMillis);
    }

    public SandboxOptions withLatencyMillis(int newLatencyMillis) {
        return new SandboxOptions(host, port, seedDir, stateDir, quotaUnitsPerSecond, errorRate, newLatencyMillis);
    }
}
