package io.mailroute.gmail.mime;

/**
 * Gmail's own sender-authentication verdicts ({@code pass}, {@code fail}, {@code softfail}, {@code neutral},
 * {@code none}, {@code temperror}, {@code permerror}, ...); {@code none} when Gmail reported nothing.
 */
public record AuthVerdicts(String dkim, String spf, String dmarc) {

    private static final AuthVerdicts NONE = new AuthVerdicts("none", "none", "none");

    public static AuthVerdicts none() {
        return NONE;
    }
}
