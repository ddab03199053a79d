package io.mailroute.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/** PKCE (RFC 7636): how the token endpoint checks a {@code code_verifier} against the authorization's challenge. */
enum CodeChallengeMethod {
    S256("S256") {
        @Override
        String challenge(String verifier) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JRE has SHA-256", e);
            }
        }
    },
    PLAIN("plain") {
        @Override
        String challenge(String verifier) {
            return verifier;
        }
    };

    /** RFC 7636 section 4.1: 43 to 128 unreserved characters; an S256 challenge has the same alphabet, 43 long. */
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

    private final String param;

    CodeChallengeMethod(String param) {
        this.param = param;
    }

    abstract String challenge(String verifier);

    boolean verifies(String codeChallenge, String codeVerifier) {
        if (codeVerifier == null || !VERIFIER.matcher(codeVerifier).matches()) {
            return false;
        }
        return MessageDigest.isEqual(challenge(codeVerifier).getBytes(StandardCharsets.US_ASCII),
                codeChallenge.getBytes(StandardCharsets.US_ASCII));
    }

    /** The {@code code_challenge_method} parameter; absent means {@code plain} (RFC 7636 section 4.3). */
    static Optional<CodeChallengeMethod> fromParam(String param) {
        if (param == null || param.isEmpty()) {
            return Optional.of(PLAIN);
        }
        for (CodeChallengeMethod method : values()) {
            if (method.param.equals(param)) {
                return Optional.of(method);
            }
        }
        return Optional.empty();
    }

    static boolean isWellFormedChallenge(String codeChallenge) {
        return codeChallenge != null && VERIFIER.matcher(codeChallenge).matches();
    }

    String param() {
        return param;
    }
}
