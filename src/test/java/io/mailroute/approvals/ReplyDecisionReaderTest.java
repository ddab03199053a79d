package io.mailroute.approvals;

import static io.mailroute.approvals.ReplyDecision.APPROVE;
import static io.mailroute.approvals.ReplyDecision.REJECT;
import static io.mailroute.approvals.ReplyDecision.REQUEST_CHANGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplyDecisionReaderTest {

    private static final String GMAIL_QUOTE = "\n\nOn Mon, 1 Apr 2024 at 10:00, Mailroute Approvals <approvals@acme.example> wrote:\n\n"
            + "> Approval requested: PO-1042, 12,400.00 EUR, Initech\n> Reply Approve, Reject or Request changes.\n";

    private final ReplyDecisionReader reader = new ReplyDecisionReader();

    private static ReplyReading decided(ReplyDecision decision, String comment) {
        return new ReplyReading.Decided(decision, comment);
    }

    private static ReplyReading unknown(String firstWords) {
        return new ReplyReading.Unknown(firstWords);
    }

    private static Arguments text(String what, String text, ReplyReading expected) {
        return Arguments.of(what, text, null, expected);
    }

    private static Arguments html(String what, String html, ReplyReading expected) {
        return Arguments.of(what, null, html, expected);
    }

    static Stream<Arguments> replies() {
        return Stream.of(
                // ---- English, the words and their punctuation
                text("approved with a full stop", "Approved.", decided(APPROVE, "")),
                text("upper case and an exclamation mark", "APPROVE!", decided(APPROVE, "")),
                text("yes, a dash, a comment", "Yes - looks fine", decided(APPROVE, "looks fine")),
                text("comment after a comma", "approved, thanks Bob", decided(APPROVE, "thanks Bob")),
                text("above Gmail's plain-text quote", "Approve" + GMAIL_QUOTE, decided(APPROVE, "")),
                text("attribution wrapped over two lines as Gmail wraps it",
                        "Rejected - too expensive\n\nOn Mon, Apr 1, 2024 at 10:00 AM Mailroute Approvals <\napprovals@acme.example> wrote:\n\n> PO-1042",
                        decided(REJECT, "too expensive")),
                text("no alone", "No", decided(REJECT, "")),
                text("declined with a colon", "Declined: over budget", decided(REJECT, "over budget")),
                text("reject, the rest on the next lines", "reject\n\nWe buy from Globex only.", decided(REJECT, "We buy from Globex only.")),
                text("request changes", "Request changes: split into two orders", decided(REQUEST_CHANGES, "split into two orders")),
                text("changes requested", "Changes requested. Please attach the quote.", decided(REQUEST_CHANGES, "Please attach the quote.")),
                text("changes alone, punctuated", "Changes: the amount is wrong", decided(REQUEST_CHANGES, "the amount is wrong")),
                text("after the full stop a 'but' is only a comment", "Approved. But next time ask earlier.",
                        decided(APPROVE, "But next time ask earlier.")),
                text("a negation after a rejection repeats it", "Rejected, not within this year's budget",
                        decided(REJECT, "not within this year's budget")),
                text("a link's question mark asks nothing", "Approved - see intranet/po?id=1", decided(APPROVE, "see intranet/po?id=1")),
                text("markdown emphasis", "**Approved**", decided(APPROVE, "")),
                text("blank lines and spaces first", "\n\n   Approved", decided(APPROVE, "")),
                text("comment lines kept, runs of blank lines made one",
                        "Approved.\nPlease order from Vendor B.\n\n\n\nThanks", decided(APPROVE, "Please order from Vendor B.\n\nThanks")),
                text("an emoji after the word is the comment", "Approved \uD83D\uDC4D", decided(APPROVE, "\uD83D\uDC4D")),
                // ---- what must not decide
                text("changes followed by words is no request for changes", "changes look good to me", unknown("changes look good to me")),
                text("a negation first", "not approved", unknown("not approved")),
                text("no idea", "no idea", unknown("no idea")),
                text("yes and no", "yes and no", unknown("yes and no")),
                text("a question", "approve? what is this", unknown("approve? what is this")),
                text("a one-word question", "Approved?", unknown("Approved?")),
                text("ok does not decide", "OK", unknown("OK")),
                text("ok first, even before approved", "ok, approved", unknown("ok, approved")),
                text("a greeting first", "Hi Bob, approved.", unknown("Hi Bob, approved.")),
                text("a condition", "Approved, but only up to 500 EUR", unknown("Approved, but only up to 500 EUR")),
                text("approval taken back", "Approve, not this one", unknown("Approve, not this one")),
                text("two decisions", "yes, no", unknown("yes, no")),
                text("a word that only starts like one", "Yesterday I approved it", unknown("Yesterday I approved it")),
                text("empty", "", unknown("")),
                text("white space only", "  \n\t \n\u00A0", unknown("")),
                text("only quoted words: they are not the approver's", "> Approved\n> yes", unknown("")),
                // ---- German
                text("de genehmigt", "Genehmigt.", decided(APPROVE, "")),
                text("de ja, comment", "Ja, passt so", decided(APPROVE, "passt so")),
                text("de abgelehnt with a dash", "Abgelehnt - zu teuer", decided(REJECT, "zu teuer")),
                text("de Änderungen, Gmail's German attribution",
                        "Änderungen: bitte Lieferant ergänzen\n\nAm Mo., 1. Apr. 2024 um 10:00 Uhr schrieb Mailroute <approvals@acme.example>:\n> PO",
                        decided(REQUEST_CHANGES, "bitte Lieferant ergänzen")),
                text("de nicht genehmigt", "Nicht genehmigt", unknown("Nicht genehmigt")),
                text("de ja without punctuation before more words", "Ja aber nur bis 500", unknown("Ja aber nur bis 500")),
                text("de Outlook header block without a rule",
                        "Freigegeben\n\nVon: Mailroute <approvals@acme.example>\nGesendet: Montag, 1. April 2024 10:00\nAn: Ann\nBetreff: PO\n\nBitte ablehnen",
                        decided(APPROVE, "")),
                // ---- French
                text("fr approuvé, merci", "Approuvé, merci", decided(APPROVE, "merci")),
                text("fr refusé, space before the colon", "Refusé : hors budget", decided(REJECT, "hors budget")),
                text("fr modifications demandées, French attribution",
                        "Modifications demandées : ajouter le devis\n\nLe lun. 1 avr. 2024 à 10:00, Mailroute <approvals@acme.example> a écrit :\n> PO",
                        decided(REQUEST_CHANGES, "ajouter le devis")),
                text("fr 'si' starting a sentence is 'if'", "Si tu veux", unknown("Si tu veux")),
                text("fr non approuvé", "Non approuvé", unknown("Non approuvé")),
                // ---- Spanish
                text("es sí, adelante", "Sí, adelante", decided(APPROVE, "adelante")),
                text("es rechazado, Spanish attribution",
                        "Rechazado.\n\nEl lun, 1 abr 2024 a las 10:00, Mailroute (<approvals@acme.example>) escribió:\n> PO",
                        decided(REJECT, "")),
                text("es cambios", "Cambios: falta la factura", decided(REQUEST_CHANGES, "falta la factura")),
                text("es an inverted question mark asks", "¿Aprobado?", unknown("¿Aprobado?")),
                // ---- Dutch
                text("nl goedgekeurd, Dutch attribution",
                        "Goedgekeurd\n\nOp ma 1 apr. 2024 om 10:00 schreef Mailroute <approvals@acme.example>:\n> PO", decided(APPROVE, "")),
                text("nl afgewezen", "Afgewezen, te duur", decided(REJECT, "te duur")),
                text("nl wijzigingen gevraagd", "Wijzigingen gevraagd: offerte toevoegen", decided(REQUEST_CHANGES, "offerte toevoegen")),
                // ---- Italian
                text("it approvato, Italian attribution",
                        "Approvato!\n\nIl giorno lun 1 apr 2024 alle ore 10:00 Mailroute <approvals@acme.example> ha scritto:\n> PO",
                        decided(APPROVE, "")),
                text("it sì", "Sì.", decided(APPROVE, "")),
                text("it modifiche richieste", "Modifiche richieste - manca il preventivo", decided(REQUEST_CHANGES, "manca il preventivo")),
                // ---- Portuguese
                text("pt não", "Não.", decided(REJECT, "")),
                text("pt recusado, Portuguese attribution",
                        "Recusado - fora do orçamento\n\nEm seg., 1 de abr. de 2024 às 10:00, Mailroute <approvals@acme.example> escreveu:\n> PO",
                        decided(REJECT, "fora do orçamento")),
                text("pt alterações", "Alterações: anexar a cotação", decided(REQUEST_CHANGES, "anexar a cotação")),
                // ---- quoting styles and what ends the approver's words
                text("Outlook's original message line",
                        "Approved\n\n-----Original Message-----\nFrom: Mailroute\nSent: Monday\n\nRejected", decided(APPROVE, "")),
                text("Outlook's rule and header block",
                        "Approved, go ahead\n\n________________________________\nFrom: Mailroute Approvals <approvals@acme.example>\n"
                                + "Sent: Monday, April 1, 2024 10:00 AM\nTo: Ann\nSubject: PO-1042\n\nPlease reject",
                        decided(APPROVE, "go ahead")),
                text("a signature after '-- '", "Approved\n\nThanks,\nAnn\n-- \nAnn Example | CFO\nReject all spam",
                        decided(APPROVE, "Thanks,\nAnn")),
                text("a mobile client's line", "Yes.\n\nSent from my iPhone", decided(APPROVE, "")),
                text("a reply under the quote", "> Please approve PO-1042\n\nApproved, thanks", decided(APPROVE, "thanks")),
                // ---- unicode
                text("full-width letters read as the letters they show", "ＡＰＰＲＯＶＥＤ", decided(APPROVE, "")),
                text("mathematical bold letters likewise", "\uD835\uDC00\uD835\uDC29\uD835\uDC29\uD835\uDC2B\uD835\uDC28\uD835\uDC2F\uD835\uDC1E\uD835\uDC1D",
                        decided(APPROVE, "")),
                text("a zero-width space inside the word is invisible", "App\u200Broved.", decided(APPROVE, "")),
                text("a byte order mark first", "\uFEFFYes", decided(APPROVE, "")),
                text("a decomposed accent", "Approuve\u0301", decided(APPROVE, "")),
                text("a Cyrillic letter that looks Latin is another letter", "\u0410pproved", unknown("\u0410pproved")),
                text("a no-break space before the dash", "Approved\u00A0- fine", decided(APPROVE, "fine")),
                text("a right-to-left override is dropped from the comment", "Approved, \u202Ebad", decided(APPROVE, "bad")),
                text("an emoji alone decides nothing", "\uD83D\uDC4D", unknown("\uD83D\uDC4D")),
                // ---- HTML bodies
                html("Gmail's HTML quote",
                        "<div dir=\"ltr\">Approved, thanks!</div><br><div class=\"gmail_quote gmail_quote_container\"><div dir=\"ltr\""
                                + " class=\"gmail_attr\">On Mon, 1 Apr 2024 at 10:00, Mailroute &lt;approvals@acme.example&gt; wrote:<br></div>"
                                + "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex\"><div>Please <b>reject</b> or"
                                + " approve <div>PO-1042</div></div></blockquote></div><div>Ann</div>",
                        decided(APPROVE, "thanks!\n\nAnn")), // the <br> before the quote is a blank line
                html("Outlook's HTML reply header",
                        "<html><head><style>p{margin:0}</style></head><body><div>Rejected &ndash; vendor not on the list</div>"
                                + "<hr style=\"display:inline-block;width:98%\"><div id=\"divRplyFwdMsg\" dir=\"ltr\"><b>From:</b> Mailroute"
                                + "<br><b>Sent:</b> Monday</div><div>Please approve</div></body></html>",
                        decided(REJECT, "vendor not on the list")),
                html("French accents as entities", "<p>Approuv&eacute;&nbsp;: merci</p>", decided(APPROVE, "merci")),
                html("a word split by inline tags", "<div><b>Appro</b>ved</div>\n<div>ok</div>", decided(APPROVE, "ok")),
                html("Thunderbird's cite prefix and blockquote",
                        "<p>Änderungen: bitte aufteilen</p><div class=\"moz-cite-prefix\">Am 01.04.24 um 10:00 schrieb Mailroute:<br>"
                                + "</div><blockquote type=\"cite\">Genehmigen?</blockquote>",
                        decided(REQUEST_CHANGES, "bitte aufteilen")),
                html("only a quote", "<blockquote>Approved</blockquote>", unknown("")),
                html("script content is no text", "<script>approve()</script><p>No, too expensive.</p>", decided(REJECT, "too expensive.")),
                html("a tag that never closes ends the reading", "<p>Approved</p><div class=\"x", decided(APPROVE, "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void theFirstWordsOfTheApproversOwnTextDecide(String what, String text, String html, ReplyReading expected) {
        assertEquals(expected, reader.read(text, html));
    }

    @Test
    void theTextBodyIsReadWhenItHasWordsTheHtmlBodyOtherwise() {
        assertEquals(decided(REJECT, ""), reader.read("No.", "<p>Yes.</p>"));
        assertEquals(decided(APPROVE, ""), reader.read(" \r\n", "<p>Yes.</p>"));
        assertEquals(unknown(""), reader.read(null, null));
    }

    @Test
    void theCommentAndTheFirstWordsAreBounded() {
        ReplyReading long1 = reader.read("Approved, " + "word ".repeat(2000), null);
        String comment = assertInstanceOf(ReplyReading.Decided.class, long1).comment();
        assertEquals(ReplyDecisionReader.MAX_COMMENT_CHARS, comment.length());
        assertTrue(comment.endsWith("word\u2026"), comment.substring(comment.length() - 20));

        String firstWords = assertInstanceOf(ReplyReading.Unknown.class, reader.read("Hello there ".repeat(100), null)).firstWords();
        assertTrue(firstWords.length() <= ReplyDecisionReader.MAX_FIRST_WORDS_CHARS, firstWords);
        assertTrue(firstWords.startsWith("Hello there Hello") && firstWords.endsWith("\u2026"), firstWords);
    }

    static Stream<Arguments> megabyteBodies() {
        int mb = 1024 * 1024;
        return Stream.of(
                Arguments.of("one long line after the decision", "Approved, " + "x".repeat(mb), null, APPROVE),
                Arguments.of("a megabyte of quoted lines, the answer under them", "> quoted line\n".repeat(mb / 14) + "Rejected", null, REJECT),
                Arguments.of("a megabyte of attribution-like lines", "On Mon someone wrote:\n".repeat(mb / 22) + "Yes.", null, APPROVE),
                Arguments.of("a megabyte of From: lines with no Sent:", "From: x\n".repeat(mb / 8), null, null),
                Arguments.of("a megabyte of accented words", "Änderungen ".repeat(mb / 11), null, null),
                Arguments.of("a megabyte of ampersands", null, "&".repeat(mb), null),
                Arguments.of("a megabyte of nested blockquotes", null, "<blockquote>".repeat(mb / 12) + "Approved", null),
                Arguments.of("a megabyte of tags that never close", null, "<a ".repeat(mb / 3), null),
                Arguments.of("a megabyte of spaces after the decision word", "Yes" + " ".repeat(mb), null, APPROVE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("megabyteBodies")
    void aMegabyteBodyIsReadInLinearTime(String what, String text, String html, ReplyDecision expected) {
        // A hang guard against a quadratic or backtracking reading, not a speed claim.
        ReplyReading reading = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> reader.read(text, html));
        if (expected == null) {
            assertInstanceOf(ReplyReading.Unknown.class, reading);
        } else {
            assertEquals(expected, assertInstanceOf(ReplyReading.Decided.class, reading).decision());
        }
    }
}
