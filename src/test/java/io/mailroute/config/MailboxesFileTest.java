package io.mailroute.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MailboxesFileTest {

    @TempDir
    Path dir;

    private static final String VALID = """
            defaults:
              pollInterval: 2s
              quotaUnitsPerSecond: 40
            mailboxes:
              - id: support
                address: Support@Acme.example
                credentials: env:MAILROUTE_SUPPORT
              - id: hr
                address: hr@acme.example
                credentials: sandbox
                gmail: sandbox
                pollInterval: 500ms
                excludeLabels: [SPAM]
                processedLabel: Mailroute/Done
            """;

    @Test
    void readsMailboxesWithDefaultsAndOverrides() throws IOException {
        List<MailboxSettings> mailboxes = MailboxesFile.load(write(VALID));

        MailboxSettings support = mailboxes.get(0);
        assertEquals("support@acme.example", support.address());
        assertEquals(MailboxSettings.CredentialsRef.env("MAILROUTE_SUPPORT"), support.credentials());
        assertEquals(MailboxSettings.GOOGLE_ROOT_URL, support.gmailRootUrl());
        assertEquals(MailboxSettings.GOOGLE_TOKEN_URL, support.tokenUrl());
        assertEquals(Duration.ofSeconds(2), support.pollInterval());
        assertEquals(40, support.quotaUnitsPerSecond());
        assertEquals(List.copyOf(MailboxSettings.DEFAULT_EXCLUDED_LABELS), List.copyOf(support.excludeLabels()));
        assertEquals(null, support.processedLabel());

        MailboxSettings hr = mailboxes.get(1);
        assertTrue(hr.usesSandbox());
        assertEquals(MailboxSettings.SANDBOX, hr.tokenUrl());
        assertEquals(Duration.ofMillis(500), hr.pollInterval());
        assertEquals(List.of("SPAM"), List.copyOf(hr.excludeLabels()));
        assertEquals("Mailroute/Done", hr.processedLabel());
        assertEquals("gmail-hr", hr.componentName());
    }

    @Test
    void explicitGmailUrlDerivesItsTokenUrl() throws IOException {
        MailboxSettings m = MailboxesFile.load(write("""
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox, gmail: "http://127.0.0.1:9999"}
                """)).get(0);
        assertEquals("http://127.0.0.1:9999/", m.gmailRootUrl());
        assertEquals("http://127.0.0.1:9999/token", m.tokenUrl());
    }

    /** Each broken file must produce a problem that names the key, so a person can find it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing id          | mailboxes:\\n  - {address: a@x.example, credentials: sandbox}                       | mailboxes[0].id",
        "bad id              | mailboxes:\\n  - {id: Support!, address: a@x.example, credentials: sandbox}         | mailboxes[0].id",
        "bad address         | mailboxes:\\n  - {id: a, address: nobody, credentials: sandbox}                    | mailboxes[0].address",
        "bad credentials     | mailboxes:\\n  - {id: a, address: a@x.example, credentials: 'secret123'}           | mailboxes[0].credentials",
        "bad duration        | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox, pollInterval: soon} | mailboxes[0].pollInterval",
        "zero quota          | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox, quotaUnitsPerSecond: 0} | mailboxes[0].quotaUnitsPerSecond",
        "unknown key         | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox, pollintervall: 5s} | mailboxes[0].pollintervall",
        "bad gmail url       | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox, gmail: ftp://x} | mailboxes[0].gmail",
        "duplicate id        | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox}\\n  - {id: a, address: b@x.example, credentials: sandbox} | mailboxes[1].id",
        "bad default         | defaults: {pollInterval: '-'}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | mailboxes[0].pollInterval",
        "no mailboxes        | mailboxes: []                                                                      | mailboxes",
        "bad push mode       | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox, push: gcm} | mailboxes[0].push",
        "push without pubsub | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox, push: pubsub} | mailboxes[0].push",
        "bad push poll       | mailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox, pushPollInterval: 0s} | mailboxes[0].pushPollInterval",
        "pubsub no topic     | pubsub: {subscription: projects/p/subscriptions/s, credentials: sandbox}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.topic",
        "pubsub short topic  | pubsub: {topic: gmail-push, subscription: projects/p/subscriptions/s, credentials: sandbox}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.topic",
        "pubsub bad creds    | pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: key.json}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.credentials",
        "pubsub bad renew    | pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: sandbox, renewInterval: daily}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.renewInterval",
        "pubsub unknown key  | pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: sandbox, ackDeadline: 10}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.ackDeadline",
        "endpoint no audience| pubsub: {topic: projects/p/topics/t, endpoint: {serviceAccount: push@p.iam.gserviceaccount.com}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint.audience",
        "endpoint no account | pubsub: {topic: projects/p/topics/t, endpoint: {audience: a}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint.serviceAccount",
        "endpoint bad account| pubsub: {topic: projects/p/topics/t, endpoint: {audience: a, serviceAccount: pusher}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint.serviceAccount",
        "endpoint bad jwks   | pubsub: {topic: projects/p/topics/t, endpoint: {audience: a, serviceAccount: p@x.example, jwksUrl: certs.json}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint.jwksUrl",
        "endpoint no issuers | pubsub: {topic: projects/p/topics/t, endpoint: {audience: a, serviceAccount: p@x.example, issuers: []}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint.issuers",
        "endpoint bad max    | pubsub: {topic: projects/p/topics/t, endpoint: {audience: a, serviceAccount: p@x.example, maxWaiting: 0}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint.maxWaiting",
        "endpoint unknown key| pubsub: {topic: projects/p/topics/t, endpoint: {audience: a, serviceAccount: p@x.example, email: p@x.example}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint.email",
        "endpoint a string   | pubsub: {topic: projects/p/topics/t, endpoint: push-here}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.endpoint",
        "endpoint half a pull| pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, endpoint: {audience: a, serviceAccount: p@x.example}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.credentials",
        "endpoint with url   | pubsub: {topic: projects/p/topics/t, url: google, endpoint: {audience: a, serviceAccount: p@x.example}}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.url",
        "sync past ack limit | pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: sandbox, syncTimeout: 10m}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.syncTimeout",
        "pull no subscription| pubsub: {topic: projects/p/topics/t, credentials: sandbox}\\nmailboxes:\\n  - {id: a, address: a@x.example, credentials: sandbox} | pubsub.subscription",
        "broken yaml         | 'mailboxes:\\n  - {id: a, address'                                                  | line",
    })
    void namesTheKeyOfEachProblem(String name, String yaml, String expectedKey) throws IOException {
        Path file = write(yaml.replace("\\n", "\n").replaceAll("^'|'$", ""));
        List<ConfigProblem> problems = MailboxesFile.check(file);
        assertTrue(problems.stream().anyMatch(p -> p.key().startsWith(expectedKey)),
                () -> "expected a problem at " + expectedKey + " but got " + problems);
        assertTrue(problems.stream().allMatch(p -> p.file().equals(file.toString())), problems::toString);
    }

    @Test
    void pushMailboxesUseTheSafetyNetIntervalAndThePubSubSection() throws IOException {
        Path file = write("""
                pubsub:
                  topic: projects/acme/topics/gmail-push
                  subscription: projects/acme/subscriptions/mailroute-intake
                  credentials: env:MAILROUTE_PUBSUB_KEY
                  renewMargin: 1h
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox, push: pubsub, pollInterval: 5s}
                  - {id: b, address: b@x.example, credentials: sandbox, push: pubsub, pushPollInterval: 30s}
                  - {id: c, address: c@x.example, credentials: sandbox, pollInterval: 5s}
                  - {id: d, address: d@x.example, credentials: sandbox, push: pubsub, role: send-only}
                """);
        List<MailboxSettings> mailboxes = MailboxesFile.load(file);
        assertEquals(Duration.ofMinutes(10), mailboxes.get(0).intakePollInterval(), "push: the 10 min safety net by default");
        assertEquals(Duration.ofSeconds(30), mailboxes.get(1).intakePollInterval());
        assertEquals(Duration.ofSeconds(5), mailboxes.get(2).intakePollInterval(), "no push: pollInterval");
        assertTrue(mailboxes.get(0).usesPush());
        assertEquals(false, mailboxes.get(2).usesPush());
        assertEquals(false, mailboxes.get(3).usesPush(), "a send-only mailbox is never read, so never watched");

        PubSubSettings pubSub = MailboxesFile.loadPubSub(file);
        assertEquals("projects/acme/topics/gmail-push", pubSub.topic());
        assertEquals("MAILROUTE_PUBSUB_KEY", pubSub.credentialsVariable());
        assertEquals(PubSubSettings.GOOGLE_URL, pubSub.url(), "env credentials: Google's Pub/Sub by default");
        assertEquals(List.of("INBOX"), pubSub.labelIds());
        assertEquals(Duration.ofDays(1), pubSub.renewInterval());
        assertEquals(Duration.ofHours(1), pubSub.renewMargin());
        assertEquals(Duration.ofMinutes(2), pubSub.syncTimeout());
    }

    @Test
    void sandboxCredentialsUseTheSandboxPubSubAndNoSectionMeansNoPush() throws IOException {
        PubSubSettings pubSub = MailboxesFile.loadPubSub(write("""
                pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: sandbox}
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox}
                """));
        assertTrue(pubSub.usesSandboxUrl() && pubSub.usesSandboxCredentials(), pubSub.toString());
        assertEquals(null, MailboxesFile.loadPubSub(write(VALID)));
    }

    @Test
    void theLongestSyncTimeoutLeavesTheAcknowledgementTenSecondsWithinPubSubsLongestAckDeadline() throws IOException {
        PubSubSettings longest = MailboxesFile.loadPubSub(write("""
                pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: sandbox,
                         syncTimeout: 590s}
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox}
                """));
        assertEquals(Duration.ofSeconds(590), longest.syncTimeout());
        List<ConfigProblem> problems = MailboxesFile.check(write("""
                pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: sandbox,
                         syncTimeout: 591s}
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox}
                """));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("590s or less"), problems.toString());
    }

    @Test
    void aPushEndpointMakesThePullSubscriptionOptionalAndDefaultsToGooglesIssuersAndKeys() throws IOException {
        PubSubSettings pushed = MailboxesFile.loadPubSub(write("""
                pubsub:
                  topic: projects/acme/topics/gmail-push
                  endpoint:
                    audience: https://mailroute.acme.example/gmail/push
                    serviceAccount: Gmail-Push@acme.iam.gserviceaccount.com
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox, push: pubsub}
                """));
        assertEquals(false, pushed.pulls(), "no subscription: nothing pulled");
        assertEquals(null, pushed.credentials());
        assertEquals(null, pushed.url());
        PubSubSettings.Endpoint endpoint = pushed.endpoint();
        assertEquals("https://mailroute.acme.example/gmail/push", endpoint.audience());
        assertEquals("gmail-push@acme.iam.gserviceaccount.com", endpoint.serviceAccount(), "compared in lower case");
        assertEquals(java.util.Set.of("https://accounts.google.com", "accounts.google.com"), endpoint.issuers());
        assertEquals("https://www.googleapis.com/oauth2/v3/certs", endpoint.jwksUrl());
        assertEquals(8, endpoint.maxWaiting());
        assertEquals(Duration.ofMinutes(2), pushed.syncTimeout());

        PubSubSettings both = MailboxesFile.loadPubSub(write("""
                pubsub:
                  topic: projects/acme/topics/gmail-push
                  subscription: projects/acme/subscriptions/mailroute-intake
                  credentials: sandbox
                  syncTimeout: 20s
                  endpoint:
                    audience: mailroute-push
                    serviceAccount: pusher@acme.iam.gserviceaccount.com
                    issuers: https://issuer.example
                    jwksUrl: http://127.0.0.1:8025/oauth2/v3/certs
                    maxWaiting: 3
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox, push: pubsub}
                """));
        assertTrue(both.pulls(), "pulled and pushed to");
        assertEquals(java.util.Set.of("https://issuer.example"), both.endpoint().issuers());
        assertEquals("http://127.0.0.1:8025/oauth2/v3/certs", both.endpoint().jwksUrl());
        assertEquals(3, both.endpoint().maxWaiting());
        assertEquals(Duration.ofSeconds(20), both.syncTimeout());
        assertEquals(null, MailboxesFile.loadPubSub(write("""
                pubsub: {topic: projects/p/topics/t, subscription: projects/p/subscriptions/s, credentials: sandbox}
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox}
                """)).endpoint(), "no endpoint: section, no push endpoint");
    }

    @Test
    void anEndpointWithoutItsServiceAccountSaysWhyItIsNeeded() throws IOException {
        List<ConfigProblem> problems = MailboxesFile.check(write("""
                pubsub:
                  topic: projects/acme/topics/gmail-push
                  endpoint: {audience: https://mailroute.acme.example/gmail/push}
                mailboxes:
                  - {id: a, address: a@x.example, credentials: sandbox, push: pubsub}
                """));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().endsWith("pubsub.endpoint.serviceAccount: is missing; write the service "
                + "account the push subscription authenticates as (its oidcToken.serviceAccountEmail): without it anyone "
                + "with a Google account could push"), problems.toString());
    }

    @Test
    void missingFileSaysWhatToDo() {
        List<ConfigProblem> problems = MailboxesFile.check(dir.resolve("nope.yaml"));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).toString().contains("file not found"), problems.toString());
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("mailboxes.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
