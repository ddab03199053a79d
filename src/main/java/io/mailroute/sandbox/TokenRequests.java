package io.mailroute.sandbox;

/**
 * What the token endpoint has served one user, counted on success: tests read it to see that a client refreshed.
 *
 * @param refreshTokenGrants         {@code grant_type=refresh_token}
 * @param authorizationCodeExchanges {@code grant_type=authorization_code}
 */
public record TokenRequests(long refreshTokenGrants, long authorizationCodeExchanges) {
}
