package io.mailroute.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiTokensTest {

    private final Database db = Database.open("jdbc:h2:mem:tokens-" + System.nanoTime()
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "", 2);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T09:00:00Z"));
    private final List<String> audited = new ArrayList<>();
    private final ApiTokens tokens = new ApiTokens(db, (action, mailbox, subject, details) ->
            audited.add(action + " " + subject + " " + details), Json.newMapper(), clock);

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aCreatedTokenAuthenticatesAsItsNameAndRoleAndIsStoredOnlyAsAHash() {
        ApiTokens.Created created = tokens.create("ci-reporting", Role.VIEWER, "command line");

        assertTrue(created.token().matches("mrt_[A-Za-z0-9_-]{43}"), created.token());
        assertEquals(Optional.of(new ApiTokens.Principal("ci-reporting", Role.VIEWER)), tokens.authenticate(created.token()));
        List<Map<String, Object>> rows = db.jdbc().queryForList("SELECT * FROM api_token", Map.of());
        assertEquals(1, rows.size());
        assertFalse(rows.get(0).values().stream().anyMatch(v -> String.valueOf(v).contains(created.token().substring(8))),
                "the token itself is not stored: " + rows);
        assertEquals(ApiTokens.hash(created.token()), rows.get(0).get("token_hash"));
        assertFalse(created.toString().contains(created.token()), "never in a log line: " + created);
        assertEquals(List.of("api-token.created token:ci-reporting {\"role\":\"viewer\",\"by\":\"command line\"}"), audited);
    }

    @Test
    void anythingButAnIssuedTokenInUseIsRefused() {
        String token = tokens.create("mei", Role.OPERATOR, "admin").token();
        String other = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");

        assertEquals(Optional.empty(), tokens.authenticate(other), "one character off");
        assertEquals(Optional.empty(), tokens.authenticate(token + "x"), "longer");
        assertEquals(Optional.empty(), tokens.authenticate(""));
        assertEquals(Optional.empty(), tokens.authenticate(null));
        assertEquals(Optional.empty(), tokens.authenticate(ApiTokens.hash(token)), "the stored hash is no token");

        assertTrue(tokens.revoke("mei", "admin"));
        assertEquals(Optional.empty(), tokens.authenticate(token), "revoked");
        assertFalse(tokens.revoke("mei", "admin"), "nothing left to revoke");
        assertEquals(List.of(), tokens.list());
    }

    @Test
    void aNameInUseCannotBeTakenTwiceButCanAfterItsRevoked() {
        tokens.create("mei", Role.VIEWER, "admin");
        ApiTokens.TokenException taken = assertThrows(ApiTokens.TokenException.class,
                () -> tokens.create("mei", Role.ADMIN, "admin"));
        assertTrue(taken.getMessage().contains("'mei' is in use"), taken.getMessage());

        tokens.revoke("mei", "admin");
        assertEquals(Role.ADMIN, tokens.authenticate(tokens.create("mei", Role.ADMIN, "admin").token()).orElseThrow().role());
    }

    @Test
    void namesAreCheckedAndTheMessageSaysWhatANameMayBe() {
        for (String bad : new String[] {"", " ", "has space", "-leading", "x".repeat(129), "semi;colon", null}) {
            ApiTokens.TokenException e = assertThrows(ApiTokens.TokenException.class, () -> tokens.create(bad, Role.VIEWER, "a"),
                    String.valueOf(bad));
            assertTrue(e.getMessage().contains("1 to 128 letters"), e.getMessage());
        }
        tokens.create("mei@acme.example", Role.VIEWER, "a");
        tokens.create("local-commands@host.0a1b2c3d", Role.ADMIN, "a");
        assertEquals(2, tokens.list().size());
    }

    @Test
    void replacingTheLocalTokenRevokesTheOldOneAndOthersStillCountAsConfigured() {
        String first = tokens.replace(LocalCommandsToken.NAME_PREFIX + "host.1", Role.ADMIN, "service start").token();
        assertFalse(tokens.anyBesides(LocalCommandsToken.NAME_PREFIX), "the local token alone is no configured token");

        String second = tokens.replace(LocalCommandsToken.NAME_PREFIX + "host.1", Role.ADMIN, "service start").token();
        assertEquals(Optional.empty(), tokens.authenticate(first));
        assertEquals(Role.ADMIN, tokens.authenticate(second).orElseThrow().role());
        assertEquals(1, tokens.list().size());

        tokens.create("ops", Role.OPERATOR, "command line");
        assertTrue(tokens.anyBesides(LocalCommandsToken.NAME_PREFIX));
    }

    @Test
    void lastUseIsRecordedAtMostOncePerMinute() {
        String token = tokens.create("poller", Role.VIEWER, "a").token();
        tokens.authenticate(token);
        Instant first = tokens.list().get(0).lastUsedAt();
        assertEquals(clock.instant(), first);

        clock.advance(Duration.ofSeconds(30));
        tokens.authenticate(token);
        assertEquals(first, tokens.list().get(0).lastUsedAt(), "a busy client does not write on every request");

        clock.advance(Duration.ofSeconds(31));
        tokens.authenticate(token);
        assertNotEquals(first, tokens.list().get(0).lastUsedAt());
    }

    @Test
    void rolesIncludeTheSmallerOnesAndParseByName() {
        assertTrue(Role.ADMIN.includes(Role.OPERATOR));
        assertTrue(Role.OPERATOR.includes(Role.VIEWER));
        assertTrue(Role.VIEWER.includes(Role.VIEWER));
        assertFalse(Role.VIEWER.includes(Role.OPERATOR));
        assertFalse(Role.OPERATOR.includes(Role.ADMIN));
        assertEquals(Role.OPERATOR, Role.parse(" Operator "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Role.parse("root"));
        assertEquals("'root' is not a role; the roles are viewer, operator, admin", e.getMessage());
    }
}
