package io.mailroute.sandbox;

import static io.mailroute.sandbox.SandboxTestClients.concat;
import static io.mailroute.sandbox.SandboxTestClients.mail;
import static io.mailroute.sandbox.SandboxTestClients.mailWithAttachment;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.ByteArrayContent;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.BatchModifyMessagesRequest;
import com.google.api.services.gmail.model.History;
import com.google.api.services.gmail.model.Label;
import com.google.api.services.gmail.model.ListHistoryResponse;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.MessagePart;
import com.google.api.services.gmail.model.MessagePartBody;
import com.google.api.services.gmail.model.MessagePartHeader;
import com.google.api.services.gmail.model.ModifyMessageRequest;
import com.google.api.services.gmail.model.Thread;
import io.mailroute.gmail.TokenRefusal;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Drives every sandbox Gmail method through the unmodified Google Java client over real HTTP. */
class GmailSandboxConformanceIT {

    private static GmailSandbox sandbox;

    @BeforeAll
    static void startSandbox() throws IOException {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @AfterEach
    void resetFaults() {
        sandbox.admin().setFaults(0, 500, 0);
        sandbox.admin().rateLimitNext(0, 1);
        sandbox.admin().setQuota(0);
    }

    private static SandboxTestClients.User user(String name) {
        return SandboxTestClients.newUser(sandbox, name);
    }

    private static String authResults(String domain, String mailFrom, String dkim, String spf, String dmarc) {
        return "Authentication-Results: mx.google.com; dkim=" + dkim + " header.i=@" + domain + "; spf=" + spf
                + " smtp.mailfrom=" + mailFrom + "; dmarc=" + dmarc + " (p=NONE) header.from=" + domain + "\r\n";
    }

    private static String header(MessagePart part, String name) {
        return part.getHeaders().stream().filter(h -> h.getName().equalsIgnoreCase(name))
                .map(MessagePartHeader::getValue).findFirst().orElse(null);
    }

    private static Message insert(Gmail gmail, byte[] raw, String... labels) throws IOException {
        return gmail.users().messages().insert("me", new Message().encodeRaw(raw).setLabelIds(List.of(labels)))
                .execute();
    }

    private static byte[] raw(Gmail gmail, String id) throws IOException {
        return gmail.users().messages().get("me", id).setFormat("raw").execute().decodeRaw();
    }

    // ---- insert and get

    @Test
    void aMessageNestedFiveThousandMultipartsDeepIsRefusedWithGmailsErrorNotAHang() throws IOException {
        var u = user("deep");
        // Without an answer the client gives up after this long and the test fails on the timeout, not on a 400.
        Gmail patient = SandboxTestClients.gmail(sandbox, u.credentials(), java.time.Duration.ofMinutes(2));

        GoogleJsonResponseException refused = assertThrows(GoogleJsonResponseException.class,
                () -> insert(patient, io.mailroute.testing.TestMail.nestedMultiparts(5000), "INBOX"));

        assertEquals(400, refused.getStatusCode());
        assertEquals("invalidArgument", refused.getDetails().getErrors().get(0).getReason());
        assertEquals("INVALID_ARGUMENT", refused.getDetails().get("status"));
        assertTrue(refused.getDetails().getMessage().contains("nested"), refused.getDetails().getMessage());
        Message next = insert(patient, mail("a@example.com", u.address(), "after the deep one", "fine"), "INBOX");
        assertEquals(List.of(next.getId()), u.gmail().users().messages().list("me").execute().getMessages().stream()
                .map(Message::getId).toList(), "the refused message was not stored; the sandbox still serves");
    }

    @Test
    void insertedMessageReadsBackInAllFourFormats() throws IOException {
        var u = user("formats");
        byte[] pdf = new byte[3000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31);
        }
        byte[] original = mailWithAttachment("Alice <alice@example.com>", u.address(), "Quarterly report",
                "Please find the report attached.", pdf);

        Message inserted = insert(u.gmail(), original, "INBOX", "UNREAD");
        assertTrue(inserted.getId().matches("[0-9a-f]{16}"), inserted.getId());
        assertEquals(inserted.getId(), inserted.getThreadId());

        Message raw = u.gmail().users().messages().get("me", inserted.getId()).setFormat("raw").execute();
        byte[] expected = concat(authResults("example.com", "alice@example.com", "pass", "pass", "pass"), original);
        assertArrayEquals(expected, raw.decodeRaw());
        assertNull(raw.getPayload());
        assertEquals(expected.length, raw.getSizeEstimate());

        Message full = u.gmail().users().messages().get("me", inserted.getId()).setFormat("full").execute();
        assertEquals(List.of("INBOX", "UNREAD"), full.getLabelIds());
        assertEquals("Please find the report attached.", full.getSnippet());
        assertTrue(full.getHistoryId().compareTo(BigInteger.ZERO) > 0);
        assertTrue(Math.abs(full.getInternalDate() - System.currentTimeMillis()) < 60_000);
        MessagePart payload = full.getPayload();
        assertEquals("", payload.getPartId());
        assertEquals("multipart/mixed", payload.getMimeType());
        assertEquals("Quarterly report", header(payload, "Subject"));
        assertTrue(header(payload, "Authentication-Results").contains("dkim=pass"));
        assertEquals(2, payload.getParts().size());
        MessagePart text = payload.getParts().get(0);
        assertEquals("0", text.getPartId());
        assertEquals("text/plain", text.getMimeType());
        assertEquals("", text.getFilename());
        assertEquals("Please find the report attached.",
                new String(text.getBody().decodeData(), StandardCharsets.UTF_8));
        MessagePart attachment = payload.getParts().get(1);
        assertEquals("1", attachment.getPartId());
        assertEquals("application/pdf", attachment.getMimeType());
        assertEquals("report.pdf", attachment.getFilename());
        assertEquals(pdf.length, attachment.getBody().getSize());
        assertNull(attachment.getBody().getData());
        assertNotNull(attachment.getBody().getAttachmentId());

        MessagePartBody fetched = u.gmail().users().messages().attachments()
                .get("me", inserted.getId(), attachment.getBody().getAttachmentId()).execute();
        assertArrayEquals(pdf, fetched.decodeData());
        assertEquals(pdf.length, fetched.getSize());

        Message metadata = u.gmail().users().messages().get("me", inserted.getId()).setFormat("metadata")
                .setMetadataHeaders(List.of("Subject", "From")).execute();
        assertEquals(Set.of("Subject", "From"),
                metadata.getPayload().getHeaders().stream().map(MessagePartHeader::getName).collect(Collectors.toSet()));
        assertNull(metadata.getPayload().getParts());
        assertNull(metadata.getRaw());

        Message minimal = u.gmail().users().messages().get("me", inserted.getId()).setFormat("minimal").execute();
        assertNull(minimal.getPayload());
        assertNull(minimal.getRaw());
        assertEquals(inserted.getId(), minimal.getId());
        assertEquals(List.of("INBOX", "UNREAD"), minimal.getLabelIds());
        assertEquals(full.getHistoryId(), minimal.getHistoryId());
        assertEquals(full.getInternalDate(), minimal.getInternalDate());
        assertEquals(expected.length, minimal.getSizeEstimate());
    }

