package io.mailroute.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** mailroute.links.base-url: an absolute http(s) URL, kept with its path prefix, or a problem naming the key. */
class LinkBaseUrlTest {

    @ParameterizedTest
    @CsvSource({
            "https://mailroute.acme.example,                https://mailroute.acme.example/,                    false",
            "https://mailroute.acme.example/,               https://mailroute.acme.example/,                    false",
            "HTTPS://proxy.acme.example:8443/mailroute,     https://proxy.acme.example:8443/mailroute/,         false",
            "http://127.0.0.1:8080,                         http://127.0.0.1:8080/,                             false",
            "http://localhost:8080/mr/,                     http://localhost:8080/mr/,                          false",
            "http://[::1]:8080/,                            http://[::1]:8080/,                                 false",
            "http://mailroute.internal:8080/,               http://mailroute.internal:8080/,                    true"})
    void aUsableBaseIsKeptWithItsPrefix(String value, String base, boolean cleartext) {
        LinkBaseUrl url = LinkBaseUrl.parse(value, "config/application.properties");
        assertEquals(base, url.toString());
        assertEquals(base + "a/b?t=TOKEN", url.url("a/b", "TOKEN"));
        assertEquals(cleartext, url.isCleartextBeyondLoopback());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mailroute.acme.example", "/mailroute", "ftp://acme.example/", "https://", "https:///path",
            "https://user:pw@acme.example/", "https://acme.example/?x=1", "https://acme.example/#top", "https://acme.example/?",
            "https://acme example/", "javascript:alert(1)"})
    void anythingElseIsAConfigProblemNamingTheKey(String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> LinkBaseUrl.parse(value, "config/application.properties"));
        assertEquals(LinkBaseUrl.KEY, e.problems().get(0).key());
        assertEquals("config/application.properties", e.problems().get(0).file());
        assertTrue(e.problems().get(0).fix().contains("reverse proxy"), e.problems().get(0).fix());
        assertTrue(!value.contains("pw") || !e.getMessage().contains("pw"), "a password in the URL is not repeated");
    }

    @ParameterizedTest
    @ValueSource(ints = {8080, 18080})
    void theDefaultIsTheServicePortOnLoopback(int port) {
        assertEquals("http://127.0.0.1:" + port + "/", LinkBaseUrl.loopback(port).toString());
    }
}
