package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A large PDF report to many recipients (issue 14, "Measure"), with one warm service and the shipped settings. The
 * rows are the service's own data, as the shipped reports read it: {@code bench.reports.rows} customer emails are
 * inserted into the sandbox and stored by intake (one mail_message and workflow item each); the report is a
 * compliance log of them (received, from, subject, queue, category, state), one SQL query over Mailroute's database,
 * rendered as PDF and attached to one email per recipient ({@code bench.reports.recipients} sandbox users). Both
 * mailboxes poll at the shipped interval; the rows arrive in the unpaced one.
 *
 * <p>A small report (a tenth of the rows, one recipient) runs first, so the PDF code is compiled as in a service that
 * has sent reports before. Then, each from a GC'd heap with the heap pools' peaks reset:
 * <ol>
 *   <li><b>unpaced</b>: sent from a mailbox whose Gmail budget never waits, so the figures are the service's own work:
 *       POST /api/reports/{id}/runs to its answer (read, render, store, one delivery handed over per recipient), and
 *       to the last recipient SENT (every email written with the PDF attached and taken by Gmail);</li>
 *   <li><b>paced</b> ({@code bench.reports.paced}): the same report from a mailbox at the shipped budget (50 units/s;
 *       messages.send costs 100), as it goes to real Gmail: one email per two seconds at best.</li>
 * </ol>
 * SENT times are the recipients' {@code sentAt}, stamped by the service when Gmail took each email. The document is
 * read back from the first recipient's inbox: its size, SHA-256 against the run's, page count and the row count it
 * prints on its last page.
 */
final class ReportsRun {

    private static final String PACED_MAILBOX = "bench-01";
    private static final String UNPACED_MAILBOX = "bench-02";
    private static final String OWNER = "report-owner@acme.example";
    private static final Duration POST_TIMEOUT = Duration.ofMinutes(15);
    private static final Pattern ROWS = Pattern.compile("(\\d+) rows?\\b");
    private static final String[] TOPICS = {"Order %d arrived damaged", "Invoice INV-%d: question about the amount",
        "Cannot log in to my account (ticket %d)", "Refund for order %d", "Delivery date of order %d",
        "Change the billing address on contract %d", "Password reset link expired (%d)", "Quote %d: bulk discount?",
        "Complaint about the service on %d", "Cancel subscription %d"};

    private ReportsRun() {
    }

