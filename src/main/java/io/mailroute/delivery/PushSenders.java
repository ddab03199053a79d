package io.mailroute.delivery;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds one {@link PushSender} per push channel of {@code channels.yaml}, with secrets from the environment. */
public final class PushSenders {

    private PushSenders() {
    }

    public static Map<String, PushSender> create(ChannelsConfig config) {
        Map<String, PushSender> senders = new LinkedHashMap<>();
        for (ChannelsConfig.Channel channel : config.channels().values()) {
            if (channel.isEmail()) {
                continue;
            }
            throw new ConfigException(new ConfigProblem("channels.yaml", "channels." + channel.name() + ".type",
                    "channel type '" + channel.type() + "' is not available in this build yet", "use type: email"));
        }
        return senders;
    }
}
