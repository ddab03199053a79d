package io.mailroute.sandbox;

import java.io.IOException;

/** The seed file cannot be used; the message names the file and the key to fix. */
public final class SandboxSeedException extends IOException {

    SandboxSeedException(String message) {
        super(message);
    }

    SandboxSeedException(String message, Throwable cause) {
        super(message, cause);
    }
}
