package io.mailroute.gmail;

import com.google.api.client.http.HttpExecuteInterceptor;
import com.google.api.client.http.HttpIOExceptionHandler;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpResponseInterceptor;
import com.google.api.client.http.HttpUnsuccessfulResponseHandler;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Puts every request of a mailbox's Gmail client through its quota pacer, whoever makes it (intake, push
 * watches, sending, labelling, connection checks), each try of it included: a try waits until its units
 * ({@link GmailCallUnits}) fit, and tells the pacer when it is over. The credential is applied first, so a
 * grant that cannot be refreshed spends nothing; a 401 from Gmail gives the units back.
 */
final class PacedRequests {

    private static final int UNAUTHORIZED = 401;

    private PacedRequests() {
    }

    /** @param quota spends a call's units, blocking until they fit */
    static void pace(HttpRequest request, IntFunction<QuotaPacer.Spend> quota) {
        HttpExecuteInterceptor authorize = request.getInterceptor();
        HttpResponseInterceptor responses = request.getResponseInterceptor();
        HttpUnsuccessfulResponseHandler unsuccessful = request.getUnsuccessfulResponseHandler();
        HttpIOExceptionHandler ioFailures = request.getIOExceptionHandler();
        AtomicReference<QuotaPacer.Spend> attempt = new AtomicReference<>();
        request.setInterceptor(r -> {
            over(attempt, false); // a retry: the try before is over
            if (authorize != null) {
                authorize.intercept(r);
            }
            attempt.set(quota.apply(GmailCallUnits.of(r.getRequestMethod(), r.getUrl().getRawPath())));
        });
        request.setUnsuccessfulResponseHandler((r, response, retrySupported) -> {
            over(attempt, response.getStatusCode() == UNAUTHORIZED);
            return unsuccessful != null && unsuccessful.handleResponse(r, response, retrySupported);
        });
        request.setResponseInterceptor(response -> {
            over(attempt, response.getStatusCode() == UNAUTHORIZED);
            if (responses != null) {
                responses.interceptResponse(response);
            }
        });
        request.setIOExceptionHandler((r, retrySupported) -> {
            over(attempt, false);
            return ioFailures != null && ioFailures.handleIOException(r, retrySupported);
        });
    }

    private static void over(AtomicReference<QuotaPacer.Spend> attempt, boolean unauthorized) {
        QuotaPacer.Spend spend = attempt.getAndSet(null);
        if (spend != null) {
            if (unauthorized) {
                spend.release();
            }
            spend.answered();
        }
    }
}
