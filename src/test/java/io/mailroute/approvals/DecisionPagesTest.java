package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.Page;
import io.mailroute.pages.Pages;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision page's GET and POST on an in-memory H2 with the real approvals, links and templates; no server, no browser. */
class DecisionPagesTest {

    private static final Instant T0 = Instant.parse("2026-11-17T09:00:00Z");
    /** Allowed in an address, and each must still be escaped on a page. */
    private static final String APPROVER = "o'brien&x=`y@acme.example";
    private static final String OTHER = "b.approver@acme.example";
    private static final String HOSTILE = "<script>alert(1)</script>\"'";

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final AtomicInteger decisions = new AtomicInteger();
    private Database db;
    private Approvals approvals;
    private SignedLinks links;
    private DecisionLinks decisionLinks;
    private DecisionPages pages;

    @BeforeEach
    void setUp() throws IOException {
        db = TestDatabases.h2("decision-pages");
        TestDatabases.addMailbox(db, "accounts");
        approvals = TestApprovals.on(db, dir, """
                mailbox: accounts
                policies:
                  default: {mode: any, expires: P3D}
                  everyone: {mode: all}
                """, json, clock);
        links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(8080), db, clock);
        decisionLinks = new DecisionLinks(links, Duration.ofDays(14), clock);
        DecisionPages.Decider watched = (id, approver, decision, how, comment, evidence) -> {
            decisions.incrementAndGet();
            return approvals.decide(id, approver, decision, how, comment, evidence);
        };
        pages = new DecisionPages(approvals, watched, links, db, new Pages(), json);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void theFormShowsEveryValueEscapedAndTheLinksDecisionChosen() {
        Approval approval = request(HOSTILE + " PO-4471", "default", List.of(APPROVER, OTHER));
        DecisionLinks.Urls urls = decisionLinks.forApprover(approval, APPROVER);

        Page page = show(urls.reject());

        assertEquals(200, page.status());
        String html = page.html();
        assertTrue(html.contains("<main>"), "the narrow layout of pages for phones: " + html);
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains(HOSTILE), html);
        String escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;";
        assertTrue(html.contains("<h1>" + escaped + " PO-4471</h1>"), "title: " + html);
        assertTrue(html.contains("<dt>" + escaped + "vendor</dt><dd>" + escaped + "Vandelay</dd>"), "a field: " + html);
        assertTrue(html.contains("<li>" + escaped + ".pdf</li>"), "an attachment: " + html);
        assertTrue(html.contains("o&#39;brien&amp;x&#61;&#96;y@acme.example"), "acting as, escaped: " + html);
        assertTrue(html.contains("<dt>amount</dt><dd>12480</dd>"), html);
        assertTrue(html.contains("default: the first decision decides"), html);
        assertTrue(html.contains("2026-11-20 09:00 UTC"), "the approval's expiry: " + html);
        assertEquals(List.of("reject"), checked(html));
        assertTrue(html.contains("name=\"csrf\" value=\"" + links.csrfToken(((io.mailroute.links.LinkCheck.Valid)
                links.verify(token(urls.reject()), DecisionLinks.PURPOSE)).link()) + "\""), html);

