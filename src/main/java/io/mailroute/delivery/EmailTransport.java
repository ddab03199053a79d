package io.mailroute.delivery;

/** Sends one email delivery; never throws for a provider's answer. */
@FunctionalInterface
public interface EmailTransport {
    SendResult send(Delivery delivery, Notification notification, ChannelsConfig.Channel channel) throws InterruptedException;
}
