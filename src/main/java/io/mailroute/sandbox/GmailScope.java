package io.mailroute.sandbox;

import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Gmail OAuth scopes the sandbox grants and enforces, named as in Google's {@code GmailScopes}.
 * Which methods each one allows is declared on the methods ({@link GmailMethod}), as Google documents it.
 */
public enum GmailScope {
    MAIL_GOOGLE_COM("https://mail.google.com/"),
    GMAIL_MODIFY("https://www.googleapis.com/auth/gmail.modify"),
    GMAIL_READONLY("https://www.googleapis.com/auth/gmail.readonly"),
    GMAIL_COMPOSE("https://www.googleapis.com/auth/gmail.compose"),
    GMAIL_SEND("https://www.googleapis.com/auth/gmail.send"),
    GMAIL_LABELS("https://www.googleapis.com/auth/gmail.labels"),
    GMAIL_INSERT("https://www.googleapis.com/auth/gmail.insert");

    private final String uri;

    GmailScope(String uri) {
        this.uri = uri;
    }

    /** The scope as OAuth requests and responses spell it. */
    public String uri() {
        return uri;
    }

    static Optional<GmailScope> fromUri(String uri) {
        return Arrays.stream(values()).filter(s -> s.uri.equals(uri)).findFirst();
    }

    /** The space-separated form of the {@code scope} parameter and of token responses. */
    static String join(Collection<GmailScope> scopes) {
        return scopes.stream().map(GmailScope::uri).collect(Collectors.joining(" "));
    }
}
