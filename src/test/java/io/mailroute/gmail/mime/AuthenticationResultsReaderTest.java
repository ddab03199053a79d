package io.mailroute.gmail.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuthenticationResultsReaderTest {

    static Stream<Arguments> headers() {
        return Stream.of(
                Arguments.of("as the sandbox stamps it",
                        List.of("mx.google.com; dkim=pass header.i=@globex.example; spf=pass smtp.mailfrom=ann@globex.example;"
                                + " dmarc=pass (p=NONE) header.from=globex.example"),
                        new AuthVerdicts("pass", "pass", "pass", List.of("globex.example"), List.of("globex.example"))),
                Arguments.of("as Gmail writes it, folded, two signatures of which one passes",
                        List.of("mx.google.com;\r\n       dkim=neutral (body hash did not verify) header.i=@esp.globex.example"
                                + " header.s=esp1 header.b=Zz99Yy88;\r\n       dkim=pass header.i=@Globex.Example. header.s=s1;"
                                + "\r\n       spf=pass smtp.mailfrom=billing@globex.example;\r\n"
                                + "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=globex.example"),
                        new AuthVerdicts("pass", "pass", "pass", List.of("globex.example"), List.of("globex.example"))),
                Arguments.of("header.d is the signing domain, before header.i; header.i may name a user",
                        List.of("mx.google.com; dkim=pass header.i=ann@mail.globex.example header.d=globex.example;"
                                + " dkim/1=pass header.i=ann@Mail.Initech.Example; dmarc=fail header.from=initech.example"),
                        new AuthVerdicts("pass", "none", "fail", List.of("globex.example", "mail.initech.example"), List.of())),
                Arguments.of("a domain in a comment is no property",
                        List.of("mx.google.com; dmarc=pass (header.from=evil.example) header.from=\"globex.example\""),
                        new AuthVerdicts("none", "none", "pass", List.of(), List.of("globex.example"))),
                Arguments.of("a pass without its domain vouches for none",
                        List.of("mx.google.com; dkim=pass; dmarc=pass"),
                        new AuthVerdicts("pass", "none", "pass", List.of(), List.of())),
                Arguments.of("Gmail's says fail; a lower one saying pass was written by the sender",
                        List.of("mx.google.com; dkim=fail header.i=@initech.example; spf=softfail smtp.mailfrom=x@initech.example;"
                                + " dmarc=fail header.from=initech.example",
                                "mx.google.com; dkim=pass header.i=@initech.example; spf=pass; dmarc=pass header.from=initech.example"),
                        new AuthVerdicts("fail", "softfail", "fail", List.of(), List.of())),
                Arguments.of("the topmost is not Gmail's: Gmail stamped nothing, and a lower 'mx.google.com' one is forged",
                        List.of("relay.lookalike.example; dkim=pass header.d=initech.example",
                                "mx.google.com; dkim=pass header.i=@initech.example; dmarc=pass header.from=initech.example"),
                        AuthVerdicts.none()),
                Arguments.of("an authserv-id that only starts like Gmail's is not Gmail's",
                        List.of("mx.google.com.attacker.example; dkim=pass header.d=acme.example; dmarc=pass header.from=acme.example"),
                        AuthVerdicts.none()),
                Arguments.of("no header at all", List.of(), AuthVerdicts.none()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headers")
    void readsOnlyGmailsTopmostVerdictsWithTheDomainsTheyPassFor(String what, List<String> topmostFirst, AuthVerdicts expected) {
        assertEquals(expected, AuthenticationResultsReader.read(topmostFirst.toArray(String[]::new)));
    }
}
