package io.mailroute.gmail;

import org.apache.camel.Exchange;

/** Predicates on the exception of an exchange, for {@code onWhen} in route files. */
public final class GmailFailures {

    /** True when Gmail answered 404 for the message: it was deleted after history listed it. */
    public boolean isMessageGone(Exchange exchange) {
        Throwable error = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return error != null && GmailFailure.of(error).kind() == GmailFailure.Kind.NOT_FOUND;
    }
}
