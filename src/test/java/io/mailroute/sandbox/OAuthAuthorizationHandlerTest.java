package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OAuthAuthorizationHandlerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "http://127.0.0.1:53682/callback, true",
            "http://127.0.0.1/, true",
            "http://[::1]:8080/cb?x=1, true",
            "http://localhost:8123, true",
            "http://LOCALHOST:8123/, true",
            "https://127.0.0.1:53682/callback, false",
            "http://127.0.0.1.app.example/cb, false",
            "http://user@127.0.0.1:1/cb, false",
            "http://127.0.0.1:1/cb#frag, false",
            "http://192.168.1.5:1/cb, false",
            "com.example.app:/oauth2redirect, false",
            "'http://127.0.0.1:1/a b', false",
    })
    void onlyLoopbackHttpRedirectsAreAllowed(String redirectUri, boolean allowed) {
        assertEquals(allowed, OAuthAuthorizationHandler.redirectProblem(redirectUri).isEmpty());
    }
}
