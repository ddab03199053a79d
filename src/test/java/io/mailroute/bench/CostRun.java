package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the service costs when it is not busy, and what one large message costs: start-up to health UP
 * and idle RSS with 1 and with many configured mailboxes (shipped settings), and the heap the large
 * message takes while it is ingested (the sum of the heap pools' peaks over the idle, collected heap)
 * with the bytes allocated for it. Intake streams the API's answer: the base64 text is decoded a buffer
 * at a time into a spill file the MIME parser reads in place, and attachments stream to the store, so
 * the growth should stay well under the message's size; more than twice its size means a copy.
 */
final class CostRun {

    private CostRun() {
    }

    static ObjectNode run(BenchSettings settings, MailMix.Mail big) throws Exception {
        Path dir = settings.outDir().resolve("work").resolve("cost");
        ObjectNode json = Results.object();
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), 0, dir.resolve("sandbox.log"))) {
            ServiceWorld one = ServiceWorld.create(dir.resolve("1-mailbox"), sandbox,
                    new ServiceWorld.Setup(1, null, 0, ServiceWorld.Triage.ITEMS, ""));
            try (ServiceWorld.Started service = one.start(settings.serviceJvm())) {
                json.set("oneMailbox", idle(settings, service, 1));
                if (big != null) {
                    json.set("bigMessage", bigMessage(settings, sandbox, one, service, big));
                }
            }
            ServiceWorld many = ServiceWorld.create(dir.resolve(settings.idleMailboxes() + "-mailboxes"), sandbox,
                    new ServiceWorld.Setup(settings.idleMailboxes(), null, 0, ServiceWorld.Triage.ITEMS, ""));
            try (ServiceWorld.Started service = many.start(settings.serviceJvm())) {
                json.set("manyMailboxes", idle(settings, service, settings.idleMailboxes()));
            }
        }
        return json;
    }

    /** Start-up time, time until every mailbox has bootstrapped, and RSS after sitting idle. */
    private static ObjectNode idle(BenchSettings settings, ServiceWorld.Started service, int mailboxes) {
        long upMillis = service.awaitUpMillis(Duration.ofMinutes(2));
        service.awaitBootstrapped(Duration.ofMinutes(5));
        long bootstrappedMillis = (System.nanoTime() - service.startNanos()) / 1_000_000;
        SandboxProcess.sleep(settings.idleSettle().toMillis());
        return Results.object()
                .put("mailboxes", mailboxes)
                .put("startupMillis", upMillis)
                .put("bootstrappedMillis", bootstrappedMillis)
                .put("idleRssMiB", Results.mib(ProcStats.rssBytes(service.pid())))
                .put("cpuSecondsSinceStart", Results.round(ProcStats.cpuMillis(service.pid()) / 1000.0, 1));
    }

    private static ObjectNode bigMessage(BenchSettings settings, SandboxProcess sandbox, ServiceWorld world,
            ServiceWorld.Started service, MailMix.Mail big) throws Exception {
        EventTail received = new EventTail(service.service(), "message.received");
        EventTail quarantined = new EventTail(service.service(), "message.quarantined");
        try (JvmProbe probe = JvmProbe.attach(service.pid())) {
            probe.gc();
            SandboxProcess.sleep(500);
            long baseline = probe.heapUsed();
            long rssBefore = ProcStats.rssBytes(service.pid());
            long allocatedBefore = probe.allocatedBytes();
            Path recording = settings.outDir().resolve("big-message.jfr");
            java.nio.file.Files.deleteIfExists(recording);
            probe.startRecording("bench-big-message", "profile");
            probe.resetPeaks();
            long sent = System.currentTimeMillis();
            sandbox.insertAll(world.mailboxes(), List.of(big));
            boolean complete = EventTail.await(List.of(received, quarantined),
                    () -> received.count() + quarantined.count() >= 1, settings.stall());
            long growth = probe.peakHeapUsed() - baseline;
            long allocated = probe.allocatedBytes() - allocatedBefore;
            long rssAfter = ProcStats.rssBytes(service.pid());
            probe.dumpAndStopRecording("bench-big-message", recording);
            probe.gc();
            SandboxProcess.sleep(500);
            long retained = probe.heapUsed() - baseline;
            int bytes = big.raw().length;
            ObjectNode json = Results.object()
                    .put("complete", complete)
                    .put("ingested", received.count() == 1)
                    .put("quarantined", quarantined.count())
                    .put("messageBytes", bytes)
                    .put("attachmentBytes", big.attachmentBytes())
                    .put("insertToCommittedMillis", received.last() == null ? -1 : received.last().toEpochMilli() - sent)
                    .put("heapGrowthMiB", Results.mib(growth))
                    .put("heapGrowthPerMessageByte", Results.round(growth / (double) bytes, 2))
                    .put("allocatedMiB", Results.mib(allocated))
                    .put("allocatedPerMessageByte", Results.round(allocated / (double) bytes, 2))
                    .put("retainedAfterGcMiB", Results.mib(retained))
                    .put("rssGrowthMiB", Results.mib(rssAfter - rssBefore));
            json.set("allocations", JfrProfile.allocations(recording, 10));
            return json;
        }
    }
}
