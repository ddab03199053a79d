package io.mailroute.delivery;

import io.mailroute.delivery.webpush.P256Keys;
import io.mailroute.delivery.webpush.WebPushCrypto;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a push target must look like, by channel type: checked where a target comes in (the API, the
 * {@code devices:} of channels.yaml) and again before each send, since a stored target may predate
 * these rules. Targets come from outside: a Web Push endpoint is where the service will POST, so it
 * must be a public https push service (http and private addresses only for the sandbox on loopback);
 * the other types' addresses are tokens or ids that end up in request bodies.
 */
public final class PushTargetRules {

    /** The address columns' size. */
    public static final int MAX_ADDRESS = 2048;

    /** What is wrong, as the field and the rule it breaks ("address", "must be ..."). */
    public record Problem(String field, String rule) {
        @Override
        public String toString() {
            return field + ": " + rule;
        }
    }

    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private PushTargetRules() {
    }

    /** The first problem of a target for a channel of this type, or empty when it may be used. */
    public static Optional<Problem> problem(String channelType, String address, Map<String, String> keys) {
        Optional<Problem> addressProblem = "webpush".equals(channelType) ? webPushProblem(address) : tokenProblem(address,
                "appworks".equals(channelType));
        if (addressProblem.isPresent()) {
            return addressProblem;
        }
        if ("webpush".equals(channelType)) {
            return webPushKeysProblem(keys == null ? Map.of() : keys);
        }
        return keys == null || keys.isEmpty() ? Optional.empty()
                : Optional.of(new Problem("keys", "only a Web Push subscription has keys; leave them out for a "
                        + channelType + " target"));
    }

    /**
     * The endpoint of a Web Push subscription, checked.
     *
     * @throws IllegalArgumentException saying which rule it breaks
     */
    public static URI webPushEndpoint(String address) {
        Optional<Problem> problem = webPushProblem(address);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get().toString());
        }
        return URI.create(address);
    }

    private static Optional<Problem> webPushProblem(String address) {
        Optional<Problem> text = textProblem(address);
        if (text.isPresent()) {
            return text;
        }
        return publicUrlProblem(address, "a Web Push endpoint", "push services are addressed by name")
                .map(rule -> new Problem("address", rule));
    }

    /**
     * What is wrong with a URL the service will POST to on someone's word (a Web Push endpoint, an approval's
     * callback), or empty when it may be used: absolute https with a host and no user name, plain http only to a
     * loopback host, never a private, link-local or local-network IP address.
     *
     * @param what  how a message names it ("a callback URL")
     * @param byName why an address must be a name, said after the private-address rule
     */
    public static Optional<String> publicUrlProblem(String url, String what, String byName) {
        String rule = what + " must be an absolute https URL with a host and no user name (http only to a loopback host"
                + " such as the sandbox)";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL; " + rule);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(scheme.equals("https") || scheme.equals("http"))) {
            return Optional.of(rule);
        }
        String host = uri.getHost();
        Optional<InetAddress> literal;
        try {
            literal = ipLiteral(host);
        } catch (UnknownHostException e) {
            return Optional.of("'" + host + "' is not a valid IP address; " + rule);
        }
        boolean loopback = host.equalsIgnoreCase("localhost") || literal.map(InetAddress::isLoopbackAddress).orElse(false);
        if (scheme.equals("http") && !loopback) {
            return Optional.of(rule);
        }
        if (literal.isPresent() && !loopback && !isPublic(literal.get())) {
            return Optional.of(what + " must not be a private, link-local or local-network IP address (" + byName + ")");
        }
        return Optional.empty();
    }

    /** A token or id (FCM registration token, AppWorks user, a webhook's label): one line of bounded length. */
    private static Optional<Problem> tokenProblem(String address, boolean commaSeparatedList) {
        Optional<Problem> text = textProblem(address);
        if (text.isPresent()) {
            return text;
        }
        if (commaSeparatedList && address.contains(",")) {
            // the AppWorks users field is comma-separated: a comma would address someone else too
            return address("an AppWorks user id must not contain a comma");
        }
        return Optional.empty();
    }

    private static Optional<Problem> textProblem(String address) {
        if (address == null || address.isBlank()) {
            return address("is required (the device token, user id or subscription endpoint)");
        }
        if (address.length() > MAX_ADDRESS) {
            return address("is longer than " + MAX_ADDRESS + " characters");
        }
        if (address.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
            return address("must not contain control characters or line breaks");
        }
        if (!address.equals(address.strip())) {
            return address("must not start or end with spaces");
        }
        return Optional.empty();
    }

    private static Optional<Problem> webPushKeysProblem(Map<String, String> keys) {
        try {
            P256Keys.decodePublic(keys.get("p256dh"));
        } catch (IllegalArgumentException e) {
            return Optional.of(new Problem("keys.p256dh", "must be the subscription's P-256 public key, base64url ("
                    + e.getMessage() + ")"));
        }
        byte[] auth;
        try {
            auth = P256Keys.decodeBase64Url(keys.get("auth"), "auth secret");
        } catch (IllegalArgumentException e) {
            auth = null;
        }
        if (auth == null || auth.length != WebPushCrypto.AUTH_SECRET_LENGTH) {
            return Optional.of(new Problem("keys.auth", "must be the subscription's " + WebPushCrypto.AUTH_SECRET_LENGTH
                    + "-byte auth secret, base64url"));
        }
        return Optional.empty();
    }

    /** The address a host names literally (no DNS asked), or empty for a name. */
    private static Optional<InetAddress> ipLiteral(String host) throws UnknownHostException {
        if (host.startsWith("[")) {
            return Optional.of(InetAddress.getByName(host)); // brackets: the JDK parses an IPv6 literal, never asks DNS
        }
        if (!host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            return Optional.empty();
        }
        if (!DOTTED_QUAD.matcher(host).matches()) {
            throw new UnknownHostException(host); // "127.1", "010.0.0.1": shorthand forms resolvers read differently
        }
        byte[] bytes = new byte[4];
        String[] parts = host.split("\\.");
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return Optional.of(InetAddress.getByAddress(bytes));
    }

    private static boolean isPublic(InetAddress address) {
        byte[] b = address.getAddress();
        boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc; // fc00::/7
        boolean sharedV4 = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // 100.64.0.0/10 (carrier NAT)
        boolean broadcastV4 = b.length == 4 && (b[0] & b[1] & b[2] & b[3] & 0xff) == 0xff;
        return !(address.isAnyLocalAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress() || uniqueLocalV6 || sharedV4 || broadcastV4);
    }

    private static Optional<Problem> address(String rule) {
        return Optional.of(new Problem("address", rule));
    }
}
