package io.mailroute.links;

import io.mailroute.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Mailroute's one signed-link service, for every link a person gets by email or push and opens without
 * logging in: approval decisions, report downloads, acknowledgements. The link is the credential, so it
 * follows the habits of S3 presigned URLs: the expiry is inside the signature, the token names its key (so
 * keys can rotate), and signatures are compared in constant time.
 *
 * <h2>A link's life</h2>
 * <pre>{@code
 * // sending: one link per recipient, expiring with the request
 * String token = links.issue("approval.decide", approvalId, "anna@acme.example", deadline, true);
 * String url = links.url("approvals/decide", token);    // https://mailroute.acme.example/approvals/decide?t=...
 *
 * // GET: show, never act
 * LinkCheck check = links.verify(token, "approval.decide");
 * if (check instanceof LinkCheck.Refused refused) { ... show refused.message() ... }
 * SignedLink link = ((LinkCheck.Valid) check).link();
 * ... render the page with a hidden field csrf = links.csrfToken(link) ...
 *
 * // POST: verify again, check the form's CSRF token, then act and consume in ONE transaction
 * if (!links.checkCsrf(link, form.get("csrf"))) { ... 403 ... }
 * boolean decided = db.transactions().execute(tx -> links.consume(link) && approvals.decide(...));
 * if (!decided) { ... "already used" page: links.usedAt(link) ... }
 * }</pre>
 *
 * <h2>What a token holds</h2>
 * A token is base64url (no padding, safe in a URL as it is), about 110 to 160 characters: a version, the key id,
 * a random 128-bit link id, the expiry (whole seconds), a single-use flag, the purpose, the subject id and the
 * recipient, then an HMAC-SHA256 over all of that. It is <em>signed, not encrypted</em>: anyone holding the link
 * can read its purpose, subject id and recipient, so put ids there, never secrets. Pages that open links should
 * answer with {@code Referrer-Policy: no-referrer} and {@code Cache-Control: no-store}, so the token does not leak
 * to other sites or caches.
 *
 * <h2>Failures</h2>
 * {@link #verify} never throws for what a browser sends: any string, null included, is answered with a
 * {@link LinkCheck.Refused} and a sentence fit to show. The methods that take a purpose, subject, recipient, path
 * or expiry from code throw {@link IllegalArgumentException} for values no link may carry: that is a bug in the
 * caller. Methods that read or write {@code link_use} throw Spring's {@code DataAccessException} when the
 * database fails.
 */
public final class SignedLinks {

    /** The query parameter that carries the token in {@link #url}. */
    public static final String TOKEN_PARAMETER = "t";
    /** A suggested name for the form field that carries {@link #csrfToken}. */
    public static final String CSRF_PARAMETER = "csrf";
    /** Longer strings are refused as {@link Refusal#MALFORMED} before they are decoded. */
    private static final int MAX_TOKEN_CHARS = (LinkToken.MAX_BYTES * 4 + 2) / 3;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();
    private static final HexFormat HEX = HexFormat.of();

    private final LinkKeys keys;
    private final LinkBaseUrl baseUrl;
    private final LinkUses uses;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param keys    the current key signs, every key verifies ({@link LinkKeys#load})
     * @param baseUrl where {@link #url} points ({@code mailroute.links.base-url})
     * @param db      holds {@code link_use}, the record of single-use links used
     * @param clock   decides expiry
     */
    public SignedLinks(LinkKeys keys, LinkBaseUrl baseUrl, Database db, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.uses = new LinkUses(Objects.requireNonNull(db, "db"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A new link token, signed with the current key. Each call makes a different token (a new random link id),
     * also for the same arguments: issue one per recipient.
     *
     * @param purpose   what the link is for, checked by {@link #verify}: lower case, {@code [a-z][a-z0-9._-]}, at
     *                  most 32 characters, e.g. {@code approval.decide}, {@code report.download}, {@code ack}
     * @param subjectId what it is about (an approval's or report's id): 1 to 200 bytes of UTF-8, no control characters
     * @param recipient whom it is for (an email address, as sent to): 1 to 254 bytes of UTF-8, no control characters
     * @param expiresAt the link works strictly before this instant, rounded down to the second; it must be in the
     *                  future and before 2106
     * @param singleUse whether it works once: then {@link #consume} records its use and {@link #verify} refuses it after
     * @return the token: base64url, to put in a URL with {@link #url}
     * @throws IllegalArgumentException for a value no link may carry (the message names which)
     */
    public String issue(String purpose, String subjectId, String recipient, Instant expiresAt, boolean singleUse) {
        if (purpose == null || !LinkToken.PURPOSE.matcher(purpose).matches()) {
            throw new IllegalArgumentException("link purpose must match " + LinkToken.PURPOSE + ": " + purpose);
        }
        requireText("subject id", subjectId, LinkToken.MAX_SUBJECT_BYTES);
        requireText("recipient", recipient, LinkToken.MAX_RECIPIENT_BYTES);
        Objects.requireNonNull(expiresAt, "expiresAt");
        long expiry = expiresAt.getEpochSecond();
        if (!clock.instant().isBefore(Instant.ofEpochSecond(expiry))) {
            throw new IllegalArgumentException("a link must expire in the future (whole seconds): " + expiresAt);
        }
        if (expiry > LinkToken.MAX_EXPIRY_SECOND) {
            throw new IllegalArgumentException("a link cannot expire after 2106: " + expiresAt);
        }
        byte[] linkId = new byte[LinkToken.LINK_ID_BYTES];
        random.nextBytes(linkId);
        LinkKey key = keys.current();
        byte[] body = new LinkToken(key.id(), linkId, expiry, singleUse, purpose, subjectId, recipient).body();
        byte[] signature = key.sign(body, body.length);
        byte[] token = new byte[body.length + signature.length];
        System.arraycopy(body, 0, token, 0, body.length);
        System.arraycopy(signature, 0, token, body.length, signature.length);
        return BASE64URL.encodeToString(token);
    }

    /**
     * Checks a token a browser sent. In order: well-formed ({@link Refusal#MALFORMED}), signed with a key this
     * service has ({@link Refusal#UNKNOWN_KEY}), signature right, compared in constant time before any field is
     * read ({@link Refusal#BAD_SIGNATURE}), made for {@code expectedPurpose} ({@link Refusal#WRONG_PURPOSE}), a
     * single-use link not used yet ({@link Refusal#USED}, which reads {@code link_use}), not expired
     * ({@link Refusal#EXPIRED}).
     *
     * <p>A GET page and the POST it leads to both verify: between the two the link may have expired or been used.
     *
     * @param token           what the browser sent, untrusted: anything, null included, is answered, never thrown
     * @param expectedPurpose the purpose this page serves
     */
    public LinkCheck verify(String token, String expectedPurpose) {
        Objects.requireNonNull(expectedPurpose, "expectedPurpose");
        byte[] bytes = decode(token);
        byte[] keyId = bytes == null ? null : LinkToken.keyIdOf(bytes);
        if (keyId == null) {
            return LinkCheck.Refused.because(Refusal.MALFORMED);
        }
        LinkKey key = keys.find(HEX.formatHex(keyId));
        if (key == null) {
            return LinkCheck.Refused.because(Refusal.UNKNOWN_KEY);
        }
        int signed = bytes.length - LinkToken.SIGNATURE_BYTES;
        byte[] signature = new byte[LinkToken.SIGNATURE_BYTES];
        System.arraycopy(bytes, signed, signature, 0, signature.length);
        if (!MessageDigest.isEqual(key.sign(bytes, signed), signature)) {
            return LinkCheck.Refused.because(Refusal.BAD_SIGNATURE);
        }
        LinkToken fields = LinkToken.parse(bytes, signed);
        if (fields == null) {
            return LinkCheck.Refused.because(Refusal.MALFORMED); // signed by us but not readable: a future version's
        }
        SignedLink link = new SignedLink(HEX.formatHex(fields.linkId()), fields.purpose(), fields.subjectId(),
                fields.recipient(), Instant.ofEpochSecond(fields.expiresAtSecond()), fields.singleUse(), key.hexId());
        if (!link.purpose().equals(expectedPurpose)) {
            return LinkCheck.Refused.because(Refusal.WRONG_PURPOSE);
        }
        if (link.singleUse()) {
            Optional<Instant> usedAt = uses.usedAt(link.linkId());
            if (usedAt.isPresent()) {
                return new LinkCheck.Refused(Refusal.USED, Optional.of(link), usedAt);
            }
        }
        if (!clock.instant().isBefore(link.expiresAt())) {
            return new LinkCheck.Refused(Refusal.EXPIRED, Optional.of(link), Optional.empty());
        }
        return new LinkCheck.Valid(link);
    }

    /**
     * Uses a single-use link: records its id in {@code link_use}, and answers false when it was used already
     * (also by a concurrent request: the table's primary key decides, exactly one consume of a link is true).
     * Call it inside the transaction that does what the link asked for ({@code db.transactions().execute(...)}),
     * after {@link #verify} in the same request: then the action and the link's use commit together, or roll
     * back together and the link still works. A false answer does not spoil the caller's transaction.
     *
     * @param link a single-use link from {@link #verify}
     * @throws IllegalArgumentException for a link that is not single-use (it can be opened any number of times)
     */
    public boolean consume(SignedLink link) {
        if (!link.singleUse()) {
            throw new IllegalArgumentException("not a single-use link, it cannot be consumed: " + link);
        }
        return uses.record(link, clock.instant());
    }

    /** When this link was used ({@link #consume}), for an "already used on ..." page; empty while it is unused. */
    public Optional<Instant> usedAt(SignedLink link) {
        return uses.usedAt(link.linkId());
    }

    /**
     * The CSRF token for the form of the page this link opens (OWASP's HMAC-based synchronizer token, bound to
     * the link instead of a session): an HMAC of the link id with a key derived for CSRF alone from the key that
     * signed the link. Render it into the GET page's form; {@link #checkCsrf} accepts it only for this link.
     * The same link always gets the same token, so reloading the page does not break an open form.
     *
     * @throws IllegalArgumentException when the key that signed the link is no longer configured
     */
    public String csrfToken(SignedLink link) {
        LinkKey key = keys.find(link.keyId());
        if (key == null) {
            throw new IllegalArgumentException("the key of this link is not configured: " + link);
        }
        return BASE64URL.encodeToString(key.csrf(HEX.parseHex(link.linkId())));
    }

    /**
     * Whether a POSTed CSRF token is the one {@link #csrfToken} gives for this link, compared in constant time.
     * False for anything else: another link's token, a damaged one, null, or the link's key no longer configured.
     *
     * @param link  the link the POST carries, from {@link #verify}
     * @param token the form field's value, untrusted
     */
    public boolean checkCsrf(SignedLink link, String token) {
        LinkKey key = keys.find(link.keyId());
        if (key == null || token == null) {
            return false;
        }
        byte[] expected = BASE64URL.encodeToString(key.csrf(HEX.parseHex(link.linkId())))
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The URL to send: {@code mailroute.links.base-url}, the path under it, and {@code ?t=TOKEN}.
     *
     * @param path  the page's path relative to the base URL ({@code approvals/decide}; a leading "/" is ignored):
     *              segments of letters, digits and {@code . _ ~ -}, none starting with "."
     * @param token what {@link #issue} returned
     * @throws IllegalArgumentException for another path or token
     */
    public String url(String path, String token) {
        return baseUrl.url(path, token);
    }

    /** The id of the key that signs new links (for logs and diagnostics; never the key). */
    public String currentKeyId() {
        return keys.currentId();
    }

    /** The token's bytes, or null when it is not canonical base64url of a plausible length. */
    private static byte[] decode(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return null;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return null;
            }
        }
        byte[] bytes;
        try {
            bytes = BASE64URL_DECODER.decode(token);
        } catch (IllegalArgumentException e) {
            return null; // a length no base64 has
        }
        // One token per link: unused low bits in the last character would give the same bytes other spellings.
        return BASE64URL.encodeToString(bytes).equals(token) ? bytes : null;
    }

    private static void requireText(String what, String text, int maxBytes) {
        String invalid = LinkToken.invalidText(text, maxBytes);
        if (invalid != null) {
            throw new IllegalArgumentException("link " + what + " " + invalid);
        }
    }
}
