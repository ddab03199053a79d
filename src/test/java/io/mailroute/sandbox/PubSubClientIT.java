package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import io.mailroute.gmail.push.PubSubClient;
import io.mailroute.gmail.push.PushNotification;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service's Pub/Sub client (google-http-client, a service-account key read by google-auth-library) against the
 * sandbox's REST API: what Gmail publishes is pulled, acknowledged once, and given back with a deadline of 0.
 */
class PubSubClientIT {

    private static final NetHttpTransport TRANSPORT = new NetHttpTransport();
    private static GmailSandbox sandbox;
    private static PubSubTestClient publisher;

    @BeforeAll
    static void start() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        publisher = new PubSubTestClient(sandbox, PubSubTestClient.PUBSUB_SCOPE);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static PubSubClient client(String subscription) {
        String key = PubSubSandbox.of(sandbox).serviceAccountJson(sandbox.rootUrl());
        return new PubSubClient(TRANSPORT, PubSubClient.serviceAccount(key, TRANSPORT, "test key"), sandbox.rootUrl(),
                subscription);
    }

    @Test
    void pullsGmailsNotificationAndAnAcknowledgedOneNeverComesAgain() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = publisher.newSubscription(topic, 10);
        SandboxTestClients.User user = SandboxTestClients.newUser(sandbox, "pushclient");
        user.gmail().users().watch("me", new com.google.api.services.gmail.model.WatchRequest().setTopicName(topic)
                .setLabelIds(List.of("INBOX"))).execute();
        sandbox.admin().insert(user.address(), SandboxTestClients.mail("a@example.com", user.address(), "hi", "hello"),
                List.of("INBOX"));
        PubSubClient client = client(subscription);

        List<PubSubClient.Received> received = client.pull(10);

        assertEquals(1, received.size());
        PushNotification notification = PushNotification.decode(received.get(0).data());
        assertEquals(user.address(), notification.emailAddress());
        assertTrue(notification.historyId().compareTo(BigInteger.ZERO) > 0);
        assertEquals(1, received.get(0).deliveryAttempt());
        client.acknowledge(List.of(received.get(0).ackId()));
        assertEquals(0, PubSubSandbox.of(sandbox).stats().unacknowledged().get(subscription));
    }

    @Test
    void aDeadlineOfZeroGivesItBackForRedelivery() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = publisher.newSubscription(topic, 600);
        publisher.publish(topic, "{\"emailAddress\":\"x@y.example\",\"historyId\":7}");
        PubSubClient client = client(subscription);
        PubSubClient.Received first = client.pull(10).get(0);

        client.modifyAckDeadline(List.of(first.ackId()), 0);

        List<PubSubClient.Received> again = client.pull(10);
        assertEquals(1, again.size());
        assertEquals(first.messageId(), again.get(0).messageId());
        assertEquals(2, again.get(0).deliveryAttempt());
    }

    @Test
    void anUnknownSubscriptionFailsNamingItAndTheStatus() {
        PubSubClient client = client("projects/" + PubSubSandbox.PROJECT_ID + "/subscriptions/nope-123");
        HttpResponseException e = assertThrows(HttpResponseException.class, () -> client.pull(1));
        assertEquals(404, e.getStatusCode());
        assertTrue(e.getMessage().contains("nope-123") && e.getMessage().contains("NOT_FOUND"), e.getMessage());
    }

    @Test
    void aBrokenKeyIsRefusedWithoutQuotingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PubSubClient.serviceAccount("{\"type\":\"service_account\",\"private_key\":\"SECRET\"}", TRANSPORT,
                        "pubsub.credentials"));
        assertTrue(e.getMessage().startsWith("pubsub.credentials"), e.getMessage());
        assertTrue(!e.getMessage().contains("SECRET"), e.getMessage());
    }
}
