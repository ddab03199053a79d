package io.mailroute.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.secrets.SecretCipher;
import io.mailroute.secrets.Secrets;
import java.util.Collection;
import java.util.Map;

/**
 * Push target keys at rest ({@code push_target.keys_json}): a small JSON object (Web Push {@code p256dh} and
 * {@code auth}), sealed with the token key and bound to the target's channel and address, the key's fingerprint
 * beside it ({@code keys_key_id}). A row without a fingerprint holds the plaintext JSON written before keys were
 * sealed: it is still read, and sealed at the next start.
 */
final class PushTargetKeys {

    /** A value for {@code keys_json} and {@code keys_key_id}; both null for a target without keys. */
    record Stored(String text, String keyId) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Secrets secrets;

    PushTargetKeys(Secrets secrets) {
        this.secrets = secrets;
    }

    /** Seals the keys; a target without keys needs (and loads) no key. */
    Stored seal(String channel, String address, Map<String, String> keys) {
        return keys == null || keys.isEmpty() ? new Stored(null, null) : sealJson(channel, address, format(keys));
    }

    Stored sealJson(String channel, String address, String json) {
        Secrets.Sealed sealed = secrets.seal(associatedData(channel, address), json);
        return new Stored(sealed.text(), sealed.keyId());
    }

    /**
     * @param keyId null for plaintext JSON written before keys were sealed
     * @throws ConfigException saying which key is needed or that the row is damaged, and what to do
     */
    Map<String, String> open(String channel, String address, String text, String keyId) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        if (keyId == null) {
            return parse(text);
        }
        try {
            return parse(secrets.open(associatedData(channel, address), keyId, text));
        } catch (SecretCipher.Unreadable e) {
            if (e.wrongKey()) {
                throw wrongKey(keyId);
            }
            throw new ConfigException(new ConfigProblem("table push_target", "channel " + channel,
                    "the stored keys of a subscription are damaged or belong to another target (they do not authenticate)",
                    "register the subscription again"));
        }
    }

    /** @throws ConfigException when keys were sealed with another key than the one configured now */
    void requireKeyOf(Collection<String> storedKeyIds) {
        String current = secrets.keyId();
        storedKeyIds.stream().filter(id -> !id.equals(current)).findFirst().ifPresent(id -> {
            throw wrongKey(id);
        });
    }

    private ConfigException wrongKey(String storedKeyId) {
        return new ConfigException(new ConfigProblem(secrets.keySource(), null, "is not the key the push subscription "
                + "keys were stored with (key " + storedKeyId + ", this one is " + secrets.keyId() + ")",
                "start with the key they were stored with (the one the OAuth tokens use), or register the browser "
                        + "subscriptions again"));
    }

    /** Binds sealed keys to their row: the channel's length first, so no two (channel, address) pairs read alike. */
    static String associatedData(String channel, String address) {
        return "mailroute push_target " + channel.length() + ":" + channel + " " + address;
    }

    private static Map<String, String> parse(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored push target keys are not a JSON object of strings", e);
        }
    }

    private static String format(Map<String, String> keys) {
        try {
            return JSON.writeValueAsString(keys);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a map of strings always serialises
        }
    }
}
