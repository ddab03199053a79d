package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AuthenticationResultsStamperTest {

    private static String stamp(String raw) {
        return new String(AuthenticationResultsStamper.stamp(raw.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void prependsPassingVerdictsForTheFromDomain() {
        String raw = "From: Ann <ann@Example.COM>\r\nSubject: hi\r\n\r\nbody\r\n";
        assertEquals("Authentication-Results: mx.google.com; dkim=pass header.i=@example.com;"
                + " spf=pass smtp.mailfrom=ann@Example.COM; dmarc=pass (p=NONE) header.from=example.com\r\n" + raw,
                stamp(raw));
    }

    @Test
    void controlHeaderSetsVerdictsAndIsRemovedWithItsFoldedLines() {
        String raw = "From: x@bad.example\nX-Sandbox-Auth: dkim=fail;\n spf=softfail; dmarc=fail\nSubject: s\n\nX-Sandbox-Auth: in the body stays\n";
        assertEquals("Authentication-Results: mx.google.com; dkim=fail header.i=@bad.example;"
                + " spf=softfail smtp.mailfrom=x@bad.example; dmarc=fail (p=NONE) header.from=bad.example\n"
                + "From: x@bad.example\nSubject: s\n\nX-Sandbox-Auth: in the body stays\n", stamp(raw));
    }

    @Test
    void returnPathIsTheSpfMailFrom() {
        String raw = "Return-Path: <bounces@mailer.example>\r\nFrom: news@brand.example\r\n\r\nb";
        assertEquals(true, stamp(raw).startsWith("Authentication-Results: mx.google.com; dkim=pass header.i=@brand.example;"
                + " spf=pass smtp.mailfrom=bounces@mailer.example;"));
    }
}
