package io.mailroute.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.access.Role;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Console users and sessions on H2 migrated like the service, with a clock the test moves. */
class ConsoleSessionsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-02T09:00:00Z"));
    private final Database db = TestDatabases.h2("console-sessions");
    private final ConsoleUsers users = new ConsoleUsers(db, PasswordHashingTest.CHEAP, (a, m, s, d) -> { }, Json.newMapper(), clock);
    private final ConsoleSessions sessions = new ConsoleSessions(db, clock, Duration.ofMinutes(30), Duration.ofHours(12));

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void everySignInIsANewRandomIdOfWhichOnlyTheHashIsStored() {
        users.create("mei", Role.OPERATOR, "twelve chars!".toCharArray(), "test");
        ConsoleSessions.Session first = sessions.signIn("mei", Role.OPERATOR, "password");
        ConsoleSessions.Session second = sessions.signIn("mei", Role.OPERATOR, "password");
        assertNotEquals(first.id(), second.id());
        assertNotEquals(first.csrfToken(), second.csrfToken());
        assertTrue(first.id().matches("[A-Za-z0-9_-]{43}"), first.id());
        String stored = db.jdbc().queryForObject("SELECT MIN(id_hash) FROM console_session", Map.of(), String.class);
        assertFalse(stored.equals(first.id()) || stored.equals(second.id()), "only hashes are stored");
        assertEquals("mei", sessions.find(first.id()).orElseThrow().user());
        assertEquals(Role.OPERATOR, sessions.find(second.id()).orElseThrow().role());
        assertFalse(sessions.find("A".repeat(43)).isPresent(), "an id nobody was given");
        assertFalse(sessions.find("../../etc").isPresent());
    }

    @Test
    void aSessionUnusedForTheIdleTimeoutIsOverAndUseKeepsItAlive() {
        users.create("mei", Role.VIEWER, "twelve chars!".toCharArray(), "test");
        String id = sessions.signIn("mei", Role.VIEWER, "password").id();
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofMinutes(29));
            assertTrue(sessions.find(id).isPresent(), "used every 29 minutes: alive after " + (i + 1) * 29 + " min");
        }
        clock.advance(Duration.ofMinutes(30));
        assertFalse(sessions.find(id).isPresent(), "30 minutes unused");
        clock.advance(Duration.ofMinutes(-30));
        assertFalse(sessions.find(id).isPresent(), "an expired session is removed, not only refused");
    }

    @Test
    void aSessionIsOverAfterTheAbsoluteTimeoutHoweverBusy() {
        users.create("mei", Role.VIEWER, "twelve chars!".toCharArray(), "test");
        String id = sessions.signIn("mei", Role.VIEWER, "password").id();
        for (int i = 0; i < 47; i++) {
            clock.advance(Duration.ofMinutes(15));
            assertTrue(sessions.find(id).isPresent());
        }
        clock.advance(Duration.ofMinutes(15)); // 12 h after sign-in
        assertFalse(sessions.find(id).isPresent());
    }

    @Test
    void signOutEndsTheSessionAndADisabledUserOrALoweredRoleCountsAtOnce() {
        users.create("mei", Role.ADMIN, "twelve chars!".toCharArray(), "test");
        users.create("ana", Role.ADMIN, "twelve chars!".toCharArray(), "test");
        String mei = sessions.signIn("mei", Role.ADMIN, "password").id();
        String ana = sessions.signIn("ana", Role.ADMIN, "password").id();
        sessions.signOut(mei);
        assertFalse(sessions.find(mei).isPresent());
        assertTrue(sessions.find(ana).isPresent());

        db.jdbc().update("UPDATE console_user SET role = 'viewer' WHERE name = 'ana'", Map.of());
        assertEquals(Role.VIEWER, sessions.find(ana).orElseThrow().role());
        users.disable("ana", "test");
        assertFalse(sessions.find(ana).isPresent());
    }

    @Test
    void usersAreLocalWithAPasswordOrGoogleWithout() {
        users.create("Mei", Role.OPERATOR, "twelve chars!".toCharArray(), "test");
        users.create("alice@acme.example", Role.VIEWER, null, "test");
        assertEquals("mei", users.authenticate("MEI", "twelve chars!".toCharArray()).orElseThrow().name());
        assertFalse(users.authenticate("mei", "twelve chars?".toCharArray()).isPresent());
        assertFalse(users.authenticate("nobody", "twelve chars!".toCharArray()).isPresent());
        assertFalse(users.authenticate("alice@acme.example", "".toCharArray()).isPresent(), "a Google user has no password");
        assertTrue(users.find("Alice@Acme.Example").orElseThrow().signsInWithGoogle());
        assertThrowsUser("exists", () -> users.create("mei", Role.VIEWER, "twelve chars!".toCharArray(), "test"));
        assertThrowsUser("at least 12", () -> users.create("short", Role.VIEWER, "eleven char".toCharArray(), "test"));
        assertThrowsUser("email address", () -> users.create("not-an-email", Role.VIEWER, null, "test"));

        assertTrue(users.setPassword("mei", "a new long password".toCharArray(), "test"));
        assertTrue(users.authenticate("mei", "a new long password".toCharArray()).isPresent());
        assertFalse(users.setPassword("alice@acme.example", "a new long password".toCharArray(), "test"));
        assertTrue(users.disable("mei", "test"));
        assertFalse(users.find("mei").isPresent());
        assertFalse(users.authenticate("mei", "a new long password".toCharArray()).isPresent());
        assertEquals(2, users.list().size());
    }

    private static void assertThrowsUser(String fragment, org.junit.jupiter.api.function.Executable action) {
        ConsoleUsers.UserException e = org.junit.jupiter.api.Assertions.assertThrows(ConsoleUsers.UserException.class, action);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
