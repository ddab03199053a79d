package io.mailroute.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue, verify, refuse, consume and CSRF, against an in-memory H2 migrated like the service's. */
class SignedLinksTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final Instant DEADLINE = NOW.plus(Duration.ofDays(3));
    private static final String DECIDE = "approval.decide";
    private static final String KEY = LinkKeys.generate();
    private static final LinkBaseUrl BASE = LinkBaseUrl.parse("https://mail.acme.example/mailroute", "test");

    /** One database for the class: every test's links have their own random ids. */
    private static Database db;
    private final MutableClock clock = new MutableClock(NOW);
    private final SignedLinks links = service(LinkKeys.of(KEY));

    @BeforeAll
    static void open() {
        db = TestDatabases.h2("links");
    }

    @AfterAll
    static void close() {
        db.close();
    }

    private SignedLinks service(LinkKeys keys) {
        return new SignedLinks(keys, BASE, db, clock);
    }

    private String issue(boolean singleUse) {
        return links.issue(DECIDE, "apr-4711", "anna@acme.example", DEADLINE, singleUse);
    }

    private static SignedLink valid(LinkCheck check) {
        return assertInstanceOf(LinkCheck.Valid.class, check, () -> "refused: " + check).link();
    }

    private static LinkCheck.Refused refused(Refusal reason, LinkCheck check) {
        LinkCheck.Refused refused = assertInstanceOf(LinkCheck.Refused.class, check, () -> "accepted: " + check);
        assertEquals(reason, refused.reason());
        assertEquals(reason.sentence(), refused.message());
        return refused;
    }

    @Test
    void aLinkVerifiesToWhatWasIssued() {
        SignedLink link = valid(links.verify(issue(true), DECIDE));
        assertEquals(DECIDE, link.purpose());
        assertEquals("apr-4711", link.subjectId());
        assertEquals("anna@acme.example", link.recipient());
        assertEquals(DEADLINE, link.expiresAt());
        assertTrue(link.singleUse());
        assertEquals(LinkKeys.of(KEY).currentId(), link.keyId());
        assertTrue(link.linkId().matches("[0-9a-f]{32}"), link.linkId());
        assertFalse(valid(links.verify(issue(false), DECIDE)).singleUse());
    }

    @Test
    void everyIssueIsANewLinkAndATokenShortEnoughForAButton() {
        String first = issue(true);
        String second = issue(true);
        assertNotEquals(first, second);
        assertNotEquals(valid(links.verify(first, DECIDE)).linkId(), valid(links.verify(second, DECIDE)).linkId());
        assertTrue(first.matches("[A-Za-z0-9_-]+"), first);
        assertTrue(first.length() < 160, first.length() + " characters: " + first);
    }

    @Test
    void aRecipientOfAnyTextComesBackAsItWasAndCannotMoveAField() {
        String odd = "\"O'Brien, Zoë\" <zoë+x@xn--bcher-kva.example>;purpose=report.download";
        SignedLink link = valid(links.verify(links.issue(DECIDE, "apr-1", odd, DEADLINE, false), DECIDE));
        assertEquals(odd, link.recipient());
        assertEquals("apr-1", link.subjectId());
        assertEquals(DECIDE, link.purpose());
    }

    @Test
    void aLinkIsRefusedOnceItExpires() {
        String token = issue(false);
        clock.set(DEADLINE.minusSeconds(1));
        valid(links.verify(token, DECIDE));
        clock.set(DEADLINE);
        LinkCheck.Refused refused = refused(Refusal.EXPIRED, links.verify(token, DECIDE));
        assertEquals("apr-4711", refused.link().orElseThrow().subjectId(), "a genuine expired link says what it was about");
        assertTrue(refused.message().contains("expired"), refused.message());
    }

    @Test
    void expiryIsSignedToTheSecond() {
        String token = links.issue(DECIDE, "apr-1", "anna@acme.example", NOW.plusMillis(5_999), false);
        assertEquals(NOW.plusSeconds(5), valid(links.verify(token, DECIDE)).expiresAt());
    }

    @Test
    void aLinkForAnotherPageIsRefused() {
        LinkCheck.Refused refused = refused(Refusal.WRONG_PURPOSE, links.verify(issue(false), "report.download"));
        assertTrue(refused.link().isEmpty());
    }

    @Test
    void aSingleUseLinkIsRefusedOnceConsumedAndSaysWhen() {
        String token = issue(true);
        SignedLink link = valid(links.verify(token, DECIDE));
        assertTrue(links.usedAt(link).isEmpty());
        clock.advance(Duration.ofMinutes(5));
        assertTrue(links.consume(link));
        assertEquals(Optional.of(NOW.plus(Duration.ofMinutes(5))), links.usedAt(link));

        LinkCheck.Refused refused = refused(Refusal.USED, links.verify(token, DECIDE));
        assertEquals(Optional.of(NOW.plus(Duration.ofMinutes(5))), refused.usedAt());
        assertEquals(link, refused.link().orElseThrow());
        clock.set(DEADLINE.plusSeconds(1));
        refused(Refusal.USED, links.verify(token, DECIDE)); // used says more than expired
    }

    @Test
    void consumingTwiceAnswersFalseTheSecondTime() {
        SignedLink link = valid(links.verify(issue(true), DECIDE));
        assertTrue(links.consume(link));
        assertFalse(links.consume(link));
        assertEquals(1, rows(link));
    }

    @Test
    void aLinkThatWorksManyTimesCannotBeConsumed() {
        SignedLink link = valid(links.verify(issue(false), DECIDE));
        assertThrows(IllegalArgumentException.class, () -> links.consume(link));
        valid(links.verify(issue(false), DECIDE));
    }

    @Test
    void aUseRolledBackWithTheCallersTransactionLeavesTheLinkUsable() {
        String token = issue(true);
        SignedLink link = valid(links.verify(token, DECIDE));
        assertThrows(IllegalStateException.class, () -> db.transactions().executeWithoutResult(tx -> {
            assertTrue(links.consume(link));
            throw new IllegalStateException("the decision failed");
        }));
        assertEquals(0, rows(link));
        assertEquals(link, valid(links.verify(token, DECIDE)), "the link still works");
        assertEquals(Boolean.TRUE, db.transactions().execute(tx -> links.consume(link)));
        assertEquals(1, rows(link));
    }

    @Test
    void aSecondUseInsideATransactionAnswersFalseAndTheTransactionStillCommits() {
        SignedLink link = valid(links.verify(issue(true), DECIDE));
        assertTrue(links.consume(link));
        SignedLink other = valid(links.verify(issue(true), DECIDE));
        db.transactions().executeWithoutResult(tx -> {
            assertFalse(links.consume(link));
            assertTrue(links.consume(other)); // the conflict did not spoil the transaction
        });
        assertEquals(1, rows(other));
    }

    @Test
    void ofTwoConcurrentUsesExactlyOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                SignedLink link = valid(links.verify(issue(true), DECIDE));
                CyclicBarrier together = new CyclicBarrier(2);
                Callable<Boolean> use = () -> {
                    together.await(10, TimeUnit.SECONDS);
                    return db.transactions().execute(tx -> links.consume(link));
                };
                List<Future<Boolean>> answers = pool.invokeAll(List.of(use, use));
                int won = 0;
                for (Future<Boolean> answer : answers) {
                    won += answer.get() ? 1 : 0;
                }
                assertEquals(1, won, "round " + round);
                assertEquals(1, rows(link));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLinkSignedWithAPreviousKeyStillVerifiesAndNewLinksUseTheCurrentOne() {
        String before = issue(true);
        String newKey = LinkKeys.generate();
        SignedLinks rotated = service(LinkKeys.of(newKey, KEY));
        SignedLink old = valid(rotated.verify(before, DECIDE));
        assertEquals(LinkKeys.of(KEY).currentId(), old.keyId());
        String after = rotated.issue(DECIDE, "apr-1", "anna@acme.example", DEADLINE, false);
        assertEquals(LinkKeys.of(newKey).currentId(), valid(rotated.verify(after, DECIDE)).keyId());
        refused(Refusal.UNKNOWN_KEY, links.verify(after, DECIDE)); // the old service never had the new key
        refused(Refusal.UNKNOWN_KEY, service(LinkKeys.of(newKey)).verify(before, DECIDE)); // the old key retired
    }

    @Test
    void aTokenClaimingTheKeyIdButSignedWithAnotherKeyIsRefused() {
        String other = LinkKeys.generate();
        byte[] forged = bytes(service(LinkKeys.of(other)).issue(DECIDE, "apr-4711", "anna@acme.example", DEADLINE, false));
        System.arraycopy(java.util.HexFormat.of().parseHex(LinkKeys.of(KEY).currentId()), 0, forged, 1, 4);
        refused(Refusal.BAD_SIGNATURE, links.verify(token(forged), DECIDE));
    }

    /** Where each part of a token lies; a changed byte in any signed part is refused. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"link id", "expiry", "single-use flag", "purpose", "subject", "recipient", "signature"})
    void changingAnySignedPartIsRefused(String part) {
        byte[] token = bytes(issue(false));
        int purposeAt = 27;
        int subjectAt = purposeAt + DECIDE.length() + 1;
        int recipientAt = subjectAt + "apr-4711".length() + 1;
        int at = switch (part) {
            case "link id" -> 5;
            case "expiry" -> 24; // one second later
            case "single-use flag" -> 25;
            case "purpose" -> purposeAt; // approval.decide -> `pproval.decide
            case "subject" -> subjectAt + 7; // apr-4711 -> apr-4710
            case "recipient" -> recipientAt;
            default -> token.length - 1;
        };
        token[at] ^= 1;
        refused(Refusal.BAD_SIGNATURE, links.verify(token(token), DECIDE));
    }

    @Test
    void changingTheKeyIdOrTheVersionIsRefused() {
        byte[] token = bytes(issue(false));
        token[2] ^= 1;
        refused(Refusal.UNKNOWN_KEY, links.verify(token(token), DECIDE));
        token = bytes(issue(false));
        token[0] = 2;
        refused(Refusal.MALFORMED, links.verify(token(token), DECIDE));
    }

    @Test
    void aTruncatedOrExtendedTokenIsRefused() {
        String token = issue(false);
        for (int length = 0; length < token.length(); length++) {
            LinkCheck check = links.verify(token.substring(0, length), DECIDE);
            assertFalse(check.isValid(), "cut to " + length);
        }
        assertFalse(links.verify(token + "A", DECIDE).isValid());
        assertFalse(links.verify(token + "AAAA", DECIDE).isValid());
        byte[] bytes = bytes(token);
        byte[] shorter = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        refused(Refusal.BAD_SIGNATURE, links.verify(token(shorter), DECIDE));
    }

    @Test
    void aTokenIsSpelledOneWayOnly() {
        String token = issue(false);
        assertNotEquals(0, bytes(token).length % 3, "the last character has unused bits");
        // Those unused low bits can be set and the same bytes decode: that spelling is refused.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = token.charAt(token.length() - 1);
        String respelled = token.substring(0, token.length() - 1) + alphabet.charAt(alphabet.indexOf(last) ^ 1);
        assertTrue(java.util.Arrays.equals(bytes(token), bytes(respelled)));
        refused(Refusal.MALFORMED, links.verify(respelled, DECIDE));
        refused(Refusal.MALFORMED, links.verify(token + "==", DECIDE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "null", "AAAA", "%00", "not a token", "../../etc/passwd", "ÿÿÿÿ", "=="})
    void garbageIsMalformed(String garbage) {
        refused(Refusal.MALFORMED, links.verify(garbage, DECIDE));
    }

    @Test
    void nullIsMalformed() {
        refused(Refusal.MALFORMED, links.verify(null, DECIDE));
    }

    @Test
    void fuzzedTokensAreAnsweredNeverThrown() {
        Random random = new Random(20261122L); // fixed seed: a failure can be replayed
        String genuine = issue(true);
        byte[] bytes = bytes(genuine);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.% \u00e9\u0000";
        for (int i = 0; i < 20_000; i++) {
            String candidate;
            switch (i % 5) {
                case 0 -> { // random characters of any length
                    StringBuilder s = new StringBuilder();
                    for (int n = random.nextInt(300); n > 0; n--) {
                        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    candidate = s.toString();
                }
                case 1 -> { // random bytes, well encoded
                    byte[] b = new byte[random.nextInt(LinkToken.MAX_BYTES + 20)];
                    random.nextBytes(b);
                    candidate = token(b);
                }
                case 2 -> { // the genuine token with bytes flipped
                    byte[] b = bytes.clone();
                    for (int n = 1 + random.nextInt(3); n > 0; n--) {
                        b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                    }
                    candidate = token(b);
                }
                case 3 -> { // the genuine token cut or extended at random
                    byte[] b = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length * 2));
                    candidate = token(b);
                }
                default -> { // the genuine token with characters replaced
                    char[] c = genuine.toCharArray();
                    c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                    candidate = new String(c);
                }
            }
            LinkCheck check = links.verify(candidate, DECIDE);
            if (check.isValid()) {
                assertEquals(genuine, candidate, "only the genuine token verifies");
            }
        }
    }

    @Test
    void aCsrfTokenIsAcceptedForItsOwnLinkOnly() {
        SignedLink link = valid(links.verify(issue(true), DECIDE));
        SignedLink other = valid(links.verify(issue(true), DECIDE));
        String csrf = links.csrfToken(link);
        assertEquals(csrf, links.csrfToken(link), "a reloaded page renders the same token");
        assertTrue(links.checkCsrf(link, csrf));
        assertFalse(links.checkCsrf(other, csrf), "another link's token");
        assertFalse(links.checkCsrf(link, links.csrfToken(other)));
        assertFalse(links.checkCsrf(link, null));
        assertFalse(links.checkCsrf(link, ""));
        assertFalse(links.checkCsrf(link, csrf.substring(1)));
        assertFalse(links.checkCsrf(link, csrf + "A"));
    }

    @Test
    void aCsrfTokenIsNotTheLinkSignature() {
        byte[] token = bytes(issue(true));
        SignedLink link = valid(links.verify(token(token), DECIDE));
        byte[] signature = java.util.Arrays.copyOfRange(token, token.length - 32, token.length);
        assertFalse(links.checkCsrf(link, token(signature)), "keys derived apart");
    }

    @Test
    void aCsrfTokenOutlivesARotationWhileItsKeyStillVerifies() {
        SignedLink link = valid(links.verify(issue(true), DECIDE));
        String csrf = links.csrfToken(link);
        SignedLinks rotated = service(LinkKeys.of(LinkKeys.generate(), KEY));
        assertTrue(rotated.checkCsrf(link, csrf));
        assertFalse(service(LinkKeys.of(LinkKeys.generate())).checkCsrf(link, csrf), "its key retired");
    }

    @Test
    void aUrlIsTheBaseThePathAndTheToken() {
        String token = issue(false);
        assertEquals("https://mail.acme.example/mailroute/approvals/decide?t=" + token, links.url("/approvals/decide", token));
        assertEquals("https://mail.acme.example/mailroute/approvals/decide?t=" + token, links.url("approvals/decide", token));
        for (String bad : new String[] {"", "/", "../admin", "a/../b", "a//b", "a?x=1", "a#f", "http://evil.example/",
                "a b", "//evil.example/x"}) {
            assertThrows(IllegalArgumentException.class, () -> links.url(bad, token), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> links.url("approvals/decide", "a&b=c"));
    }

    @Test
    void issueRefusesWhatNoLinkMayCarry() {
        Map<String, Runnable> wrong = Map.of(
                "purpose with upper case", () -> links.issue("Approval", "s", "r@x.example", DEADLINE, false),
                "empty subject", () -> links.issue(DECIDE, "", "r@x.example", DEADLINE, false),
                "subject with a newline", () -> links.issue(DECIDE, "a\nb", "r@x.example", DEADLINE, false),
                "recipient with CR LF", () -> links.issue(DECIDE, "s", "r@x.example\r\nBcc: all@x.example", DEADLINE, false),
                "long recipient", () -> links.issue(DECIDE, "s", "r".repeat(250) + "@x.example", DEADLINE, false),
                "lone surrogate", () -> links.issue(DECIDE, "s\ud800", "r@x.example", DEADLINE, false),
                "expired already", () -> links.issue(DECIDE, "s", "r@x.example", NOW, false),
                "after 2106", () -> links.issue(DECIDE, "s", "r@x.example", Instant.parse("2107-01-01T00:00:00Z"), false));
        wrong.forEach((what, call) -> assertThrows(IllegalArgumentException.class, call::run, what));
    }

    @Test
    void theLongestLinkStillVerifies() {
        String purpose = "p".repeat(32);
        String subject = "\u00e9".repeat(100);
        String recipient = "r".repeat(240) + "@x.example";
        String token = links.issue(purpose, subject, recipient, DEADLINE, true);
        SignedLink link = valid(links.verify(token, purpose));
        assertEquals(recipient, link.recipient());
        assertTrue(links.consume(link), "the row holds the longest values");
    }

    private int rows(SignedLink link) {
        return db.jdbc().queryForObject("SELECT COUNT(*) FROM link_use WHERE link_id = :id", Map.of("id", link.linkId()),
                Integer.class);
    }

    private static byte[] bytes(String token) {
        return Base64.getUrlDecoder().decode(token);
    }

    private static String token(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
