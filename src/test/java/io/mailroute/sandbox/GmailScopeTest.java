package io.mailroute.sandbox;

import static io.mailroute.sandbox.GmailMethod.ATTACHMENTS_GET;
import static io.mailroute.sandbox.GmailMethod.GET_PROFILE;
import static io.mailroute.sandbox.GmailMethod.HISTORY_LIST;
import static io.mailroute.sandbox.GmailMethod.LABELS_CREATE;
import static io.mailroute.sandbox.GmailMethod.LABELS_GET;
import static io.mailroute.sandbox.GmailMethod.LABELS_LIST;
import static io.mailroute.sandbox.GmailMethod.MESSAGES_GET;
import static io.mailroute.sandbox.GmailMethod.MESSAGES_IMPORT;
import static io.mailroute.sandbox.GmailMethod.MESSAGES_INSERT;
import static io.mailroute.sandbox.GmailMethod.MESSAGES_LIST;
import static io.mailroute.sandbox.GmailMethod.MESSAGES_SEND;
import static io.mailroute.sandbox.GmailMethod.THREADS_GET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GmailScopeTest {

    static Stream<Arguments> methodsEachScopeAllows() {
        Set<GmailMethod> all = EnumSet.allOf(GmailMethod.class);
        return Stream.of(
                Arguments.of(GmailScope.MAIL_GOOGLE_COM, all),
                Arguments.of(GmailScope.GMAIL_MODIFY, all),
                Arguments.of(GmailScope.GMAIL_READONLY, EnumSet.of(GET_PROFILE, LABELS_LIST, LABELS_GET, MESSAGES_LIST,
                        MESSAGES_GET, ATTACHMENTS_GET, HISTORY_LIST, THREADS_GET, GmailMethod.WATCH, GmailMethod.STOP)),
                Arguments.of(GmailScope.GMAIL_COMPOSE, EnumSet.of(GET_PROFILE, MESSAGES_SEND)),
                Arguments.of(GmailScope.GMAIL_SEND, EnumSet.of(MESSAGES_SEND)),
                Arguments.of(GmailScope.GMAIL_LABELS, EnumSet.of(LABELS_LIST, LABELS_GET, LABELS_CREATE)),
                Arguments.of(GmailScope.GMAIL_INSERT, EnumSet.of(MESSAGES_INSERT, MESSAGES_IMPORT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methodsEachScopeAllows")
    void eachScopeAllowsExactlyItsMethods(GmailScope scope, Set<GmailMethod> expected) {
        Set<GmailMethod> allowed = Arrays.stream(GmailMethod.values())
                .filter(m -> m.allowedWith(Set.of(scope)))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(GmailMethod.class)));
        assertEquals(expected, allowed);
    }

    @Test
    void noScopesAllowNothing() {
        assertEquals(0, Arrays.stream(GmailMethod.values()).filter(m -> m.allowedWith(Set.of())).count());
    }

    @Test
    void insufficientScopeIsGmailsAnswerToTheLetter() throws Exception {
        GmailApiException e = GmailErrors.insufficientScope(HISTORY_LIST);
        JsonNode expected = HttpExchanges.JSON.readTree("""
                {"error":{"code":403,"message":"Request had insufficient authentication scopes.",
                 "errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],
                 "status":"PERMISSION_DENIED",
                 "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                   "domain":"googleapis.com","metadata":{"service":"gmail.googleapis.com",
                   "method":"caribou.api.proto.MailboxService.ListHistory"}}]}}""");
        assertEquals(expected, GmailErrors.body(e));
        assertEquals(403, e.status());
        assertEquals("Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", scope=\""
                        + "https://mail.google.com/ https://www.googleapis.com/auth/gmail.modify"
                        + " https://www.googleapis.com/auth/gmail.readonly\"",
                e.headers().get("WWW-Authenticate"));
    }

    @Test
    void scopesParseFromTheirUris() {
        for (GmailScope scope : GmailScope.values()) {
            assertEquals(scope, GmailScope.fromUri(scope.uri()).orElseThrow());
        }
        assertEquals(java.util.Optional.empty(), GmailScope.fromUri("https://www.googleapis.com/auth/drive"));
    }
}
