package io.mailroute.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PublicAddressTest {

    private static final PublicAddress LOCAL = new PublicAddress("http://localhost:8080", 8080);
    private static final PublicAddress PROXIED = new PublicAddress("https://mailroute.acme.example/", 8080);

    @ParameterizedTest(name = "Host {0}: local {1}, behind https {2}")
    @CsvSource({
        "localhost:8080, true, true",
        "127.0.0.1:8080, true, true",
        "LOCALHOST:8080, true, true",
        "evil.example, false, false",            // DNS rebinding: the name the attacker's page was loaded from
        "evil.example:8080, false, false",
        "127.0.0.1:9999, false, false",
        "localhost, false, false",               // port 80 is not the service
        "mailroute.acme.example, false, true",
        "mailroute.acme.example:443, false, true",
        "mailroute.acme.example:8443, false, false",
        "'', false, false",
    })
    void onlyThePublicAddressAndTheLoopbackServicePortAreHosts(String host, boolean local, boolean proxied) {
        assertEquals(local, LOCAL.hostAllowed(host));
        assertEquals(proxied, PROXIED.hostAllowed(host));
    }

    @ParameterizedTest(name = "Origin {0}: local {1}, behind https {2}")
    @CsvSource({
        "http://localhost:8080, true, true",
        "http://127.0.0.1:8080, true, true",
        "https://mailroute.acme.example, false, true",
        "http://mailroute.acme.example, false, false",   // another scheme is another origin
        "https://evil.example, false, false",
        "http://localhost:8080/path, false, false",
    })
    void onlyThePublicOriginMayPost(String origin, boolean local, boolean proxied) {
        assertEquals(local, LOCAL.originAllowed(origin));
        assertEquals(proxied, PROXIED.originAllowed(origin));
    }

    @Test
    void noOriginPassesAndHttpsMakesCookiesSecure() {
        assertTrue(LOCAL.originAllowed(null));
        assertTrue(LOCAL.originAllowed("null"), "what Chromium sends for a form of a no-referrer page");
        assertFalse(LOCAL.isSecure());
        assertTrue(PROXIED.isSecure());
        assertFalse(LOCAL.hostAllowed(null));
    }

    @Test
    void aPublicUrlThatIsNoAbsoluteHttpUrlIsRefused() {
        for (String bad : new String[] {"mailroute.acme.example", "ftp://x.example", "https://x.example/?a=1", "https://u:p@x.example"}) {
            assertThrows(IllegalArgumentException.class, () -> new PublicAddress(bad, 8080), bad);
        }
    }
}
