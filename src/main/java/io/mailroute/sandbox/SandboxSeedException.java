package io.mailroute.sandbox;

import java.io.IOException;

/** The seed, or the state kept from an earlier run, cannot be used; the message names the file and what to do. */
public final class SandboxSeedException extends IOException {

    SandboxSeedException(String message) {
        super(message);
    }

    SandboxSeedException(String message, Throwable cause) {
        super(message, cause);
    }
}