        assertEquals(List.of(), checked(pages.show(token(urls.approve()), "<b>").html()), "an unknown pre-selection chooses nothing");
    }

    @Test
    void theFormQuotesTheOriginalMessageItsSenderAndSummaryEscaped() {
        db.jdbc().update("""
                INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, status, message_id_header, subject, from_address,
                    from_name, ingested_at, text_body)
                VALUES ('accounts', 'g-1', 'thread-1', 'INGESTED', 'po-4471@vendor.example', 'PO-4471', 'j.smith@acme.example',
                    :name, :at, :text)""", new org.springframework.jdbc.core.namedparam.MapSqlParameterSource("name", HOSTILE)
                .addValue("at", java.sql.Timestamp.from(T0)).addValue("text", "Please approve " + HOSTILE + "\r\n\r\n\r\n\r\n12 chairs."));
        Approval approval = approvals.request(new ApprovalRequest("PO-4471", "j.smith@acme.example", List.of(APPROVER), "default",
                json.createObjectNode(), List.of(), null, null, null, "NORMAL", null, "po-4471@vendor.example", "thread-1",
                ApprovalRequest.Source.EMAIL, "mail:accounts")).approval();

        String html = show(decisionLinks.forApprover(approval, APPROVER).approve()).html();

        String escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;";
        assertFalse(html.contains("<script"), html);
        assertTrue(html.contains("<h2>" + escaped + " &lt;j.smith@acme.example&gt; wrote</h2>"), "the sender: " + html);
        assertTrue(html.contains("<blockquote class=\"summary\">Please approve " + escaped + "&#10;&#10;12 chairs.</blockquote>"),
                "the summary, its blank lines folded: " + html);

        Approval fromApi = request("PO-5", "default", List.of(APPROVER));
        assertFalse(show(decisionLinks.forApprover(fromApi, APPROVER).approve()).html().contains("class=\"summary\""),
                "an approval made through the API has no original message");
    }

    @Test
    void aGetNeverDecidesWhateverTheLinkAndState() {
        Approval approval = request("PO-1", "default", List.of(APPROVER, OTHER));
        DecisionLinks.Urls urls = decisionLinks.forApprover(approval, APPROVER);
        for (int i = 0; i < 3; i++) {
            for (Decision decision : Decision.values()) {
                assertEquals(200, show(urls.of(decision)).status());
            }
        }
        assertEquals(0, decisions.get(), "a GET called decide");
        assertEquals("PENDING", approvals.approval(approval.id()).orElseThrow().state());
        assertEquals(0L, count("SELECT COUNT(*) FROM link_use"), "a GET used a link");
        assertEquals(List.of("REQUESTED", "ASKED", "ASKED"), history(approval.id()));

        // also after the decision, and for refused links
        assertEquals(200, post(urls.approve(), "approve", "fine").page().status());
        assertEquals(1, decisions.get());
        show(urls.approve());
        show(urls.reject());
        pages.show("garbage", "approve");
        assertEquals(1, decisions.get(), "a GET called decide");
    }

    @Test
    void thePostDecidesByLinkOnceAndEveryLinkThenSaysWhoDecidedWhenAndHow() {
        Approval approval = request("PO-2", "default", List.of(APPROVER, OTHER));
        DecisionLinks.Urls mine = decisionLinks.forApprover(approval, APPROVER);
        DecisionLinks.Urls theirs = decisionLinks.forApprover(approval, OTHER);
        clock.advance(Duration.ofMinutes(5));

        DecisionPages.Submitted submitted = post(mine.approve(), "approve", "Within budget <b>ok</b>\r\nthanks");

        assertEquals(200, submitted.page().status());
        assertTrue(submitted.page().html().contains("Your decision is recorded"), submitted.page().html());
        assertTrue(submitted.page().html().contains("The request is now approved."), submitted.page().html());
        assertTrue(submitted.page().html().contains("Within budget &lt;b&gt;ok&lt;/b&gt;&#10;thanks"), submitted.page().html());
        assertEquals(List.of(Approvals.DECIDED), submitted.events().stream().map(e -> e.type()).filter(Approvals.DECIDED::equals).toList());
        Approval decided = approvals.approval(approval.id()).orElseThrow();
        assertEquals("APPROVED", decided.state());
        assertEquals("LINK", decided.decidedHow());
        assertEquals(APPROVER, decided.decidedBy());

        String already = "Already decided by o&#39;brien&amp;x&#61;&#96;y@acme.example at 2026-11-17 09:05 UTC, by link: approved.";
        for (String url : List.of(mine.approve(), mine.reject(), theirs.requestChanges())) {
            Page page = show(url);
            assertEquals(200, page.status(), "not an error");
            assertTrue(page.html().contains(already), page.html());
            assertFalse(page.html().contains("<form"), page.html());
        }
        Page again = post(mine.approve(), "approve", null).page();
        assertTrue(again.html().contains(already), "the used link again: " + again.html());
        Page other = post(theirs.reject(), "reject", null).page();
        assertTrue(other.html().contains(already), "another approver's link: " + other.html());
        assertEquals("APPROVED", approvals.approval(approval.id()).orElseThrow().state());
    }

    @Test
    void aPostWithoutTheFormsCsrfTokenOrADecisionChangesNothing() {
        Approval approval = request("PO-3", "default", List.of(APPROVER));
        DecisionLinks.Urls urls = decisionLinks.forApprover(approval, APPROVER);
        String token = token(urls.approve());
        String otherLinksCsrf = csrfOf(show(decisionLinks.forApprover(approval, APPROVER).approve()).html());

        assertEquals(403, pages.submit(form(Map.of("t", token, "decision", "approve"))).page().status());
        assertEquals(403, pages.submit(form(Map.of("t", token, "decision", "approve", "csrf", "AAAA"))).page().status());
        assertEquals(403, pages.submit(form(Map.of("t", token, "decision", "approve", "csrf", otherLinksCsrf))).page().status());
        String csrf = csrfOf(show(urls.approve()).html());
        assertEquals(400, pages.submit(form(Map.of("t", token, "csrf", csrf))).page().status());
        assertEquals(400, pages.submit(form(Map.of("t", token, "csrf", csrf, "decision", "maybe"))).page().status());
        assertEquals(400, pages.submit(form(Map.of("t", token, "csrf", csrf, "decision", "approve", "comment", "x".repeat(2001))))
                .page().status());
        assertEquals(400, pages.submit(form(Map.of("t", token + "x", "csrf", csrf, "decision", "approve"))).page().status());

        assertEquals(0, decisions.get());
        assertEquals(0L, count("SELECT COUNT(*) FROM link_use"));
        assertEquals("PENDING", approvals.approval(approval.id()).orElseThrow().state());
        assertEquals(200, pages.submit(form(Map.of("t", token, "csrf", csrf, "decision", "approve"))).page().status(),
                "the link still works");
    }

    @Test
    void expiredTamperedAndForeignLinksGetTheRefusalPage() {
        Approval approval = request("PO-4", "default", List.of(APPROVER));
        DecisionLinks.Urls urls = decisionLinks.forApprover(approval, APPROVER);
        String token = token(urls.approve());
        char last = token.charAt(10);
        String tampered = token.substring(0, 10) + (last == 'A' ? 'B' : 'A') + token.substring(11);
        String foreign = links.issue("report.download", Long.toString(approval.id()), APPROVER, T0.plusSeconds(60), true);

        assertRefused(400, "it was changed after it was sent", pages.show(tampered, null));
        assertRefused(400, "not meant for this page", pages.show(foreign, null));
        assertRefused(400, "incomplete or damaged", pages.show(null, null));
        clock.advance(Duration.ofDays(4)); // past the approval's expiry (P3D), which its links share
        assertRefused(410, "This link has expired", pages.show(token, "approve"));
        assertRefused(410, "This link has expired", pages.submit(form(Map.of("t", token, "decision", "approve"))).page());
        assertEquals(0, decisions.get());
    }

    @Test
    void underPolicyAllAnApproverWhoDecidedIsToldSoWhileTheOthersAreAsked() {
        Approval approval = request("PO-5", "everyone", List.of(APPROVER, OTHER));
        DecisionLinks.Urls urls = decisionLinks.forApprover(approval, APPROVER);

        Page recorded = post(urls.approve(), "approve", null).page();
        assertTrue(recorded.html().contains("The request now waits for the other approvers."), recorded.html());

        Page used = show(urls.approve());
        assertEquals(200, used.status());
        assertTrue(used.html().contains("You have decided already"), used.html());
        Page unused = show(urls.reject());
        assertTrue(unused.html().contains("You have decided already"), unused.html());
        assertFalse(unused.html().contains("<form"), unused.html());
        assertEquals(200, show(decisionLinks.forApprover(approval, OTHER).reject()).status());
        assertEquals("PENDING", approvals.approval(approval.id()).orElseThrow().state());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private Approval request(String title, String policy, List<String> approvers) {
        return approvals.request(new ApprovalRequest(title, "j.smith@acme.example", approvers, policy,
                json.createObjectNode().put("amount", 12480).put(HOSTILE + "vendor", HOSTILE + "Vandelay"),
                List.of(new ApprovalRequest.Attachment(HOSTILE + ".pdf", "https://files.acme.example/1")), null, null, null,
                "NORMAL", null, null, null, ApprovalRequest.Source.API, "token:test")).approval();
    }

    private Page show(String url) {
        Map<String, String> query = query(url);
        return pages.show(query.get("t"), query.get("d"));
    }

    /** The POST the page's form makes (opened while the link was good): its token and CSRF token, the decision, the comment. */
    private DecisionPages.Submitted post(String url, String decision, String comment) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("t", token(url));
        fields.put("csrf", links.verify(token(url), DecisionLinks.PURPOSE) instanceof io.mailroute.links.LinkCheck.Valid valid
                ? links.csrfToken(valid.link()) : "none");
        fields.put("decision", decision);
        if (comment != null) {
            fields.put("comment", comment);
        }
        return pages.submit(form(fields));
    }

    private static FormFields form(Map<String, String> fields) {
        return FormFields.parse(fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&")));
    }

    private static String token(String url) {
        return query(url).get("t");
    }

    private static Map<String, String> query(String url) {
        return java.util.Arrays.stream(URI.create(url).getRawQuery().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> p[1]));
    }

    private static String csrfOf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1);
    }

    private static List<String> checked(String html) {
        Matcher m = Pattern.compile("value=\"([a-z-]+)\" required checked").matcher(html);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static void assertRefused(int status, String sentence, Page page) {
        assertEquals(status, page.status(), page.html());
        assertTrue(page.html().contains("This link cannot be used"), page.html());
        assertTrue(page.html().contains(sentence), page.html());
        assertFalse(page.html().contains("<form"), page.html());
    }

    private List<String> history(long id) {
        return approvals.history(id).stream().map(Approval.HistoryEntry::action).toList();
    }

    private long count(String sql) {
        return db.jdbc().queryForObject(sql, Map.of(), Long.class);
    }
}