    @Test
    void mediaUploadsStoreTheExactBytesWithEveryUploadProtocol() throws IOException {
        var u = user("upload");
        byte[] resumableMail = mail("bob@example.org", u.address(), "Resumable", "sent the default way");
        Message resumable = u.gmail().users().messages()
                .insert("me", new Message().setLabelIds(List.of("INBOX")),
                        new ByteArrayContent("message/rfc822", resumableMail))
                .execute();

        byte[] multipartMail = mail("bob@example.org", u.address(), "Multipart", "metadata and media together");
        Gmail.Users.Messages.Insert multipartInsert = u.gmail().users().messages()
                .insert("me", new Message().setLabelIds(List.of("STARRED")),
                        new ByteArrayContent("message/rfc822", multipartMail));
        multipartInsert.getMediaHttpUploader().setDirectUploadEnabled(true);
        Message multipart = multipartInsert.execute();

        byte[] mediaMail = mail("bob@example.org", u.address(), "Media", "only the bytes");
        Gmail.Users.Messages.Insert mediaInsert = u.gmail().users().messages()
                .insert("me", null, new ByteArrayContent("message/rfc822", mediaMail));
        mediaInsert.getMediaHttpUploader().setDirectUploadEnabled(true);
        Message media = mediaInsert.execute();

        String stamp = authResults("example.org", "bob@example.org", "pass", "pass", "pass");
        assertArrayEquals(concat(stamp, resumableMail), raw(u.gmail(), resumable.getId()));
        assertArrayEquals(concat(stamp, multipartMail), raw(u.gmail(), multipart.getId()));
        assertArrayEquals(concat(stamp, mediaMail), raw(u.gmail(), media.getId()));
        assertEquals(List.of("INBOX"), get(u.gmail(), resumable.getId()).getLabelIds());
        assertEquals(List.of("STARRED"), get(u.gmail(), multipart.getId()).getLabelIds());
        assertNull(get(u.gmail(), media.getId()).getLabelIds());
    }

