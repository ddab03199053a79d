package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The table a person reads, rendered from results.json (so an old run can be shown again:
 * {@code java -cp ... io.mailroute.bench.Report target/bench/results.json}).
 */
public final class Report {

    private static final int LABEL = 50;
    private static final int COLUMN = 16;

    private Report() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "target/bench/results.json");
        System.out.println(table(Results.JSON.readTree(Files.readString(file))));
    }

    static String table(JsonNode r) {
        StringBuilder out = new StringBuilder();
        JsonNode machine = r.path("machine");
        JsonNode settings = r.path("settings");
        JsonNode mix = r.path("mix");
        out.append("Mailroute benchmark, ").append(r.path("startedAt").asText()).append('\n')
                .append("Machine: ").append(machine.path("cores").asInt()).append(" cores, ")
                .append(gib(machine.path("memoryMiB").asDouble())).append(" GiB, ").append(machine.path("java").asText())
                .append("; load average ").append(machine.path("loadAverageAtStart").asText()).append(" at start, ")
                .append(machine.path("loadAverageAtEnd").asText("?")).append(" at end\n");
        if (!mix.isMissingNode()) { // only the intake phases use the mix
            out.append("Mix (seed ").append(settings.path("seed").asText()).append("): ")
                    .append(String.format(Locale.ROOT, "%,d", mix.path("messages").asInt())).append(" messages, median ")
                    .append(kb(mix.path("medianBytes").asLong())).append(", ").append(mix.path("withAttachments").asInt())
                    .append(" with attachments, ").append(mix.path("withLargeAttachment").asInt()).append(" of them 1-5 MB, one of ")
                    .append(mb(mix.path("bigMessageBytes").asLong())).append(" (")
                    .append(mb(mix.path("bigMessageAttachmentBytes").asLong())).append(" attachment); ")
                    .append(mb(mix.path("totalBytes").asLong())).append(" in all\n");
        }

        List<JsonNode> runs = new ArrayList<>();
        r.path("throughput").forEach(runs::add);
        if (!runs.isEmpty()) {
            section(out, "INTAKE THROUGHPUT: a backlog drained from an unthrottled sandbox (mailboxes poll every "
                    + settings.path("throughputPollMillis").asLong() / 1000.0 + " s)");
            row(out, "", runs, run -> run.path("mailboxes").asInt() + (run.path("mailboxes").asInt() == 1 ? " mailbox" : " mailboxes"));
            row(out, "Mailroute: message.received committed  msg/s", runs, run -> num(run.at("/mailroute/receivedPerSecond"))
                    + incomplete(run.at("/mailroute/complete")));
            row(out, "Mailroute: workflow item committed  msg/s", runs, run -> num(run.at("/mailroute/itemsPerSecond")));
            row(out, "Ceiling: history.list + messages.get  msg/s", runs, run -> num(run.at("/ceiling/perSecond"))
                    + incomplete(run.at("/ceiling/complete")));
            row(out, "Alternative: google-mail-stream (no attachments)", runs, run -> num(run.at("/alternative/perSecond"))
                    + incomplete(run.at("/alternative/complete")));
            row(out, "Mailroute (items) as a fraction of the ceiling", runs, run -> num(run.at("/ratios/itemsToCeiling")));
            row(out, "Mailroute (items) / alternative", runs, run -> num(run.at("/ratios/itemsToAlternative")) + "x");
            row(out, "Service CPU s per 1,000 messages", runs, run -> num(run.at("/mailroute/serviceCpuSecondsPer1000")));
            row(out, "Sandbox CPU s per 1,000: Mailroute/ceiling/alt.", runs, run -> num(run.at("/mailroute/sandboxCpuSecondsPer1000"))
                    + "/" + num(run.at("/ceiling/sandboxCpuSecondsPer1000")) + "/" + num(run.at("/alternative/sandboxCpuSecondsPer1000")));
            row(out, "Service peak RSS / peak heap  MiB", runs, run -> num(run.at("/mailroute/peakRssMiB")) + " / "
                    + num(run.at("/mailroute/peakHeapMiB")));
            row(out, "(Sandbox inserted the backlog at  msg/s)", runs, run -> num(run.at("/insert/perSecond")));
            row(out, "Quarantined", runs, run -> run.at("/mailroute/quarantined").asText("?"));
        }
        JsonNode quota = r.path("quota");
        if (!quota.isMissingNode()) {
            section(out, "QUOTA COMPLIANCE, sandbox enforcing " + quota.path("unitsPerSecond").asInt()
                    + " units/s per user, mailbox budget the same");
            line(out, "Achieved (first to last commit)", num(quota.path("steadyPerSecond")) + " msg/s of "
                    + num(quota.path("ceilingPerSecond")) + " allowed = " + num(quota.path("fractionOfCeiling"))
                    + incomplete(quota.path("complete")));
            line(out, "429s received", quota.path("rateLimited429").asText());
            line(out, "Insert -> last commit", num(quota.path("perSecond")) + " msg/s over " + quota.path("messages").asInt() + " messages");
            for (JsonNode run : runs) {
                double unthrottled = run.at("/mailroute/receivedPerSecond").asDouble(Double.NaN);
                if (run.path("mailboxes").asInt() == 1 && unthrottled < quota.path("ceilingPerSecond").asDouble()) {
                    out.append("  (unthrottled, one mailbox drained ").append(num(run.at("/mailroute/receivedPerSecond")))
                            .append(" msg/s: below what the quota allows, so this run measures the service, not its pacing)\n");
                }
            }
        }
        for (JsonNode latency : List.of(r.path("latency"), r.path("latencyPush"))) {
            if (latency.isMissingNode()) {
                continue;
            }
            section(out, "LATENCY insert -> push at the sandbox webhook receiver, " + latency.path("messages").asInt()
                    + " messages at " + num(latency.path("ratePerSecond")) + "/s, " + latency.path("intake").asText());
            line(out, "insert -> push  p50 / p95 / p99 / max  ms", percentiles(latency.path("insertToPushMillis"))
                    + incomplete(latency.path("complete")) + (latency.path("missing").asInt() > 0
                    ? "  (" + latency.path("missing").asInt() + " missing)" : ""));
            line(out, "  of which insert -> message.received", percentiles(latency.path("insertToReceivedMillis")));
            line(out, "  of which message.received -> push", percentiles(latency.path("receivedToPushMillis")));
            line(out, "Gmail quota units per message (polls included)", num(latency.path("gmailUnitsPerMessage")));
        }
        JsonNode faults = r.path("faults");
        if (!faults.isMissingNode()) {
            section(out, "INTAKE UNDER FAULTS: " + faults.path("messages").asInt() + " messages over "
                    + faults.path("mailboxes").asInt() + " mailboxes; faults = " + Math.round(faults.path("errorRate").asDouble() * 100)
                    + " % 500s + " + faults.path("latencyMillis").asLong() + " ms latency + a 429 storm of "
                    + faults.path("storm").asInt() + " calls (Retry-After " + faults.path("retryAfterSeconds").asInt() + " s)");
            line(out, "Fault-free drain  s", num(faults.at("/faultFree/seconds")) + incomplete(faults.at("/faultFree/complete")));
            line(out, "Latency only  s", num(faults.at("/latencyOnly/seconds")) + incomplete(faults.at("/latencyOnly/complete")));
            line(out, "Faulted drain: 99 % / all stored  s", num(faults.at("/faulted/secondsTo99Percent")) + " / "
                    + num(faults.at("/faulted/seconds")) + incomplete(faults.at("/faulted/complete")));
            line(out, "Faulted / fault-free: 99 % / all", num(faults.at("/ratios/faulted99ToFaultFree")) + "x / "
                    + num(faults.at("/ratios/faultedToFaultFree")) + "x");
            line(out, "Faulted / latency only: 99 % / all", num(faults.at("/ratios/faulted99ToLatencyOnly")) + "x / "
                    + num(faults.at("/ratios/faultedToLatencyOnly")) + "x");
            JsonNode errors = faults.at("/faulted/gmailErrors");
            line(out, "Faulted drain's Gmail errors: 429 / 5xx / retried", errors.path("rateLimited").asText("?") + " / "
                    + errors.path("transient").asText("?") + " / " + errors.path("retried").asText("?"));
            JsonNode after = faults.at("/faulted/afterTheFaults");
            line(out, "Mailboxes after the faults stopped", after.path("mailboxProblems").asText("?").isEmpty()
                    ? "all ACTIVE" : after.path("mailboxProblems").asText("?"));
            line(out, "mailbox.failing events", faults.at("/faulted/mailboxFailingEvents").asText("?"));
        }
        JsonNode approvals = r.path("approvals");
        if (!approvals.isMissingNode()) {
            section(out, "APPROVALS decided end to end, one warm service (poll interval " + approvals.path("pollInterval").asText("?")
                    + ", shipped)");
            line(out, "By link: POST -> approval.decided  p50 / p95 / p99 / max  ms", percentiles(approvals.at("/link/postToDecidedMillis"))
                    + "  (" + approvals.at("/link/decided").asText("?") + " of " + approvals.path("linkDecisions").asInt() + ")");
            line(out, "  the POST's round trip", percentiles(approvals.at("/link/postRoundTripMillis")));
            line(out, "By reply: insert -> approval.decided", percentiles(approvals.at("/reply/insertToDecidedMillis"))
                    + incomplete(approvals.at("/reply/complete")) + "  (" + approvals.at("/reply/decided").asText("?") + " of "
                    + approvals.path("replyDecisions").asInt() + ")");
            line(out, "Load average during link / reply", approvals.at("/link/loadAverage").asText("?") + " / "
                    + approvals.at("/reply/loadAverage").asText("?"));
        }
        JsonNode cost = r.path("cost");
        if (!cost.isMissingNode()) {
            section(out, "COST (shipped settings)");
            JsonNode one = cost.path("oneMailbox");
            JsonNode many = cost.path("manyMailboxes");
            line(out, "Start-up to health UP  1 / " + many.path("mailboxes").asInt() + " mailboxes",
                    seconds(one.path("startupMillis")) + " / " + seconds(many.path("startupMillis")));
            line(out, "Idle RSS  1 / " + many.path("mailboxes").asInt() + " mailboxes",
                    num(one.path("idleRssMiB")) + " / " + num(many.path("idleRssMiB")) + " MiB");
            JsonNode big = cost.path("bigMessage");
            if (!big.isMissingNode()) {
                line(out, "Heap growth ingesting the " + mb(big.path("messageBytes").asLong()) + " message",
                        num(big.path("heapGrowthMiB")) + " MiB = " + num(big.path("heapGrowthPerMessageByte"))
                        + "x the message" + (big.path("ingested").asBoolean() ? "" : " (NOT INGESTED)"));
                line(out, "  allocated for it / retained after GC", num(big.path("allocatedMiB")) + " MiB ("
                        + num(big.path("allocatedPerMessageByte")) + "x) / " + num(big.path("retainedAfterGcMiB")) + " MiB");
            }
        }
        cluster(out, r.path("cluster"));
        reports(out, r.path("reports"));
        engagement(out, r.path("escalation"), r.path("ack"));
        JsonNode profile = runs.isEmpty() ? null : runs.get(0).at("/mailroute/profile");
        if (profile != null && !profile.isMissingNode()) {
            section(out, "PROFILE of the service, throughput with " + runs.get(0).path("mailboxes").asInt()
                    + " mailbox(es): " + profile.path("executionSamples").asInt() + " JFR samples, GC pauses "
                    + profile.path("gcPauseMillis").asLong() + " ms, machine CPU " + percent(profile.path("averageMachineCpuLoad"))
                    + ", service " + percent(profile.path("averageServiceCpuLoad")));
            JsonNode threads = runs.get(0).at("/mailroute/serviceCpuByThread");
            out.append("  service CPU by thread (/proc, all threads: JIT and GC too):\n");
            for (int i = 0; i < Math.min(6, threads.size()); i++) {
                out.append(String.format(Locale.ROOT, "    %5.1f%%  %s%n", threads.get(i).path("share").asDouble() * 100,
                        threads.get(i).path("name").asText()));
            }
            out.append("  JFR samples of Java code:\n");
            shares(out, "by step", profile.path("bySteps"), 8);
            shares(out, "by library (top frame)", profile.path("byLibrary"), 8);
            shares(out, "by thread", profile.path("byThread"), 5);
            shares(out, "hottest methods", profile.path("hottestMethods"), 6);
        }
        if (r.path("errors").size() > 0) {
            section(out, "ERRORS");
            r.path("errors").forEach(e -> out.append("  ").append(e.path("measurement").asText()).append(": ")
                    .append(e.path("error").asText()).append('\n'));
        }
        return out.toString();
    }

    /** The cluster section: intake per node count, then the takeover times of the SIGKILLs. */
    private static void cluster(StringBuilder out, JsonNode cluster) {
        if (cluster.isMissingNode()) {
            return;
        }
        if (cluster.has("skipped")) {
            section(out, "CLUSTER: skipped, " + cluster.path("skipped").asText());
            return;
        }
        section(out, "CLUSTER: " + cluster.path("messages").asInt() + " messages over " + cluster.path("mailboxes").asInt()
                + " mailboxes, N service nodes on one PostgreSQL (mailboxes poll every "
                + cluster.path("pollIntervalMillis").asLong() / 1000.0 + " s)");
        out.append("  ").append(cluster.path("note").asText()).append('\n');
        List<JsonNode> runs = new ArrayList<>();
        cluster.path("runs").forEach(runs::add);
        if (runs.isEmpty()) {
            return;
        }
        row(out, "", runs, run -> run.path("nodes").asInt() + (run.path("nodes").asInt() == 1 ? " node" : " nodes"));
        row(out, "Workflow items committed  msg/s", runs, run -> num(run.at("/intake/itemsPerSecond"))
                + incomplete(run.at("/intake/complete")));
        row(out, "Release -> last item  s", runs, run -> num(run.at("/intake/seconds")));
        row(out, "DB transactions per message", runs, run -> num(run.at("/intake/transactionsPerMessage")));
        row(out, "DB statements per message", runs, run -> num(run.at("/intake/statementsPerMessage")));
        row(out, "  idle afterwards: transactions/s", runs, run -> num(run.at("/intake/idleTransactionsPerSecond")));
        row(out, "  idle afterwards: owner changes per minute", runs, run -> num(run.at("/intake/idleOwnerChangesPerMinute")));
        row(out, "Start-up of the last node to health UP", runs, run -> run.path("startupMillis").isEmpty() ? "-"
                : seconds(run.path("startupMillis").get(run.path("startupMillis").size() - 1)));
        out.append("  (transactions: pg_stat_database xact_commit + xact_rollback of the run's database from the release to the\n"
                + "  last item, the harness's own queries taken off; the nodes' polling and Quartz's JDBC store included, which\n"
                + "  the idle row shows alone; statements: ").append(runs.get(0).path("statementsSource").asText("?")).append(")\n");
        out.append("  Mailboxes polled by each node (mailbox.owner_node) after the drain:\n");
        for (JsonNode run : runs) {
            StringBuilder owners = new StringBuilder();
            run.path("mailboxesByNode").fields().forEachRemaining(e -> owners.append(owners.isEmpty() ? "" : ", ")
                    .append(e.getKey()).append(' ').append(e.getValue().asInt()));
            line(out, "    " + run.path("nodes").asInt() + (run.path("nodes").asInt() == 1 ? " node" : " nodes"), owners.toString());
        }
        for (JsonNode run : runs) {
            JsonNode takeover = run.path("takeover");
            if (takeover.isMissingNode()) {
                continue;
            }
            line(out, "Takeover after SIGKILL, " + run.path("nodes").asInt() + " nodes  p50 / max  ms",
                    takeover.path("p50Millis").asText("?") + " / " + takeover.path("maxMillis").asText("?") + "  ("
                    + takeover.path("kills").asInt() + " kills, " + takeover.path("takeovers").asInt() + " mailboxes moved"
                    + (takeover.path("notTakenOver").asInt() > 0 ? ", " + takeover.path("notTakenOver").asInt()
                    + " NOT TAKEN OVER within 2 min" : "") + ")");
            int k = 0;
            for (JsonNode kill : takeover.path("perKill")) {
                line(out, "  kill " + (++k) + ": " + kill.path("victim").asText() + " owned " + kill.path("mailboxes").asInt(),
                        kill.path("p50Millis").asText("?") + " / " + kill.path("maxMillis").asText("?"));
            }
        }
    }

    /** The reports section: one large PDF report to many recipients, unpaced and at the shipped Gmail budget. */
    private static void reports(StringBuilder out, JsonNode reports) {
        if (reports.isMissingNode()) {
            return;
        }
        section(out, "REPORTS: a PDF of " + String.format(Locale.ROOT, "%,d", reports.path("rows").asInt()) + " rows (sql over "
                + "Mailroute's database) attached to " + reports.path("recipients").asInt() + " recipients, one warm service");
        JsonNode document = reports.at("/unpaced/document");
        JsonNode store = reports.path("store");
        line(out, "Rows stored through intake first: insert / drain", num(store.path("insertSeconds")) + " s / "
                + num(store.path("drainSeconds")) + " s (" + num(store.path("storedPerSecond")) + " msg/s)" + incomplete(store.path("complete")));
        line(out, "Document: PDF size / pages / rows printed", mb(document.path("pdfBytes").asLong()) + " / "
                + document.path("pages").asText("?") + " / " + document.path("rowsPrinted").asText("?") + "  (email "
                + mb(document.path("emailBytes").asLong()) + (document.path("sha256MatchesRun").asBoolean() ? "" : ", NOT THE RUN'S DOCUMENT")
                + ")");
        List<JsonNode> runs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String name : List.of("unpaced", "paced")) {
            if (reports.has(name)) {
                runs.add(reports.path(name));
                names.add(name.equals("paced") ? "paced " + reports.path("pacedBudgetUnitsPerSecond").asInt() + " u/s" : name);
            }
        }
        if (runs.isEmpty()) {
            return;
        }
        int[] column = {0};
        row(out, "", runs, run -> names.get(column[0]++));
        row(out, "POST -> answer (render + hand over)  s", runs, run -> num(run.path("postToAnswerSeconds")));
        row(out, "POST -> all recipients SENT  s", runs, run -> num(run.path("postToAllSentSeconds")) + incomplete(run.path("complete")));
        row(out, "Emails taken by Gmail  per s", runs, run -> num(run.path("emailsPerSecond")));
        row(out, "Service peak heap: to answer / all  MiB", runs, run -> num(run.path("peakHeapToAnswerMiB")) + " / "
                + num(run.path("peakHeapMiB")));
        row(out, "  heap after GC before the run  MiB", runs, run -> num(run.path("heapBeforeMiB")));
        row(out, "Service allocated  MiB", runs, run -> num(run.path("allocatedMiB")));
        row(out, "Service / sandbox CPU  s", runs, run -> num(run.path("serviceCpuSeconds")) + " / " + num(run.path("sandboxCpuSeconds")));
        row(out, "Service RSS after  MiB", runs, run -> num(run.path("rssAfterMiB")));
        if (reports.has("paced")) {
            out.append("  (paced: messages.send costs 100 units, so ").append(reports.path("recipients").asInt())
                    .append(" emails need at least ").append(num(reports.at("/paced/floorSeconds"))).append(" s at ")
                    .append(reports.path("pacedBudgetUnitsPerSecond").asInt()).append(" units/s)\n");
        }
        line(out, "Warm-up report (" + reports.path("warmUpRows").asInt() + " rows, 1 recipient): POST -> answer",
                num(reports.at("/warmUp/postToAnswerSeconds")) + " s");
    }

    private static void section(StringBuilder out, String title) {
        out.append('\n').append(title).append('\n');
    }

    private static void row(StringBuilder out, String label, List<JsonNode> runs, Function<JsonNode, String> cell) {
        out.append("  ").append(pad(label, LABEL));
        runs.forEach(run -> out.append(padLeft(cell.apply(run), COLUMN)));
        out.append('\n');
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append("  ").append(pad(label, LABEL)).append(value).append('\n');
    }

    private static void shares(StringBuilder out, String title, JsonNode list, int max) {
        out.append("  ").append(title).append(":\n");
        for (int i = 0; i < Math.min(max, list.size()); i++) {
            JsonNode item = list.get(i);
            out.append(String.format(Locale.ROOT, "    %5.1f%%  %s%n", item.path("share").asDouble() * 100, item.path("name").asText()));
        }
    }

    private static String percentiles(JsonNode p) {
        return p.path("p50").asText("?") + " / " + p.path("p95").asText("?") + " / " + p.path("p99").asText("?") + " / "
                + p.path("max").asText("?");
    }

    private static String incomplete(JsonNode complete) {
        return complete.isMissingNode() || complete.asBoolean() ? "" : " (INCOMPLETE)";
    }

    private static String num(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "-";
        }
        double v = value.asDouble();
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String seconds(JsonNode millis) {
        return millis.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.1f s", millis.asLong() / 1000.0);
    }

    private static String percent(JsonNode share) {
        return share.isMissingNode() || Double.isNaN(share.asDouble()) ? "-"
                : String.format(Locale.ROOT, "%.0f%%", share.asDouble() * 100);
    }

    private static String kb(long bytes) {
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1000.0);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
    }

    private static String gib(double mib) {
        return String.format(Locale.ROOT, "%.1f", mib / 1024);
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
    }

    private static String padLeft(String text, int width) {
        return text.length() >= width ? " " + text : " ".repeat(width - text.length()) + text;
    }

    /** Escalation timer lateness and acknowledgement throughput (issue 15's measures). */
    private static void engagement(StringBuilder out, JsonNode escalation, JsonNode ack) {
        if (!escalation.isMissingNode()) {
            section(out, "ESCALATION TIMERS: " + escalation.path("timers").asInt() + " pending, due over "
                    + escalation.path("windowMillis").asLong() / 1000.0 + " s, fired by the timers tick (every "
                    + escalation.path("checkIntervalMillis").asLong() + " ms, batch " + escalation.path("batchSize").asInt() + ")");
            line(out, "Lateness (claimed - due)  p50 / p95 / p99 / max  ms", percentiles(escalation.path("latenessMillis")));
            line(out, "Fired / escalated / deliveries planned", escalation.path("fired").asText("?") + " / "
                    + escalation.path("escalated").asText("?") + " / " + escalation.path("planned").asText("?"));
            line(out, "Fired per second (first to last claim); due per second", num(escalation.path("firedPerSecond")) + " / "
                    + num(com.fasterxml.jackson.databind.node.DoubleNode.valueOf(Math.round(escalation.path("timers").asDouble() * 1000
                    / Math.max(1, escalation.path("windowMillis").asLong())))));
            line(out, "Load average", escalation.path("loadAverage").asText("?"));
        }
        if (!ack.isMissingNode()) {
            section(out, "ACKNOWLEDGEMENT ENDPOINT: " + ack.path("requests").asInt() + " POSTs (opened, then acted, per delivery) "
                    + "by " + ack.path("clients").asInt() + " clients on loopback");
            line(out, "Requests per second", num(ack.path("requestsPerSecond")) + "  (" + ack.path("failed").asText("?")
                    + " not 204)");
            line(out, "Request  p50 / p95 / p99 / max  ms", percentiles(ack.path("requestMillis")));
            line(out, "Load average", ack.path("loadAverage").asText("?"));
        }
    }
}
