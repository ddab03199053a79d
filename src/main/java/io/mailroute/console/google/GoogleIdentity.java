package io.mailroute.console.google;

/**
 * A Google account whose id_token this service verified: signature, issuer, audience, times, nonce, a verified
 * email, and a Workspace domain that {@code mailroute.console.google.domains} allows.
 *
 * @param subject      Google's stable id of the account ({@code sub})
 * @param email        its address, verified by Google; the console's user name for it
 * @param name         its display name ({@code name}), or the address when the token has none
 * @param hostedDomain its Workspace domain ({@code hd})
 */
public record GoogleIdentity(String subject, String email, String name, String hostedDomain) {

    /** Without the address: identities are logged, and an address is personal data. */
    @Override
    public String toString() {
        return "GoogleIdentity[sub " + subject + ", hd " + hostedDomain + "]";
    }
}
