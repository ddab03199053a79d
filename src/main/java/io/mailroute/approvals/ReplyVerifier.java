package io.mailroute.approvals;

import io.mailroute.gmail.mime.AuthVerdicts;
import io.mailroute.gmail.mime.MimeParser;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether a reply to an approval request may decide it. All of these must hold, and are checked in this
 * order, the first that fails naming the refusal:
 * <ol>
 * <li>{@link ReplyRefusal#NOT_IN_THREAD}: the reply is in the request's Gmail thread (ids compared exactly);
 * <li>{@link ReplyRefusal#NOT_A_REPLY_TO_THE_REQUEST}: its In-Reply-To or one of its References is the request's
 *     Message-ID, both normalised as {@link MimeParser#messageId(String)} does and then compared exactly (the
 *     local part of a Message-ID is case-sensitive);
 * <li>{@link ReplyRefusal#NOT_AN_APPROVER}: its From address is one of the approvers who may decide now: the local
 *     part as written (RFC 5321 leaves its case to the receiving host, so "Ann@" and "ann@" are not assumed to be
 *     one mailbox), the domain ignoring case; the same rule {@code MailAddresses} reads addresses by;
 * <li>{@link ReplyRefusal#NOT_AUTHENTICATED}: Gmail vouches for the From domain. The verdicts are those of the
 *     topmost Authentication-Results, and only when its authserv-id is {@code mx.google.com} (Gmail prepends its
 *     own; one lower down, even one saying "mx.google.com; dmarc=pass", was written by the sender). They vouch when
 *     {@code dmarc=pass} names the From domain as {@code header.from}, or when a {@code dkim=pass} signature's
 *     domain ({@code header.d}, else {@code header.i}) is aligned with it. A From naming more than one mailbox is
 *     never vouched for: no verdict can say which of them sent it.
 * <li>{@link ReplyRefusal#ALREADY_DECIDED}: the request is still open. Checked last, so that only the approver,
 *     proven, learns that it was decided.
 * </ol>
 *
 * <p>Alignment is DMARC's relaxed alignment, simplified without the public-suffix list: the signing domain is the
 * From domain, or one of the two is a subdomain of the other ({@code mail.globex.example} and
 * {@code globex.example}), the shorter having at least two labels. Sibling subdomains ({@code a.globex.example}
 * and {@code b.globex.example}), which DMARC would align, are not: stricter than DMARC there. It could be looser
 * only for a signing domain that is itself a public suffix ({@code co.uk}), whose DKIM key only its registry can
 * publish.
 *
 * <p>Pure: no database, no clock, no network. Stateless and thread-safe.
 */
public final class ReplyVerifier {

    /** Evidence values are cut to this many characters: they come from the email. */
    static final int MAX_EVIDENCE_CHARS = 1000;

    public ReplyVerification verify(ReplyMessage reply, ReplyRequest request) {
        Map<String, String> facts = facts(reply, request);
        if (reply.threadId() == null || !reply.threadId().equals(request.threadId())) {
            return refused(ReplyRefusal.NOT_IN_THREAD, facts, "the reply's Gmail thread " + quoted(reply.threadId())
                    + " is not the request's thread " + quoted(request.threadId()));
        }
        String requestId = MimeParser.messageId(request.messageId());
        if (requestId == null || !(requestId.equals(reply.inReplyTo()) || reply.references().contains(requestId))) {
            return refused(ReplyRefusal.NOT_A_REPLY_TO_THE_REQUEST, facts, "neither In-Reply-To nor References names the"
                    + " request's Message-ID " + quoted(requestId));
        }
        String approver = approverOf(reply.from(), request.approvers());
        if (approver == null) {
            return refused(ReplyRefusal.NOT_AN_APPROVER, facts, "From " + quoted(reply.from())
                    + " is none of the approvers who may decide now");
        }
        String domain = domainOf(reply.from());
        AuthVerdicts auth = reply.authentication();
        if (!reply.otherFrom().isEmpty()) {
            return refused(ReplyRefusal.NOT_AUTHENTICATED, facts, "the From header names " + (1 + reply.otherFrom().size())
                    + " mailboxes; no verdict can say which sent the reply");
        }
        String vouched = vouchedBy(auth, domain);
        if (vouched == null) {
            return refused(ReplyRefusal.NOT_AUTHENTICATED, facts, "Gmail's Authentication-Results give dmarc=" + auth.dmarc()
                    + " and dkim=" + auth.dkim() + ", passing for " + passing(auth) + ": none for the From domain "
                    + quoted(domain));
        }
        if (request.decided()) {
            return refused(ReplyRefusal.ALREADY_DECIDED, facts, "the approval was decided before this reply");
        }
        facts.put("finding", "the approver " + approver + " replied in the request's thread; " + vouched);
        return new ReplyVerification.Accepted(approver, vouched, Collections.unmodifiableMap(facts));
    }

    /** How Gmail's verdicts vouch for {@code fromDomain}, as text for the decision's record; null when they do not. */
    static String vouchedBy(AuthVerdicts auth, String fromDomain) {
        if (fromDomain == null) {
            return null;
        }
        if (auth.dmarcPassDomains().contains(fromDomain)) {
            return "dmarc=pass header.from=" + fromDomain;
        }
        for (String signer : auth.dkimPassDomains()) {
            if (aligned(signer, fromDomain)) {
                return "dkim=pass header.d=" + signer + " aligned with " + fromDomain + " (dmarc=" + auth.dmarc() + ")";
            }
        }
        return null;
    }

    /** Relaxed alignment without the public-suffix list: see the class comment. */
    static boolean aligned(String signingDomain, String fromDomain) {
        String a = signingDomain.toLowerCase(Locale.ROOT);
        String b = fromDomain.toLowerCase(Locale.ROOT);
        if (a.equals(b)) {
            return true;
        }
        String shorter = a.length() < b.length() ? a : b;
        String longer = shorter == a ? b : a;
        return shorter.indexOf('.') > 0 && longer.endsWith("." + shorter);
    }

    /** The approver, as the request names them, whose mailbox {@code from} is; null when none is. */
    static String approverOf(String from, List<String> approvers) {
        if (from == null) {
            return null;
        }
        for (String approver : approvers) {
            if (approver != null && sameMailbox(from, approver)) {
                return approver;
            }
        }
        return null;
    }

    /** Local parts equal as written, domains equal ignoring case and a final dot. */
    static boolean sameMailbox(String a, String b) {
        String x = a.strip();
        String y = b.strip();
        int atX = x.lastIndexOf('@');
        int atY = y.lastIndexOf('@');
        if (atX <= 0 || atY <= 0) {
            return false;
        }
        return x.substring(0, atX).equals(y.substring(0, atY)) && domainOf(x).equals(domainOf(y));
    }

    /** The domain of an address, lower-cased, without a final dot; null when there is none. */
    static String domainOf(String address) {
        if (address == null) {
            return null;
        }
        int at = address.strip().lastIndexOf('@');
        String domain = at < 0 ? "" : address.strip().substring(at + 1).toLowerCase(Locale.ROOT);
        domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        return domain.isEmpty() ? null : domain;
    }

    // ---- evidence -----------------------------------------------------------------------------------

    private static ReplyVerification refused(ReplyRefusal reason, Map<String, String> facts, String finding) {
        facts.put("finding", bounded(finding));
        return new ReplyVerification.Refused(reason, reason.sentence(), Collections.unmodifiableMap(facts));
    }

    private static Map<String, String> facts(ReplyMessage reply, ReplyRequest request) {
        Map<String, String> facts = new LinkedHashMap<>();
        AuthVerdicts auth = reply.authentication();
        facts.put("replyThreadId", bounded(reply.threadId()));
        facts.put("requestThreadId", bounded(request.threadId()));
        facts.put("inReplyTo", bounded(reply.inReplyTo()));
        facts.put("references", bounded(String.join(" ", reply.references())));
        facts.put("requestMessageId", bounded(MimeParser.messageId(request.messageId())));
        facts.put("from", bounded(reply.from()));
        facts.put("otherFrom", bounded(String.join(", ", reply.otherFrom())));
        facts.put("approvers", bounded(String.join(", ", request.approvers())));
        facts.put("dkim", bounded(auth.dkim()));
        facts.put("spf", bounded(auth.spf()));
        facts.put("dmarc", bounded(auth.dmarc()));
        facts.put("dkimPassDomains", bounded(String.join(", ", auth.dkimPassDomains())));
        facts.put("dmarcPassDomains", bounded(String.join(", ", auth.dmarcPassDomains())));
        facts.put("alreadyDecided", String.valueOf(request.decided()));
        return facts;
    }

    private static String passing(AuthVerdicts auth) {
        if (auth.dmarcPassDomains().isEmpty() && auth.dkimPassDomains().isEmpty()) {
            return "no domain";
        }
        return "dmarc " + auth.dmarcPassDomains() + ", dkim " + auth.dkimPassDomains();
    }

    private static String quoted(String s) {
        return s == null ? "(none)" : "\"" + s + "\"";
    }

    private static String bounded(String s) {
        return s == null ? "" : ReplyDecisionReader.bounded(s, MAX_EVIDENCE_CHARS);
    }
}
