package io.mailroute.sandbox;

/** What a client needs to act as one sandbox user: the sandbox OAuth client and the user's refresh token. */
public record SandboxCredentials(String clientId, String clientSecret, String refreshToken) {

    @Override
    public String toString() {
        // Keep secrets out of logs even though they are sandbox-only.
        return "SandboxCredentials[clientId=" + clientId + ", clientSecret=***, refreshToken=***]";
    }
}
