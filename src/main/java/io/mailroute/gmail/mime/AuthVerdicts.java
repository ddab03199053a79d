package io.mailroute.gmail.mime;

import java.util.List;

/**
 * Gmail's own sender-authentication verdicts ({@code pass}, {@code fail}, {@code softfail}, {@code neutral},
 * {@code none}, {@code temperror}, {@code permerror}, ...); {@code none} when Gmail reported nothing.
 *
 * <p>A verdict says little without the domain it was reached for, so the domains of the passing results come
 * with it, lower-cased: {@code dkimPassDomains} the signing domain of each {@code dkim=pass} ({@code header.d},
 * else the domain of {@code header.i}), {@code dmarcPassDomains} the {@code header.from} of each
 * {@code dmarc=pass}. A pass whose domain Gmail did not name adds nothing to them.
 */
public record AuthVerdicts(String dkim, String spf, String dmarc, List<String> dkimPassDomains, List<String> dmarcPassDomains) {

    private static final AuthVerdicts NONE = new AuthVerdicts("none", "none", "none");

    public AuthVerdicts {
        dkimPassDomains = dkimPassDomains == null ? List.of() : List.copyOf(dkimPassDomains);
        dmarcPassDomains = dmarcPassDomains == null ? List.of() : List.copyOf(dmarcPassDomains);
    }

    /** Verdicts without the domains they were reached for. */
    public AuthVerdicts(String dkim, String spf, String dmarc) {
        this(dkim, spf, dmarc, List.of(), List.of());
    }

    public static AuthVerdicts none() {
        return NONE;
    }
}
