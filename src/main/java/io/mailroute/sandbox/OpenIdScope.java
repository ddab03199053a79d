package io.mailroute.sandbox;

import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The identity scopes of "Sign in with Google" (OpenID Connect): {@code openid} asks for an id_token, {@code email}
 * and {@code profile} for what it says about the user. Google takes the short names or the {@code userinfo} URIs,
 * and its token endpoint answers with the URIs.
 */
enum OpenIdScope {
    OPENID("openid", "openid"),
    EMAIL("email", "https://www.googleapis.com/auth/userinfo.email"),
    PROFILE("profile", "https://www.googleapis.com/auth/userinfo.profile");

    private final String name;
    private final String uri;

    OpenIdScope(String name, String uri) {
        this.name = name;
        this.uri = uri;
    }

    static Optional<OpenIdScope> fromParam(String scope) {
        return Arrays.stream(values()).filter(s -> s.name.equals(scope) || s.uri.equals(scope)).findFirst();
    }

    /** As the token endpoint's {@code scope} spells them. */
    static String join(Collection<OpenIdScope> scopes) {
        return scopes.stream().map(s -> s.uri).collect(Collectors.joining(" "));
    }
}
