package io.mailroute.console.google;

/**
 * Why a Google sign-in did not admit anyone. The message is for the log and the operator (it names the key or the
 * claim and what to do, never a token or secret); {@link Problem#sentence()} is what the person in the browser sees.
 */
public final class GoogleSignInException extends Exception {

    /** What went wrong, with the HTTP status and sentence of the page that says so. */
    public enum Problem {
        /** The person said no at Google, or Google refused the request ({@code error=} on the callback). */
        CANCELLED(400, "Sign-in with Google was cancelled. Start again if you meant to sign in."),
        /** The sign-in's cookie is missing, expired or not this sign-in's; or the code was spent: start again. */
        STALE(400, "This sign-in has expired or was started in another browser window. Start again."),
        /** A genuine, verified account that may not sign in here: its domain, or an unverified address. */
        NOT_ALLOWED(403, "This Google account may not sign in here. Sign in with your organisation's account."),
        /** The id_token failed verification: signature, issuer, audience, times or nonce. */
        INVALID_TOKEN(401, "Google's answer could not be verified, so nobody was signed in. Start again; if it"
                + " keeps happening, tell the administrator."),
        /** Google (or the sandbox) could not be reached or refused the code exchange, or the setup is wrong. */
        PROVIDER_FAILED(502, "Sign-in with Google is not working right now. Try again later, or tell the"
                + " administrator.");

        private final int status;
        private final String sentence;

        Problem(int status, String sentence) {
            this.status = status;
            this.sentence = sentence;
        }

        public int status() {
            return status;
        }

        /** What to show the person: plain text, nothing from the request or the token. */
        public String sentence() {
            return sentence;
        }
    }

    private final Problem problem;

    public GoogleSignInException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public GoogleSignInException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