    private static Message get(Gmail gmail, String id) throws IOException {
        return gmail.users().messages().get("me", id).setFormat("minimal").execute();
    }

    @Test
    void controlHeaderSetsAuthenticationVerdictsAndIsRemoved() throws IOException {
        var u = user("auth");
        byte[] original = mail("Mallory <ceo@spoofed.example>", u.address(), "Wire transfer", "urgent",
                "X-Sandbox-Auth: dkim=fail; spf=softfail; dmarc=fail");
        Message inserted = insert(u.gmail(), original, "INBOX");
        String stored = new String(raw(u.gmail(), inserted.getId()), StandardCharsets.UTF_8);
        assertTrue(stored.startsWith(authResults("spoofed.example", "ceo@spoofed.example", "fail", "softfail", "fail")),
                stored);
        assertFalse(stored.contains("X-Sandbox-Auth"), stored);
    }

    @Test
    void importUsesTheDateHeaderAndInsertTheReceiveTime() throws IOException {
        var u = user("import");
        byte[] old = mail("carol@example.net", u.address(), "Old news", "from 2020",
                "Date: Wed, 01 Jan 2020 10:00:00 +0000");
        Message imported = u.gmail().users().messages().gmailImport("me", new Message().encodeRaw(old)).execute();
        assertEquals(Instant.parse("2020-01-01T10:00:00Z").toEpochMilli(), get(u.gmail(), imported.getId()).getInternalDate());

        Message inserted = insert(u.gmail(), old);
        assertTrue(Math.abs(get(u.gmail(), inserted.getId()).getInternalDate() - System.currentTimeMillis()) < 60_000);

        Message insertedByDate = u.gmail().users().messages().insert("me", new Message().encodeRaw(old))
                .setInternalDateSource("dateHeader").execute();
        assertEquals(Instant.parse("2020-01-01T10:00:00Z").toEpochMilli(),
                get(u.gmail(), insertedByDate.getId()).getInternalDate());
    }

    @Test
    void badRequestsAreGmailShaped() {
        var u = user("badraw");
        GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().messages().insert("me", new Message().setRaw("")).execute());
        assertEquals(400, e.getStatusCode());
        assertEquals("invalidArgument", e.getDetails().getErrors().get(0).getReason());

