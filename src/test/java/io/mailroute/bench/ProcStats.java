package io.mailroute.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What Linux says about a process: resident memory (now and peak) from {@code /proc/<pid>/status} and
 * CPU time (user + system) from {@code /proc/<pid>/stat}. The numbers the operating system charges the
 * process, whatever the JVM thinks of itself.
 */
final class ProcStats {

    private static final long CLOCK_TICKS = clockTicks();

    private ProcStats() {
    }

    /** Resident set size now, in bytes ({@code VmRSS}). */
    static long rssBytes(long pid) {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    /** Peak resident set size since the process started, in bytes ({@code VmHWM}). */
    static long peakRssBytes(long pid) {
        return statusKb(pid, "VmHWM:") * 1024;
    }

    /** User plus system CPU time the process has used, in milliseconds. */
    static long cpuMillis(long pid) {
        return ticksToMillis(read(Path.of("/proc", String.valueOf(pid), "stat")));
    }

    private static long ticksToMillis(String stat) {
        // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
        return ticks * 1000 / CLOCK_TICKS;
    }

    /**
     * CPU milliseconds by thread name (digits folded, so pools count as one), from
     * {@code /proc/<pid>/task}: JIT compiler, GC and application threads apart. Threads that ended are
     * not counted.
     */
    static Map<String, Long> cpuMillisByThread(long pid) {
        Map<String, Long> byName = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("\\d+", "#");
                    byName.merge(name, ticksToMillis(Files.readString(task.resolve("stat"))), Long::sum);
                } catch (IOException threadEnded) {
                    // gone between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/" + pid + "/task: " + e.getMessage(), e);
        }
        return byName;
    }

    /** CPU time of this JVM (the harness: ceiling loop, alternative, inserts). */
    static long ownCpuMillis() {
        return cpuMillis(ProcessHandle.current().pid());
    }

    /** The 1, 5 and 15 minute load averages: how busy the machine was around a measurement. */
    static String loadAverage() {
        String text = read(Path.of("/proc/loadavg"));
        String[] parts = text.trim().split("\\s+");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }

    static long memoryTotalBytes() {
        for (String line : read(Path.of("/proc/meminfo")).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }

    private static long statusKb(long pid, String key) {
        for (String line : read(Path.of("/proc", String.valueOf(pid), "status")).split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/" + pid + "/status");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + " (is the process still running?): " + e.getMessage(), e);
        }
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100; // Linux's USER_HZ on every common architecture
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
