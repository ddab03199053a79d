package io.mailroute.console;

import io.mailroute.access.Role;
import java.time.Instant;

/**
 * A person who may use the console: a local user (a name and a password) or a Google user (the email, no password;
 * signs in with Google).
 *
 * @param signIn     {@value ConsoleUsers#PASSWORD} or {@value ConsoleUsers#GOOGLE}
 * @param disabledAt when it was disabled; null while it may sign in
 */
public record ConsoleUser(String name, Role role, String signIn, Instant createdAt, String createdBy, Instant disabledAt) {

    public boolean isDisabled() {
        return disabledAt != null;
    }

    public boolean signsInWithGoogle() {
        return ConsoleUsers.GOOGLE.equals(signIn);
    }
}
