package io.mailroute.app;

import io.mailroute.connection.TokenStore;
import io.mailroute.db.Database;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The token key and what it seals: OAuth refresh tokens ({@code mailbox_token}) and push subscription keys
 * ({@code push_target}). One key for both, so a new one is made only while neither table holds anything sealed.
 */
final class SecretsWiring {

    private SecretsWiring() {
    }

    /** @param keyFile {@code mailroute.tokens.key-file}, used when the environment has no {@value TokenKey#ENV} */
    static Secrets secrets(Function<String, String> environment, Path keyFile, Database db) {
        return new Secrets(mayCreate -> TokenKey.load(environment, keyFile, mayCreate),
                () -> TokenStore.holdsAny(db) || DeliveryStore.holdsSealedKeys(db));
    }
}
