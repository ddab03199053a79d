package io.mailroute.delivery.email;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.SendResult;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.NoGrantException;
import io.mailroute.gmail.TokenRefusal;
import java.util.regex.Pattern;

/**
 * A failed email send in our words: the {@code lastError} that {@code /api/deliveries} shows names the status, the
 * provider's error code when it looks like one, and what it means; Gmail's or the SMTP server's own text goes to the
 * service log only ({@link SendResult#providerSaid()}), as for push providers.
 */
final class SendFailures {

    /** What Gmail's error reasons and OAuth error codes look like ({@code rateLimitExceeded}, {@code invalid_grant}). */
    static final Pattern CODE = Pattern.compile("[A-Za-z_]{1,40}");

    private SendFailures() {
    }

    /** @param mailboxId the Gmail mailbox that was sending */
    static String gmail(Throwable error, GmailFailure failure, String mailboxId) {
        NoGrantException noGrant = find(error, NoGrantException.class);
        if (noGrant != null) {
            return noGrant.getMessage(); // ours: which mailbox, and the command that connects it
        }
        String code = code(error);
        String head = failure.status() > 0 ? "gmail " + failure.status() + (code.isEmpty() ? "" : " " + code)
                : "gmail: " + innermost(error).getClass().getSimpleName();
        return head + ": " + switch (failure.kind()) {
            case RATE_LIMITED -> "Gmail asks mailbox " + mailboxId + " to slow down; tried again after its wait";
            case TRANSIENT -> failure.status() > 0 ? "Gmail could not take it now; tried again later"
                    : "no answer from Gmail; tried again later";
            case NOT_CONNECTED -> "Gmail refused mailbox " + mailboxId + "'s grant; reconnect it with "
                    + "'java -jar target/mailroute.jar connect " + mailboxId + "' (meanwhile the fallback sender sends, if one is configured)";
            case NOT_FOUND, HISTORY_EXPIRED -> "Gmail did not find what was asked for; not tried again";
            case OTHER -> failure.status() > 0 ? "Gmail refused the message as composed; not tried again"
                    : "unexpected failure; see the service log";
        };
    }

    /** Gmail's own words, one line, for the log. */
    static String gmailSaid(Throwable error, GmailFailure failure) {
        return find(error, NoGrantException.class) != null ? null : BoundedBody.forLog(failure.message());
    }

    /** An SMTP fallback sender's failure: always worth another try later (the server may come back). */
    static SendResult smtp(Throwable error, String server) {
        Throwable cause = innermost(error);
        String meaning;
        if (find(error, jakarta.mail.AuthenticationFailedException.class) != null) {
            meaning = "the server refused our login; check mailroute.fallback-sender.smtp.username and the password";
        } else if (find(error, java.net.ConnectException.class) != null || find(error, java.net.UnknownHostException.class) != null) {
            meaning = "cannot connect (" + cause.getClass().getSimpleName() + ")";
        } else if (find(error, java.net.SocketTimeoutException.class) != null) {
            meaning = "no answer in time";
        } else if (find(error, jakarta.mail.SendFailedException.class) != null) {
            org.eclipse.angus.mail.smtp.SMTPSendFailedException smtp =
                    find(error, org.eclipse.angus.mail.smtp.SMTPSendFailedException.class);
            meaning = (smtp == null ? "" : "reply " + smtp.getReturnCode() + ", ")
                    + "the server refused the message or its recipients";
        } else {
            meaning = "failed (" + cause.getClass().getSimpleName() + ")";
        }
        StringBuilder said = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            boolean camelWrapper = t.getClass().getName().startsWith("org.apache.camel.");
            if (!camelWrapper && t.getMessage() != null && !said.toString().contains(t.getMessage())) {
                said.append(said.isEmpty() ? "" : " / ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            }
        }
        if (said.isEmpty()) {
            said.append(error); // only Camel's words (an endpoint it cannot resolve): still what the log needs
        }
        return SendResult.retry("smtp " + server + ": " + meaning, null).withProviderSaid(BoundedBody.forLog(said.toString()));
    }

    /** Gmail's error reason or the OAuth error code, only when it looks like a code; else "". */
    private static String code(Throwable error) {
        String code = "";
        GoogleJsonResponseException json = find(error, GoogleJsonResponseException.class);
        TokenRefusal token = TokenRefusal.in(error);
        if (json != null && json.getDetails() != null && json.getDetails().getErrors() != null
                && !json.getDetails().getErrors().isEmpty()) {
            code = String.valueOf(json.getDetails().getErrors().get(0).getReason());
        } else if (token != null) {
            code = token.error();
        }
        return CODE.matcher(code).matches() ? code : "";
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable innermost(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
