package io.mailroute.bench;

import io.mailroute.testing.TestMail;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Approvals end to end with one warm service and the shipped settings: approvals made through {@code POST /api/approvals}
 * are mailed to their approver, a sandbox user; the harness reads each request email from the approver's mailbox and
 * decides it (1) by link, as a browser would: GET the approve link's page, then POST its form with the page's CSRF
 * token, timed from the POST sent to {@code approval.decided} committed; (2) by reply: a reply from the approver
 * ("Approved", Gmail's verdict dmarc=pass) inserted into the approval's mailbox in the request's thread, timed from
 * the insert to {@code approval.decided} committed, at the shipped poll interval. Commit times are the events'
 * {@code occurredAt}, stamped in the transaction that records the decision (see {@link EventTail}).
 */
final class ApprovalsRun {

    private static final String MAILBOX = "bench-01";
    private static final String APPROVER = "approver@acme.example";
    private static final String REQUESTER = "requester@acme.example";
    private static final Pattern LINK = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/p/approvals/decide\\?t=[^\\s\"<>]+)");
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"(t|csrf)\" value=\"([^\"]*)\">");
    private static final Pattern NUMBER = Pattern.compile("Bench approval #(\\d+)");

    private ApprovalsRun() {
    }

    static ObjectNode run(BenchSettings settings, List<MailMix.Mail> warmup) throws Exception {
        Path dir = settings.outDir().resolve("work").resolve("approvals");
        int links = settings.approvals().links();
        int replies = settings.approvals().replies();
        int warm = Math.max(5, links / 10);
        ObjectNode json = Results.object().put("linkDecisions", links).put("replyDecisions", replies)
                .put("warmUpDecisions", warm);
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), 0, dir.resolve("sandbox.log"))) {
            ServiceWorld world = ServiceWorld.create(dir, sandbox,
                    new ServiceWorld.Setup(1, null, ServiceWorld.UNLIMITED_BUDGET, ServiceWorld.Triage.ITEMS, ""));
            configureApprovals(dir.resolve("config"));
            SandboxProcess.Credentials approver = sandbox.addUser(APPROVER);
            sandbox.addUser(REQUESTER);
            try (ServiceWorld.Started service = world.start(settings.serviceJvm())) {
                service.awaitUpMillis(Duration.ofMinutes(2));
                service.awaitBootstrapped(Duration.ofMinutes(2));
                json.put("warmedUp", service.warmUp(sandbox, world.mailboxes(), warmup, settings.stall()));
                json.put("pollInterval", shippedPollInterval());
                Gmail inbox = sandbox.gmail(approver);
                int total = warm + links + replies;
                Map<Integer, Long> ids = new LinkedHashMap<>();
                long creating = System.nanoTime();
                for (int i = 1; i <= total; i++) {
                    ids.put(i, create(service, i));
                }
                json.put("createSeconds", Results.round((System.nanoTime() - creating) / 1e9, 1));
                Map<Integer, String> approveLinks = awaitRequests(inbox, total, settings.stall());
                json.put("requestsReceived", approveLinks.size())
                        .put("requestsMailedSeconds", Results.round((System.nanoTime() - creating) / 1e9, 1));

                HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
                Map<Long, Long> postSent = new HashMap<>();
                List<Long> roundTrips = new ArrayList<>();
                int refused = 0;
                for (int i = 1; i <= warm + links; i++) {
                    String link = approveLinks.get(i);
                    if (link == null) {
                        continue;
                    }
                    String page = browser.send(HttpRequest.newBuilder(URI.create(link)).GET().build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    Map<String, String> form = hiddenFields(page);
                    String body = "t=" + encode(form.get("t")) + "&csrf=" + encode(form.get("csrf")) + "&decision=approve&comment=";
                    HttpRequest post = HttpRequest.newBuilder(URI.create(link.substring(0, link.indexOf('?'))))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    long sent = System.currentTimeMillis();
                    HttpResponse<String> answer = browser.send(post, HttpResponse.BodyHandlers.ofString());
                    long answered = System.currentTimeMillis();
                    if (answer.statusCode() != 200 || !answer.body().contains("Your decision is recorded")) {
                        refused++;
                        continue;
                    }
                    if (i > warm) {
                        postSent.put(ids.get(i), sent);
                        roundTrips.add(answered - sent);
                    }
                }
                Map<Long, Instant> decided = decidedAt(service, postSent.size() + warm);
                json.set("link", Results.object()
                        .put("decided", count(postSent, decided))
                        .put("refused", refused)
                        .put("loadAverage", ProcStats.loadAverage()));
                ((ObjectNode) json.get("link")).set("postToDecidedMillis", LatencyRun.percentiles(latencies(postSent, decided)));
                ((ObjectNode) json.get("link")).set("postRoundTripMillis", LatencyRun.percentiles(roundTrips));

                Map<Long, Long> inserted = insertReplies(service, sandbox, world, ids, warm + links, replies);
                EventTail tail = new EventTail(service.service(), "approval.decided");
                boolean complete = EventTail.await(List.of(tail),
                        () -> tail.count() >= warm + postSent.size() + inserted.size(), settings.stall());
                Map<Long, Instant> decidedByReply = decidedAt(service, 0);
                json.set("reply", Results.object()
                        .put("complete", complete)
                        .put("decided", count(inserted, decidedByReply))
                        .put("loadAverage", ProcStats.loadAverage()));
                ((ObjectNode) json.get("reply")).set("insertToDecidedMillis",
                        LatencyRun.percentiles(latencies(inserted, decidedByReply)));
                json.put("mailboxProblems", service.mailboxProblems());
            }
        }
        return json;
    }

    /** The shipped approvals.yaml sending from the benchmark's mailbox; channels routing the approval events as shipped. */
    private static void configureApprovals(Path config) throws java.io.IOException {
        Path approvals = config.resolve("approvals.yaml");
        Files.writeString(approvals, Files.readString(approvals).replaceFirst("(?m)^mailbox: .*$", "mailbox: " + MAILBOX));
        Files.writeString(config.resolve("channels.yaml"), Files.readString(config.resolve("channels.yaml")).replace("""
                recipients:
                """, """
                  approval-email:
                    type: email
                    sender: $mailbox
                    fromName: Acme Approvals
                    template: notification
                recipients:
                """).replace("""
                audiences:
                """, """
                audiences:
                  approvers: {members: [$approvers], via: [approval-email]}
                  approval-requester: {members: [$requester], via: [approval-email]}
                  approval-reply-sender: {members: [$sender], via: [approval-email]}
                """) + """
                routing:
                  approval.requested: [approvers]
                  approval.reminder: [approvers]
                  approval.decided: [approval-requester]
                  approval.reply-refused: [approval-reply-sender]
                """);
    }

    /** The poll interval config/mailboxes.yaml ships (the benchmark's mailboxes.yaml sets none, so the same default applies). */
    private static String shippedPollInterval() throws java.io.IOException {
        Matcher m = Pattern.compile("(?m)^\\s*pollInterval:\\s*(\\S+)").matcher(Files.readString(Path.of("config", "mailboxes.yaml")));
        return m.find() ? m.group(1) : "5s";
    }

    private static long create(ServiceWorld.Started service, int number) throws Exception {
        String body = Results.object().put("title", "Bench approval #" + number).put("requester", REQUESTER)
                .put("idempotencyKey", "bench-approval-" + number)
                .set("approvers", Results.JSON.createArrayNode().add(APPROVER)).toString();
        HttpResponse<String> created = service.service().request("POST", "/api/approvals", body);
        if (created.statusCode() != 201) {
            throw new IllegalStateException("POST /api/approvals answered " + created.statusCode() + ": " + created.body());
        }
        return Results.JSON.readTree(created.body()).path("id").asLong();
    }

    /** Waits for every request email in the approver's inbox; returns each approval's approve link, by its number. */
    private static Map<Integer, String> awaitRequests(Gmail inbox, int total, Duration stall) throws Exception {
        long lastProgress = System.nanoTime();
        List<String> ids = List.of();
        while (true) {
            List<String> listed = list(inbox);
            if (listed.size() != ids.size()) {
                lastProgress = System.nanoTime();
            }
            ids = listed;
            if (ids.size() >= total || System.nanoTime() - lastProgress > stall.toNanos()) {
                break;
            }
            SandboxProcess.sleep(500);
        }
        Map<Integer, String> links = new HashMap<>();
        for (String id : ids) {
            Message message = inbox.users().messages().get("me", id).setFormat("raw").execute();
            MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()),
                    new ByteArrayInputStream(Base64.getUrlDecoder().decode(message.getRaw())));
            Matcher number = NUMBER.matcher(mime.getSubject());
            Matcher link = LINK.matcher(TestMail.textOf(mime));
            if (number.find() && link.find()) {
                links.put(Integer.parseInt(number.group(1)), link.group(1));
            }
        }
        return links;
    }

    private static List<String> list(Gmail inbox) throws Exception {
        List<String> ids = new ArrayList<>();
        String page = null;
        do {
            ListMessagesResponse listed = inbox.users().messages().list("me").setLabelIds(List.of("INBOX"))
                    .setMaxResults(500L).setPageToken(page).execute();
            if (listed.getMessages() != null) {
                listed.getMessages().forEach(m -> ids.add(m.getId()));
            }
            page = listed.getNextPageToken();
        } while (page != null);
        return ids;
    }

    /**
     * Inserts one reply per approval, as the approver in the request's thread (In-Reply-To and References name the
     * request's Message-ID, Gmail's verdict dmarc=pass), spread over time so that they meet every phase of the poll.
     * Returns when each insert was sent (epoch milliseconds), by approval id.
     */
    private static Map<Long, Long> insertReplies(ServiceWorld.Started service, SandboxProcess sandbox, ServiceWorld world,
            Map<Integer, Long> ids, int first, int count) {
        String address = world.mailboxes().get(0).address();
        Map<Long, Long> sentAt = new LinkedHashMap<>();
        for (int i = first + 1; i <= first + count; i++) {
            long id = ids.get(i);
            JsonNode approval = service.service().api("/api/approvals/" + id);
            String requestId = approval.path("messages").path(0).path("messageId").asText();
            String reply = "From: Approver <" + APPROVER + ">\r\n"
                    + "To: " + address + "\r\n"
                    + "Subject: Re: Approval needed: Bench approval #" + i + "\r\n"
                    + "Message-ID: <bench-reply-" + i + "@acme.example>\r\n"
                    + "In-Reply-To: <" + requestId + ">\r\n"
                    + "References: <" + requestId + ">\r\n"
                    + "X-Sandbox-Auth: dkim=pass; spf=pass; dmarc=pass\r\n"
                    + "Date: Mon, 30 Nov 2026 09:30:00 +0000\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
                    + "Approved. Within budget\r\n\r\n> the request, quoted\r\n";
            sentAt.put(id, System.currentTimeMillis());
            sandbox.insert(address, reply.getBytes(StandardCharsets.UTF_8));
            SandboxProcess.sleep(1_300); // not a divisor of the poll interval: the replies meet it at every phase
        }
        return sentAt;
    }

    /** Commit time of each approval's {@code approval.decided}, by approval id, once at least {@code expected} are there. */
    private static Map<Long, Instant> decidedAt(ServiceWorld.Started service, int expected) {
        Map<Long, Instant> at = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            at.clear();
            for (JsonNode event : service.service().events("approval.decided")) {
                at.put(event.at("/data/approvalId").asLong(), Instant.parse(event.get("occurredAt").asText()));
            }
        } while (at.size() < expected && System.nanoTime() < deadline && sleep());
        return at;
    }

    private static boolean sleep() {
        SandboxProcess.sleep(200);
        return true;
    }

    private static List<Long> latencies(Map<Long, Long> sentAt, Map<Long, Instant> decided) {
        List<Long> out = new ArrayList<>();
        sentAt.forEach((id, sent) -> {
            Instant at = decided.get(id);
            if (at != null) {
                out.add(at.toEpochMilli() - sent);
            }
        });
        return out;
    }

    private static int count(Map<Long, Long> sentAt, Map<Long, Instant> decided) {
        return (int) sentAt.keySet().stream().filter(decided::containsKey).count();
    }

    private static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new HashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) {
            fields.put(m.group(1), m.group(2).replace("&#x3D;", "=").replace("&#61;", "=").replace("&amp;", "&"));
        }
        if (!fields.containsKey("t") || !fields.containsKey("csrf")) {
            throw new IllegalStateException("the decision page has no form with t and csrf: " + html);
        }
        return fields;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

}