        GoogleJsonResponseException badId = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().messages().get("me", "not-an-id").execute());
        assertEquals(400, badId.getStatusCode());
        assertEquals("Invalid id value", badId.getDetails().getMessage());
        GoogleJsonResponseException unknown = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().messages().get("me", "00000000000000ff").execute());
        assertEquals(404, unknown.getStatusCode());
        assertEquals("NOT_FOUND", unknown.getDetails().get("status"));
    }

    // ---- list and search

    private static String date(String iso) {
        return "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.parse(iso));
    }

    private static String importAt(Gmail gmail, byte[] raw, String... labels) throws IOException {
        return gmail.users().messages().gmailImport("me", new Message().encodeRaw(raw).setLabelIds(List.of(labels)))
                .execute().getId();
    }

    private static List<String> search(Gmail gmail, String q) throws IOException {
        ListMessagesResponse r = gmail.users().messages().list("me").setQ(q).execute();
        return r.getMessages() == null ? List.of() : r.getMessages().stream().map(Message::getId).toList();
    }

    @Test
    void listFiltersWithSearchOperatorsLabelsAndPagesNewestFirst() throws IOException {
        var u = user("search");
        Gmail g = u.gmail();
        Label custom = g.users().labels().create("me", label("Vendor Invoices")).execute();
        String now = ZonedDateTime.now(ZoneOffset.UTC).minusHours(1).toString();
        String invoice = importAt(g, mailWithAttachment("Billing <billing@vendor.example>", u.address(),
                "Invoice 42 for March", "Amount due: 100 EUR", new byte[] {1, 2, 3}).clone(), "INBOX", "UNREAD");
        g.users().messages().modify("me", invoice, new ModifyMessageRequest().setAddLabelIds(List.of(custom.getId())))
                .execute();
        String lunch = importAt(g, mail("dave@friends.example", u.address(), "Lunch tomorrow?",
                "Shall we meet at noon?", date("2024-03-10T12:00:00Z")), "INBOX");
        String old = importAt(g, mail("eve@old.example", "someone@else.example", "Archive cleanup",
                "the quarterly archive", date("2019-06-01T08:00:00Z")));
        String spam = importAt(g, mail("spammer@junk.example", u.address(), "Win a prize", "click now",
                date(now)), "SPAM");
        String recent = importAt(g, mail("frank@vendor.example", u.address(), "Re: Invoice 42 for March",
                "paid today, thanks", date(now)), "INBOX", "UNREAD");

        assertEquals(List.of(invoice, recent).stream().sorted().toList(),
                search(g, "from:vendor.example").stream().sorted().toList());
        assertEquals(List.of(lunch), search(g, "from:dave@friends.example"));
        assertEquals(List.of(old), search(g, "to:someone@else.example"));
        assertEquals(List.of(lunch), search(g, "subject:lunch"));
        assertEquals(List.of(recent), search(g, "subject:\"re: invoice 42\""));
        assertEquals(List.of(invoice), search(g, "label:vendor-invoices"));
        assertEquals(List.of(invoice), search(g, "has:attachment"));
        assertEquals(Set.of(invoice, recent), Set.copyOf(search(g, "is:unread")));
        assertEquals(Set.of(lunch, old), Set.copyOf(search(g, "is:read")));
        assertEquals(List.of(old), search(g, "before:2020/01/01"));
        assertEquals(List.of(lunch), search(g, "after:2024/03/01 before:2024/04/01"));
        assertEquals(List.of(lunch), search(g, "after:" + Instant.parse("2024-03-10T11:00:00Z").getEpochSecond()
                + " before:" + Instant.parse("2024-03-10T13:00:00Z").getEpochSecond()));
        assertEquals(Set.of(invoice, recent), Set.copyOf(search(g, "newer_than:2d")));
        assertEquals(Set.of(lunch, old), Set.copyOf(search(g, "older_than:30d")));
        assertEquals(List.of(lunch), search(g, "noon"));
        assertEquals(List.of(old), search(g, "\"quarterly archive\""));
        assertEquals(List.of(), search(g, "\"archive quarterly\""));
        assertEquals(Set.of(lunch, old), Set.copyOf(search(g, "-from:vendor.example")));
        assertEquals(Set.of(lunch, old), Set.copyOf(search(g, "from:dave OR from:eve")));
        assertEquals(List.of(), search(g, "prize"), "SPAM is hidden from search by default");
        assertEquals(List.of(spam), search(g, "in:spam prize"));
        assertEquals(List.of(spam), g.users().messages().list("me").setQ("prize").setIncludeSpamTrash(true).execute()
                .getMessages().stream().map(Message::getId).toList());

        ListMessagesResponse inbox = g.users().messages().list("me").setLabelIds(List.of("INBOX", "UNREAD")).execute();
        assertEquals(Set.of(invoice, recent), inbox.getMessages().stream().map(Message::getId).collect(Collectors.toSet()));
        assertEquals(2L, inbox.getResultSizeEstimate());

        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListMessagesResponse page = g.users().messages().list("me").setMaxResults(2L).setPageToken(token).execute();
            assertEquals(4L, page.getResultSizeEstimate());
            page.getMessages().forEach(m -> paged.add(m.getId()));
            token = page.getNextPageToken();
            pages++;
        } while (token != null);
        assertEquals(2, pages);
        assertEquals(List.of(recent, invoice, lunch, old).subList(2, 4), paged.subList(2, 4));
        assertEquals(Set.of(recent, invoice), Set.copyOf(paged.subList(0, 2)));
        assertEquals(4, Set.copyOf(paged).size());
    }

    // ---- labels

    private static Label label(String name) {
        return new Label().setName(name).setLabelListVisibility("labelShow").setMessageListVisibility("show");
    }

    @Test
    void labelsCreateListGetAndRejectDuplicates() throws IOException {
        var u = user("labels");
        Gmail g = u.gmail();
        Label created = g.users().labels().create("me", label("Mailroute/Processed")).execute();
        assertTrue(created.getId().startsWith("Label_"), created.getId());
        assertEquals("user", created.getType());

        List<Label> labels = g.users().labels().list("me").execute().getLabels();
        Set<String> ids = labels.stream().map(Label::getId).collect(Collectors.toSet());
        assertTrue(ids.containsAll(Set.of("INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED",
                "IMPORTANT", "CATEGORY_PERSONAL", created.getId())), ids.toString());

        String id = insert(g, mail("x@example.com", u.address(), "s", "b"), "INBOX", "UNREAD").getId();
        g.users().messages().modify("me", id, new ModifyMessageRequest().setAddLabelIds(List.of(created.getId())))
                .execute();
        Label fetched = g.users().labels().get("me", created.getId()).execute();
        assertEquals("Mailroute/Processed", fetched.getName());
        assertEquals(1, fetched.getMessagesTotal());
        assertEquals(1, fetched.getMessagesUnread());
        assertEquals(1, g.users().labels().get("me", "INBOX").execute().getThreadsTotal());

        GoogleJsonResponseException duplicate = assertThrows(GoogleJsonResponseException.class,
                () -> g.users().labels().create("me", label("mailroute/processed")).execute());
        assertEquals(409, duplicate.getStatusCode());
        assertEquals("duplicate", duplicate.getDetails().getErrors().get(0).getReason());

        GoogleJsonResponseException missing = assertThrows(GoogleJsonResponseException.class,
                () -> g.users().labels().get("me", "Label_999").execute());
        assertEquals(404, missing.getStatusCode());
    }

    // ---- modify and history

    @Test
    void modifyAndBatchModifyShowInMessagesAndHistory() throws IOException {
        var u = user("modify");
        Gmail g = u.gmail();
        String a = insert(g, mail("x@example.com", u.address(), "A", "a"), "INBOX", "UNREAD").getId();
        String b = insert(g, mail("x@example.com", u.address(), "B", "b"), "INBOX", "UNREAD").getId();
        BigInteger before = g.users().getProfile("me").execute().getHistoryId();

        Message modified = g.users().messages().modify("me", a,
                new ModifyMessageRequest().setRemoveLabelIds(List.of("UNREAD")).setAddLabelIds(List.of("STARRED")))
                .execute();
        assertEquals(Set.of("INBOX", "STARRED"), Set.copyOf(modified.getLabelIds()));
        g.users().messages().batchModify("me", new BatchModifyMessagesRequest().setIds(List.of(a, b))
                .setRemoveLabelIds(List.of("INBOX"))).execute();
        assertEquals(List.of("STARRED"), get(g, a).getLabelIds());
        assertEquals(List.of("UNREAD"), get(g, b).getLabelIds());

        ListHistoryResponse added = g.users().history().list("me").setStartHistoryId(before)
                .setHistoryTypes(List.of("labelAdded")).execute();
        assertEquals(1, added.getHistory().size());
        History starred = added.getHistory().get(0);
        assertEquals(a, starred.getLabelsAdded().get(0).getMessage().getId());
        assertEquals(List.of("STARRED"), starred.getLabelsAdded().get(0).getLabelIds());
        assertNull(starred.getLabelsRemoved());

        ListHistoryResponse removed = g.users().history().list("me").setStartHistoryId(before)
                .setHistoryTypes(List.of("labelRemoved")).execute();
        List<String> removedLabels = removed.getHistory().stream()
                .flatMap(h -> h.getLabelsRemoved().stream())
                .map(r -> r.getMessage().getId() + ":" + String.join(",", r.getLabelIds())).toList();
        assertEquals(List.of(a + ":UNREAD", a + ":INBOX", b + ":INBOX"), removedLabels);
        assertEquals(g.users().getProfile("me").execute().getHistoryId(), removed.getHistoryId());

        GoogleJsonResponseException unknownLabel = assertThrows(GoogleJsonResponseException.class,
                () -> g.users().messages().modify("me", a,
                        new ModifyMessageRequest().setAddLabelIds(List.of("Label_404"))).execute());
        assertEquals(400, unknownLabel.getStatusCode());
    }

    @Test
    void historyPagesFiltersAndAnswers404WhenTooOld() throws IOException {
        var u = user("history");
        Gmail g = u.gmail();
        BigInteger start = g.users().getProfile("me").execute().getHistoryId();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(insert(g, mail("x@example.com", u.address(), "M" + i, "body " + i), "INBOX", "UNREAD").getId());
        }
        g.users().messages().modify("me", ids.get(0), new ModifyMessageRequest().setRemoveLabelIds(List.of("UNREAD")))
                .execute();
        BigInteger afterAll = g.users().getProfile("me").execute().getHistoryId();
        assertTrue(afterAll.compareTo(start) > 0, "getProfile historyId must increase");

        List<String> addedIds = new ArrayList<>();
        List<BigInteger> recordIds = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListHistoryResponse page = g.users().history().list("me").setStartHistoryId(start)
                    .setHistoryTypes(List.of("messageAdded")).setMaxResults(2L).setPageToken(token).execute();
            assertEquals(afterAll, page.getHistoryId());
            for (History h : page.getHistory()) {
                recordIds.add(h.getId());
                h.getMessagesAdded().forEach(m -> addedIds.add(m.getMessage().getId()));
                assertEquals(List.of("INBOX", "UNREAD"), h.getMessagesAdded().get(0).getMessage().getLabelIds());
                assertEquals(h.getMessagesAdded().get(0).getMessage().getId(), h.getMessages().get(0).getId());
            }
            token = page.getNextPageToken();
            pages++;
        } while (token != null);
        assertEquals(3, pages);
        assertEquals(ids, addedIds);
        assertEquals(recordIds.stream().sorted().toList(), recordIds);

        ListHistoryResponse fromLast = g.users().history().list("me").setStartHistoryId(afterAll).execute();
        assertNull(fromLast.getHistory());
        ListHistoryResponse unread = g.users().history().list("me").setStartHistoryId(start).setLabelId("UNREAD")
                .execute();
        assertEquals(6, unread.getHistory().size(), "5 added with UNREAD and 1 UNREAD removal");

        sandbox.admin().expireHistory(u.address());
        for (BigInteger stale : List.of(start, afterAll)) {
            GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class,
                    () -> g.users().history().list("me").setStartHistoryId(stale).execute());
            assertEquals(404, e.getStatusCode());
            assertEquals("notFound", e.getDetails().getErrors().get(0).getReason());
            assertEquals("Requested entity was not found.", e.getDetails().getMessage());
        }
        BigInteger fresh = g.users().getProfile("me").execute().getHistoryId();
        String later = insert(g, mail("x@example.com", u.address(), "after expiry", "b"), "INBOX").getId();
        ListHistoryResponse recovered = g.users().history().list("me").setStartHistoryId(fresh).execute();
        assertEquals(later, recovered.getHistory().get(0).getMessagesAdded().get(0).getMessage().getId());
    }

    @Test
    void trashHidesFromSearchAndDeleteLeavesAMessageDeletedRecord() throws IOException {
        var u = user("delete");
        Gmail g = u.gmail();
        String id = insert(g, mail("x@example.com", u.address(), "Disposable", "gone soon"), "INBOX").getId();
        BigInteger before = g.users().getProfile("me").execute().getHistoryId();
        g.users().messages().trash("me", id).execute();
        assertEquals(List.of(), search(g, "disposable"));
        g.users().messages().untrash("me", id).execute();
        assertEquals(List.of(id), search(g, "disposable"));
        g.users().messages().delete("me", id).execute();

        GoogleJsonResponseException gone = assertThrows(GoogleJsonResponseException.class,
                () -> g.users().messages().get("me", id).execute());
        assertEquals(404, gone.getStatusCode());
        ListHistoryResponse deleted = g.users().history().list("me").setStartHistoryId(before)
                .setHistoryTypes(List.of("messageDeleted")).execute();
        assertEquals(id, deleted.getHistory().get(0).getMessagesDeleted().get(0).getMessage().getId());
        assertEquals(0, g.users().getProfile("me").execute().getMessagesTotal());
    }

    // ---- send and threads

    @Test
    void sendAddsSentLabelMessageIdThreadsAndDeliversToSandboxUsers() throws IOException {
        var alice = user("alice");
        var bob = user("bob");
        Message original = insert(alice.gmail(), mail("client@customer.example", alice.address(), "Order 7 question",
                "Where is my order?", "Message-ID: <q7@customer.example>"), "INBOX", "UNREAD");

        byte[] reply = mail(alice.address(), "client@customer.example, " + bob.address(), "Re: Order 7 question",
                "It ships today.", "In-Reply-To: <q7@customer.example>", "References: <q7@customer.example>");
        Message sent = alice.gmail().users().messages().send("me", new Message().encodeRaw(reply)
                .setThreadId(original.getThreadId())).execute();
        assertEquals(List.of("SENT"), sent.getLabelIds());
        assertEquals(original.getThreadId(), sent.getThreadId());
        Message sentMeta = alice.gmail().users().messages().get("me", sent.getId()).setFormat("metadata").execute();
        String messageId = header(sentMeta.getPayload(), "Message-ID");
        assertTrue(messageId != null && messageId.matches("<[^@]+@[^>]+>"), messageId);
        assertTrue(header(sentMeta.getPayload(), "Date") != null);

        List<String> bobInbox = search(bob.gmail(), "subject:\"order 7\"");
        assertEquals(1, bobInbox.size());
        Message delivered = bob.gmail().users().messages().get("me", bobInbox.get(0)).setFormat("metadata").execute();
        assertEquals(Set.of("INBOX", "UNREAD"), Set.copyOf(delivered.getLabelIds()));
        assertEquals(messageId, header(delivered.getPayload(), "Message-ID"));
        assertTrue(header(delivered.getPayload(), "Authentication-Results").contains("dkim=pass"));

        // Bob replies by headers only: lands in Alice's thread? No: Alice's thread is hers. In Bob's mailbox the
        // reply joins the delivered message's thread through References.
        byte[] bobReply = mail(bob.address(), alice.address(), "RE: Order 7 question", "Thanks!",
                "In-Reply-To: " + messageId, "References: <q7@customer.example> " + messageId);
        Message bobSent = bob.gmail().users().messages().send("me", new Message().encodeRaw(bobReply)).execute();
        assertEquals(delivered.getThreadId(), bobSent.getThreadId());
        String aliceCopy = search(alice.gmail(), "from:" + bob.address()).get(0);
        assertEquals(original.getThreadId(), get(alice.gmail(), aliceCopy).getThreadId(),
                "the delivered reply threads in Alice's mailbox by References");

        Thread thread = alice.gmail().users().threads().get("me", original.getThreadId()).execute();
        assertEquals(List.of(original.getId(), sent.getId(), aliceCopy),
                thread.getMessages().stream().map(Message::getId).toList());
        assertNotNull(thread.getMessages().get(0).getPayload());
        Thread minimalThread = alice.gmail().users().threads().get("me", original.getThreadId()).setFormat("minimal")
                .execute();
        assertNull(minimalThread.getMessages().get(0).getPayload());
        Thread metadataThread = alice.gmail().users().threads().get("me", original.getThreadId())
                .setFormat("metadata").setMetadataHeaders(List.of("Subject")).execute();
        assertEquals(1, metadataThread.getMessages().get(2).getPayload().getHeaders().size());
    }

    @Test
    void threadIdJoinsOnlyWithAMatchingSubjectAsInGmail() throws IOException {
        var u = user("threading");
        Message first = insert(u.gmail(), mail("x@example.com", u.address(), "Ticket 9", "first"), "INBOX");
        Message same = u.gmail().users().messages().send("me", new Message().setThreadId(first.getThreadId())
                .encodeRaw(mail(u.address(), "x@example.com", "Re: Ticket 9", "answer"))).execute();
        Message other = u.gmail().users().messages().send("me", new Message().setThreadId(first.getThreadId())
                .encodeRaw(mail(u.address(), "x@example.com", "Something else", "new topic"))).execute();
        assertEquals(first.getThreadId(), same.getThreadId());
        assertNotEquals(first.getThreadId(), other.getThreadId());
        assertEquals(other.getId(), other.getThreadId());
    }

    @Test
    void sendByMediaUploadKeepsTheGivenMessageId() throws IOException {
        var u = user("sendmedia");
        byte[] message = mail(u.address(), "someone@elsewhere.example", "Report", "attached soon",
                "Message-ID: <report-1@mailroute.example>", "Date: Mon, 02 Mar 2026 09:00:00 +0000");
        Message sent = u.gmail().users().messages()
                .send("me", new Message(), new ByteArrayContent("message/rfc822", message)).execute();
        assertEquals(List.of("SENT"), sent.getLabelIds());
        assertArrayEquals(message, raw(u.gmail(), sent.getId()), "a sent message keeps its bytes and gets no stamp");
    }

    // ---- auth, quota, faults

    @Test
    void revokedRefreshTokenFailsWithInvalidGrant() throws IOException {
        var u = user("revoke");
        u.gmail().users().getProfile("me").execute();
        sandbox.admin().revokeRefreshToken(u.address());

        GoogleJsonResponseException first = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().getProfile("me").execute());
        assertEquals(401, first.getStatusCode(), "the revoked access token is rejected, the refresh fails");
        GoogleJsonResponseException again = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().getProfile("me").execute());
        assertEquals(401, again.getStatusCode(), "google-auth-library keeps the rejected access token: 401 again");

        var restarted = SandboxTestClients.gmail(sandbox, SandboxTestClients.credentials(sandbox,
                u.credentials().getClientId(), u.credentials().getClientSecret(), u.credentials().getRefreshToken()));
        IOException e = assertThrows(IOException.class, () -> restarted.users().getProfile("me").execute());
        TokenRefusal refused = TokenRefusal.in(e);
        assertNotNull(refused, "the token endpoint's refusal, as google-auth-library reports it: " + e);
        assertEquals(400, refused.status());
        assertEquals("invalid_grant", refused.error());

        var fresh = SandboxTestClients.gmail(sandbox,
                SandboxTestClients.credentials(sandbox, OAuthTokenStore.DEFAULT_CLIENT_ID, "wrong-secret", "x"));
        IOException badClient = assertThrows(IOException.class, () -> fresh.users().getProfile("me").execute());
        // Google answers a bad client secret 401 invalid_client; the JDK transport drops 401 bodies of
        // streamed POSTs, so the client sees only the status, against Google as against the sandbox.
        assertEquals(401, TokenRefusal.in(badClient).status());
    }

    @Test
    void unknownTokenIs401AndAnotherUsersMailboxIs403() throws IOException {
        var u = user("authz");
        var other = user("other");
        var anonymous = SandboxTestClients.gmail(sandbox,
                request -> request.getHeaders().setAuthorization("Bearer not-a-token"));
        GoogleJsonResponseException unauthenticated = assertThrows(GoogleJsonResponseException.class,
                () -> anonymous.users().getProfile("me").execute());
        assertEquals(401, unauthenticated.getStatusCode());
        assertEquals("authError", unauthenticated.getDetails().getErrors().get(0).getReason());

        assertEquals(u.address(), u.gmail().users().getProfile(u.address()).execute().getEmailAddress());
        GoogleJsonResponseException forbidden = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().getProfile(other.address()).execute());
        assertEquals(403, forbidden.getStatusCode());
    }

    @Test
    void rateLimitStormAnswers429WithRetryAfterThenRecovers() throws IOException {
        var u = user("storm");
        u.gmail().users().getProfile("me").execute();
        sandbox.admin().rateLimitNext(2, 7);
        for (int i = 0; i < 2; i++) {
            GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class,
                    () -> u.gmail().users().messages().list("me").execute());
            assertEquals(429, e.getStatusCode());
            assertEquals("7", e.getHeaders().getRetryAfter());
            assertEquals("rateLimitExceeded", e.getDetails().getErrors().get(0).getReason());
            assertEquals("RESOURCE_EXHAUSTED", e.getDetails().get("status"));
        }
        assertNotNull(u.gmail().users().messages().list("me").execute());
        SandboxStats.UserStats stats = sandbox.admin().stats().user(u.address());
        assertEquals(2, stats.rateLimited());
        assertEquals(3L, stats.requestsByMethod().get("messages.list"));
        assertEquals(1 + 5, stats.quotaUnitsUsed(), "getProfile 1 + one admitted messages.list 5");
    }

    @Test
    void quotaPerSecondAnswers429WhenExceeded() throws IOException {
        // Over HTTP only what holds however slow the machine is: a 5-unit call never fits a 4 units/s budget, a 1-unit
        // call does. The rolling one-second window itself is QuotaMeterTest's, with an injected clock.
        var u = user("quota");
        u.gmail().users().getProfile("me").execute(); // token fetched first
        sandbox.admin().setQuota(4);
        GoogleJsonResponseException refused = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().messages().list("me").execute());
        assertEquals(429, refused.getStatusCode());
        assertEquals("1", refused.getHeaders().getRetryAfter());
        u.gmail().users().getProfile("me").execute(); // admitted: within the budget
        SandboxStats.UserStats stats = sandbox.admin().stats().user(u.address());
        assertEquals(1 + 1, stats.quotaUnitsUsed(), "two getProfile; the refused messages.list cost nothing");
        assertEquals(1, stats.rateLimited());
    }

    @Test
    void injectedFaultsAndLatency() throws IOException {
        var u = user("faults");
        u.gmail().users().getProfile("me").execute();
        sandbox.admin().setFaults(1.0, 503, 0);
        GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class,
                () -> u.gmail().users().getProfile("me").execute());
        assertEquals(503, e.getStatusCode());
        assertEquals("backendError", e.getDetails().getErrors().get(0).getReason());

        sandbox.admin().setFaults(0, 500, 300);
        long start = System.nanoTime();
        u.gmail().users().getProfile("me").execute();
        assertTrue(System.nanoTime() - start >= 300_000_000L, "latency is added");
    }
}
