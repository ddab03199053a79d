package io.mailroute.sandbox;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Adds the {@code Authentication-Results} header Gmail puts on top of received mail, so that
 * sender-authentication logic can be tested. Verdicts pass unless the message carries the sandbox's
 * control header {@code X-Sandbox-Auth: dkim=fail; spf=softfail; dmarc=fail}, which is then removed.
 */
final class AuthenticationResultsStamper {

    static final String CONTROL_HEADER = "X-Sandbox-Auth";

    private AuthenticationResultsStamper() {
    }

    static byte[] stamp(byte[] raw) {
        Map<String, String> verdicts = new LinkedHashMap<>(Map.of("dkim", "pass", "spf", "pass", "dmarc", "pass"));
        RawMessageHeaders.first(raw, CONTROL_HEADER).ifPresent(control -> verdicts.putAll(parseVerdicts(control)));
        byte[] withoutControl = RawMessageHeaders.remove(raw, CONTROL_HEADER);

        String fromAddress = RawMessageHeaders.first(withoutControl, "From").map(AuthenticationResultsStamper::address)
                .orElse("");
        String mailFrom = RawMessageHeaders.first(withoutControl, "Return-Path").map(AuthenticationResultsStamper::address)
                .filter(a -> !a.isEmpty()).orElse(fromAddress);
        String domain = domainOf(fromAddress);
        String header = "Authentication-Results: mx.google.com;"
                + " dkim=" + verdicts.get("dkim") + " header.i=@" + domain + ";"
                + " spf=" + verdicts.get("spf") + " smtp.mailfrom=" + mailFrom + ";"
                + " dmarc=" + verdicts.get("dmarc") + " (p=NONE) header.from=" + domain;
        return RawMessageHeaders.prepend(withoutControl, List.of(header));
    }

    private static Map<String, String> parseVerdicts(String control) {
        Map<String, String> verdicts = new LinkedHashMap<>();
        for (String item : control.split(";")) {
            String[] kv = item.trim().split("=", 2);
            String method = kv[0].trim().toLowerCase(Locale.ROOT);
            if (kv.length == 2 && (method.equals("dkim") || method.equals("spf") || method.equals("dmarc"))) {
                verdicts.put(method, kv[1].trim().toLowerCase(Locale.ROOT));
            }
        }
        return verdicts;
    }

    private static String address(String headerValue) {
        try {
            InternetAddress[] parsed = InternetAddress.parseHeader(headerValue, false);
            return parsed.length == 0 || parsed[0].getAddress() == null ? "" : parsed[0].getAddress();
        } catch (AddressException e) {
            return "";
        }
    }

    private static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "unknown.invalid" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}
