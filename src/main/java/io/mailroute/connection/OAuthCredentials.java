package io.mailroute.connection;

/** The OAuth client and refresh token of one mailbox. {@link #toString()} never shows the secrets. */
public record OAuthCredentials(String clientId, String clientSecret, String refreshToken) {

    @Override
    public String toString() {
        return "OAuthCredentials[clientId=" + clientId + ", clientSecret=***, refreshToken=***]";
    }
}
