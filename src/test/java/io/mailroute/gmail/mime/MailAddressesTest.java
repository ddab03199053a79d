package io.mailroute.gmail.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MailAddressesTest {

    /** Header value, then the mailboxes expected as "address" or "address|name". */
    static Stream<Arguments> headers() {
        return Stream.of(
                row("pete(his account)@silly.test(his host)", "pete@silly.test"),
                row("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", "pete@silly.test|Pete"),
                row("jdoe@machine(comment).  example", "jdoe@machine.example"),
                row("John Doe <jdoe@machine(comment).  example>", "jdoe@machine.example|John Doe"),
                row("Mary Smith <@node.test,@relay.test:mary@example.net>", "mary@example.net|Mary Smith"),
                row("MAILER-DAEMON@lvmail01.LL.com", "MAILER-DAEMON@lvmail01.ll.com"),
                row("MAILER-DAEMON@mail.acme.example (Mail Delivery System)", "MAILER-DAEMON@mail.acme.example|Mail Delivery System"),
                row("\"big bug bb\"@bug.com", "\"big bug bb\"@bug.com"),
                row("Big Bug <\"big bug bb\"@Bug.COM>", "\"big bug bb\"@bug.com|Big Bug"),
                row("Big Bug bb@bug.com", "bb@bug.com|Big Bug"),
                row("tim@a.example concierge@b.example", "tim@a.example", "concierge@b.example"),
                row("Tim <tim@a.example> concierge@b.example", "tim@a.example|Tim", "concierge@b.example"),
                row("A <a@x.example> B <b@y.example>", "a@x.example|A", "b@y.example|B"),
                row("<ann@globex.example> (Ann)", "ann@globex.example|Ann"),
                // an address-like display name is a name: mail goes to the address in brackets
                row("support@acme.example <x@attacker.example>", "x@attacker.example|support@acme.example"),
                row("\"Support <support@acme.example>\" <x@attacker.example>", "x@attacker.example|Support <support@acme.example>"),
                row("A Group(Some people):Chris Jones <c@(Chris's host.)public.example>, joe@example.org, "
                        + "John <jdoe@one.test> (my dear friend); (the end of the group)",
                        "c@public.example|Chris Jones", "joe@example.org", "jdoe@one.test|John"),
                row("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;"),
                row("undisclosed-recipients:;"),
                row("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
                        "boss@nil.test", "sysservices@example.net|Giant; \"Big\" Box"),
                row("Joe Q. Public <john.q.public@example.com>", "john.q.public@example.com|Joe Q. Public"),
                row("=?utf-8?Q?M=C3=BCller,_Hans?= <h.mueller@initech.example>", "h.mueller@initech.example|Müller, Hans"),
                row("x@[192.0.2.1], y@example.com.", "x@[192.0.2.1]", "y@example.com"),
                row("<>"),
                row("not an address, @nowhere, nobody@, a@b@c@"),
                row("<a@b.example", "a@b.example"),
                row("a@b.example) ) c@d.example]", "a@b.example"),
                row("Ann) <a@b.example>, \\ ] [x", "a@b.example|Ann"),
                row("\"unterminated@x.example"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headers")
    void readsAnAddressHeaderTheWayAMailClientShowsIt(String header, List<MailAddress> expected) {
        assertEquals(expected, MailAddresses.parse(header));
    }

    @Test
    void duplicatesAcrossHeaderValuesAreDroppedIgnoringCaseKeepingTheFirstAsWritten() {
        assertEquals(List.of(new MailAddress("Ann@globex.example", "Ann"), new MailAddress("bob@globex.example", null)),
                MailAddresses.parse(new String[] {"Ann <Ann@globex.example>", "ann@GLOBEX.example, bob@globex.example"}));
    }

    @Test
    void anAddressTooLongToStoreIsNoAddressAndANameIsBounded() {
        String longLocal = "a".repeat(MailAddresses.MAX_ADDRESS_CHARS);
        String longName = "N".repeat(5000);

        List<MailAddress> parsed = MailAddresses.parse(longName + " <n@x.example>, " + longLocal + "@x.example");

        assertEquals(1, parsed.size(), parsed.toString());
        assertEquals("n@x.example", parsed.get(0).address());
        assertEquals(MailAddresses.MAX_NAME_CHARS, parsed.get(0).displayName().length());
    }

    @Test
    void deeplyNestedCommentsAndThousandsOfAddressesDoNotExhaustTheStack() {
        String nested = "(".repeat(200_000) + ")".repeat(200_000);
        assertEquals(List.of(new MailAddress("a@b.example", null)), MailAddresses.parse("a@b.example " + nested + nested));

        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            many.append("N").append(i).append(" <n").append(i).append("@x.example> ");
        }
        assertEquals(20_000, MailAddresses.parse(many.toString()).size());
    }

    @Test
    void controlCharactersInAQuotedLocalPartNeverReachAStoredAddress() {
        List<MailAddress> parsed = MailAddresses.parse("\"a\u0000b\u0007c\"@x.example");
        assertTrue(parsed.get(0).address().chars().noneMatch(c -> c < 0x20), parsed.toString());
    }

    private static Arguments row(String header, String... expected) {
        List<MailAddress> mailboxes = new ArrayList<>();
        for (String e : expected) {
            String[] addressAndName = e.split("\\|", 2);
            mailboxes.add(new MailAddress(addressAndName[0], addressAndName.length == 2 ? addressAndName[1] : null));
        }
        return Arguments.of(header, mailboxes);
    }
}