    static ObjectNode run(BenchSettings settings) throws Exception {
        BenchSettings.Reports sizes = settings.reports();
        Path dir = settings.outDir().resolve("work").resolve("reports");
        int warmRows = Math.max(100, sizes.rows() / 10);
        ObjectNode json = Results.object().put("rows", sizes.rows()).put("recipients", sizes.recipients())
                .put("warmUpRows", warmRows).put("source", "sql over Mailroute's own database (mail_message + workflow_item)")
                .put("format", "pdf").put("delivery", "attachment");
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), 0, dir.resolve("sandbox.log"))) {
            ServiceWorld world = ServiceWorld.create(dir, sandbox,
                    new ServiceWorld.Setup(2, null, ServiceWorld.UNLIMITED_BUDGET, ServiceWorld.Triage.ITEMS, ""));
            int shippedBudget = shippedQuotaBudget();
            json.put("pacedBudgetUnitsPerSecond", shippedBudget);
            List<String> recipients = new ArrayList<>();
            List<SandboxProcess.Credentials> users = new ArrayList<>();
            for (int i = 1; i <= sizes.recipients(); i++) {
                String address = String.format(Locale.ROOT, "r%03d@globex.example", i);
                recipients.add(address);
                users.add(sandbox.addUser(address));
            }
            configure(dir.resolve("config"), shippedBudget, recipients, warmRows);
            try (ServiceWorld.Started service = world.start(settings.serviceJvm())) {
                service.awaitUpMillis(Duration.ofMinutes(2));
                service.awaitBootstrapped(Duration.ofMinutes(2));

                Bench.progress("reports: storing " + sizes.rows() + " messages through intake (the report's rows)");
                json.set("store", store(service, sandbox, world.mailboxes().get(1), rows(settings.seed(), sizes.rows()),
                        settings.stall()));

                try (JvmProbe probe = JvmProbe.attach(service.pid())) {
                    Bench.progress("reports: warm-up report (" + warmRows + " rows, 1 recipient)");
                    json.set("warmUp", measure(service, sandbox, probe, "bench-warm-up", 1, settings.stall()));
                    Bench.progress("reports: " + sizes.rows() + " rows to " + sizes.recipients() + " recipients, unpaced");
                    ObjectNode unpaced = measure(service, sandbox, probe, "bench-unpaced", sizes.recipients(), settings.stall());
                    unpaced.set("document", readBack(sandbox.gmail(users.get(0)), "Bench report (unpaced)",
                            unpaced.at("/run/document/sha256").asText()));
                    json.set("unpaced", unpaced);
                    if (sizes.paced()) {
                        Bench.progress("reports: the same, paced at the shipped " + shippedBudget + " units/s");
                        ObjectNode paced = measure(service, sandbox, probe, "bench-paced", sizes.recipients(), settings.stall());
                        paced.put("floorSeconds", Results.round(sizes.recipients() * 100.0 / shippedBudget, 1));
                        json.set("paced", paced);
                    }
                }
                json.put("reportFailedEvents", service.service().events("report.failed").size());
                json.put("mailboxProblems", service.mailboxProblems());
                json.put("loadAverage", ProcStats.loadAverage());
            }
        }
        return json;
    }

    /**
     * The report's rows stored through intake: the mail inserted into the unpaced mailbox while Gmail answers 429 (so
     * inserting and ingesting do not share the cores), then released and drained.
     */
    private static ObjectNode store(ServiceWorld.Started service, SandboxProcess sandbox, SandboxProcess.Credentials mailbox,
            List<MailMix.Mail> mails, Duration stall) {
        EventTail received = new EventTail(service.service(), "message.received");
        int before = received.poll();
        sandbox.holdGmailApi();
        long inserting = System.nanoTime();
        sandbox.insertAll(List.of(mailbox), mails);
        long inserted = System.nanoTime();
        sandbox.releaseGmailApi();
        boolean complete = EventTail.await(List.of(received), () -> received.count() >= before + mails.size(), stall);
        double drainSeconds = (System.nanoTime() - inserted) / 1e9;
        return Results.object().put("complete", complete).put("messages", received.count() - before)
                .put("insertSeconds", Results.round((inserted - inserting) / 1e9, 1))
                .put("drainSeconds", Results.round(drainSeconds, 1))
                .put("storedPerSecond", Results.round(mails.size() / drainSeconds, 1));
    }

    /**
     * One run of a report, from a collected heap: POST to its answer, then until every recipient is SENT (or nothing
     * moved for {@code stall}); the service's peak heap at the answer and at the end, what it allocated, its CPU.
     */
    private static ObjectNode measure(ServiceWorld.Started service, SandboxProcess sandbox, JvmProbe probe, String report,
            int recipients, Duration stall) throws Exception {
        probe.gc();
        long heapBefore = probe.heapUsed();
        probe.resetPeaks();
        long allocatedBefore = probe.allocatedBytes();
        long rssBefore = ProcStats.rssBytes(service.pid());
        CpuMeter cpu = CpuMeter.start(service.pid(), sandbox.pid());

        HttpClient http = HttpClient.newHttpClient();
        HttpRequest post = HttpRequest.newBuilder(URI.create(service.service().apiUrl("/api/reports/" + report + "/runs")))
                .timeout(POST_TIMEOUT).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + service.service().adminToken())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        long posted = System.currentTimeMillis();
        HttpResponse<String> answer = http.send(post, HttpResponse.BodyHandlers.ofString());
        long answered = System.currentTimeMillis();
        long peakAtAnswer = probe.peakHeapUsed();
        JsonNode run = Results.JSON.readTree(answer.body());
        if (answer.statusCode() != 201) {
            throw new IllegalStateException("POST /api/reports/" + report + "/runs answered " + answer.statusCode() + ": "
                    + answer.body());
        }

        JsonNode latest = awaitSent(service, report, recipients, stall);
        cpu.stop();
        ObjectNode json = Results.object()
                .put("answerStatus", answer.statusCode())
                .put("state", run.path("state").asText())
                .put("postToAnswerSeconds", Results.round((answered - posted) / 1000.0, 2));
        Map<String, Integer> statuses = new TreeMap<>();
        List<Long> sentAt = new ArrayList<>();
        for (JsonNode recipient : latest.path("recipients")) {
            statuses.merge(recipient.path("status").asText(), 1, Integer::sum);
            if (recipient.hasNonNull("sentAt")) {
                sentAt.add(Instant.parse(recipient.get("sentAt").asText()).toEpochMilli());
            }
        }
        boolean complete = statuses.getOrDefault("SENT", 0) == recipients;
        json.put("complete", complete).put("sent", sentAt.size());
        statuses.forEach(json.putObject("statuses")::put);
        if (!sentAt.isEmpty()) {
            long first = sentAt.stream().mapToLong(Long::longValue).min().orElseThrow();
            long last = sentAt.stream().mapToLong(Long::longValue).max().orElseThrow();
            json.put("postToFirstSentSeconds", Results.round((first - posted) / 1000.0, 2))
                    .put("postToAllSentSeconds", Results.round((last - posted) / 1000.0, 2))
                    .put("answerToAllSentSeconds", Results.round((last - answered) / 1000.0, 2))
                    .put("emailsPerSecond", Results.perSecond(sentAt.size() - 1L, last - first));
        }
        json.put("heapBeforeMiB", Results.mib(heapBefore))
                .put("peakHeapToAnswerMiB", Results.mib(peakAtAnswer))
                .put("peakHeapMiB", Results.mib(probe.peakHeapUsed()))
                .put("peakHeapCommittedMiB", Results.mib(probe.peakHeapCommitted()))
                .put("allocatedMiB", Results.mib(probe.allocatedBytes() - allocatedBefore))
                .put("rssBeforeMiB", Results.mib(rssBefore))
                .put("rssAfterMiB", Results.mib(ProcStats.rssBytes(service.pid())))
                .put("serviceCpuSeconds", Results.round(cpu.service() / 1000.0, 1))
                .put("sandboxCpuSeconds", Results.round(cpu.sandbox() / 1000.0, 1))
                .put("loadAverage", ProcStats.loadAverage());
        json.set("serviceCpuByThread", cpu.serviceByThread(6));
        ObjectNode summary = json.putObject("run");
        summary.put("id", latest.path("id").asLong()).put("period", latest.path("period").asText())
                .put("state", latest.path("state").asText()).put("lastError", latest.path("lastError").asText(null));
        summary.set("document", latest.path("document"));
        return json;
    }

    /** The report's latest run once all its recipients are SENT, or when none moved for {@code stall}, or one failed. */
    private static JsonNode awaitSent(ServiceWorld.Started service, String report, int recipients, Duration stall) {
        long lastProgress = System.nanoTime();
        int sent = -1;
        while (true) {
            JsonNode run = service.service().api("/api/reports/" + report + "/runs?limit=1").path("runs").path(0);
            int now = 0;
            boolean failed = "FAILED".equals(run.path("state").asText());
            for (JsonNode recipient : run.path("recipients")) {
                now += "SENT".equals(recipient.path("status").asText()) ? 1 : 0;
                failed |= "FAILED".equals(recipient.path("delivery").path("status").asText());
            }
            if (now != sent) {
                sent = now;
                lastProgress = System.nanoTime();
            }
            if (now >= recipients || failed || System.nanoTime() - lastProgress > stall.toNanos()) {
                return run;
            }
            SandboxProcess.sleep(250);
        }
    }

    /** The PDF as the first recipient got it: email and document size, SHA-256 as stored, pages, rows it says it has. */
    private static ObjectNode readBack(Gmail inbox, String subject, String storedSha256) throws Exception {
        ObjectNode json = Results.object();
        MimeMessage mime = null;
        byte[] raw = null;
        ListMessagesResponse listed = inbox.users().messages().list("me").setLabelIds(List.of("INBOX")).execute();
        for (Message listedMessage : listed.getMessages() == null ? List.<Message>of() : listed.getMessages()) {
            byte[] candidate = inbox.users().messages().get("me", listedMessage.getId()).setFormat("raw").execute().decodeRaw();
            MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(candidate));
            if (parsed.getSubject() != null && parsed.getSubject().startsWith(subject)) {
                mime = parsed;
                raw = candidate;
                break;
            }
        }
        if (mime == null) {
            return json.put("error", "no email \"" + subject + "\" in the first recipient's inbox");
        }
        byte[] pdf = pdfIn(mime);
        if (pdf == null) {
            return json.put("emailBytes", raw.length).put("error", "the email has no application/pdf part");
        }
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pdf));
        PdfReader reader = new PdfReader(pdf);
        try {
            int pages = reader.getNumberOfPages();
            Matcher rows = ROWS.matcher(new PdfTextExtractor(reader).getTextFromPage(pages));
            long printed = -1;
            while (rows.find()) {
                printed = Long.parseLong(rows.group(1));
            }
            return json.put("emailBytes", raw.length).put("pdfBytes", pdf.length).put("sha256MatchesRun", sha256.equals(storedSha256))
                    .put("pages", pages).put("rowsPrinted", printed);
        } finally {
            reader.close();
        }
    }

    private static byte[] pdfIn(Part part) throws Exception {
        if (part.isMimeType("application/pdf")) {
            try (InputStream in = part.getInputStream()) {
                return in.readAllBytes();
            }
        }
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                byte[] found = pdfIn(multipart.getBodyPart(i));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Customers' emails, one row of the report each: plain text, subjects in the shapes the shipped triage rules sort
     * into queues, a customer per ten mails. The same seed gives the same bytes.
     */
    static List<MailMix.Mail> rows(long seed, int count) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        List<MailMix.Mail> mails = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            int customer = 1 + random.nextInt(Math.max(1, count / 10));
            String subject = String.format(Locale.ROOT, TOPICS[random.nextInt(TOPICS.length)], 1000 + random.nextInt(90_000));
            String raw = "From: Customer " + customer + " <customer" + customer + "@globex.example>\r\n"
                    + "To: support@acme.example\r\n"
                    + "Subject: " + subject + "\r\n"
                    + "Message-ID: <bench-report-row-" + i + "@globex.example>\r\n"
                    + "Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n"
                    + "MIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
                    + "Hello,\r\n\r\n" + subject + ". Please get back to me.\r\n\r\nCustomer " + customer + "\r\n";
            mails.add(new MailMix.Mail(i, null, raw.getBytes(StandardCharsets.UTF_8), 0));
        }
        return mails;
    }

    /**
     * reports.yaml with the three reports, the report channel as shipped, and the paced mailbox at the shipped budget
     * (the other mailbox keeps the unlimited one the world was made with).
     */
    private static void configure(Path config, int shippedBudget, List<String> recipients, int warmRows) throws java.io.IOException {
        Path mailboxes = config.resolve("mailboxes.yaml");
        Files.writeString(mailboxes, Files.readString(mailboxes).replace("  - id: " + PACED_MAILBOX + "\n",
                "  - id: " + PACED_MAILBOX + "\n    quotaUnitsPerSecond: " + shippedBudget + "\n"));
        Path channels = config.resolve("channels.yaml");
        Files.writeString(channels, Files.readString(channels).replace("""
                recipients:
                """, """
                  report-email:
                    type: email
                    sender: $mailbox
                    fromName: Acme Reports
                    template: notification
                recipients:
                """));
        String query = """
                SELECT m.ingested_at AS "Received", m.from_address AS "From", m.subject AS "Subject",
                       w.queue AS "Queue", w.category AS "Category", w.state AS "State"
                  FROM mail_message m LEFT JOIN workflow_item w ON w.source_message_id = m.id
                 WHERE m.status = 'INGESTED'
                 ORDER BY m.id""";
        Files.writeString(config.resolve("reports.yaml"), "reports:\n"
                + report("bench-warm-up", "Bench report (warm-up)", UNPACED_MAILBOX, query + "\n FETCH FIRST " + warmRows
                        + " ROWS ONLY", List.of(recipients.get(0)))
                + report("bench-unpaced", "Bench report (unpaced)", UNPACED_MAILBOX, query, recipients)
                + report("bench-paced", "Bench report (paced)", PACED_MAILBOX, query, recipients));
    }

    private static String report(String id, String title, String mailbox, String query, List<String> recipients) {
        return """
                  - id: %s
                    title: %s
                    owner: %s
                    mailbox: %s
                    schedule: {cron: "0 0 7 1 * ?", zone: UTC}
                    source:
                      type: sql
                      query: |
                %s
                    format: pdf
                    recipients: [%s]
                    delivery: attachment
                    subject: "{{report.title}} for {{period.key}}"
                    body: "Hello,\\n\\nthe message log is attached.\\n"
                """.formatted(id, title, OWNER, mailbox, query.indent(8).stripTrailing(), String.join(", ", recipients));
    }

    /** The budget config/mailboxes.yaml ships (defaults.quotaUnitsPerSecond). */
    private static int shippedQuotaBudget() throws java.io.IOException {
        Matcher m = Pattern.compile("(?m)^\\s*quotaUnitsPerSecond:\\s*(\\d+)").matcher(Files.readString(Path.of("config", "mailboxes.yaml")));
        return m.find() ? Integer.parseInt(m.group(1)) : 50;
    }
}
