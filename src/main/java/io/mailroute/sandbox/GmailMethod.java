package io.mailroute.sandbox;

import static io.mailroute.sandbox.GmailScope.GMAIL_COMPOSE;
import static io.mailroute.sandbox.GmailScope.GMAIL_INSERT;
import static io.mailroute.sandbox.GmailScope.GMAIL_LABELS;
import static io.mailroute.sandbox.GmailScope.GMAIL_READONLY;
import static io.mailroute.sandbox.GmailScope.GMAIL_SEND;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The Gmail API methods the sandbox serves, with Gmail's published quota cost per call, the backend method
 * name Gmail reports in errors, and the scopes that allow the call besides {@code mail.google.com} and
 * {@code gmail.modify}, which allow every method here (real Gmail keeps {@code messages.delete} for
 * {@code mail.google.com} alone; the sandbox does not, so seeded {@code gmail.modify} users can do everything).
 */
enum GmailMethod {
    GET_PROFILE("users.getProfile", 1, "GetProfile", GMAIL_READONLY, GMAIL_COMPOSE),
    LABELS_LIST("labels.list", 1, "ListLabels", GMAIL_READONLY, GMAIL_LABELS),
    LABELS_GET("labels.get", 1, "GetLabel", GMAIL_READONLY, GMAIL_LABELS),
    LABELS_CREATE("labels.create", 5, "CreateLabel", GMAIL_LABELS),
    MESSAGES_LIST("messages.list", 5, "ListMessages", GMAIL_READONLY),
    MESSAGES_GET("messages.get", 5, "GetMessage", GMAIL_READONLY),
    ATTACHMENTS_GET("messages.attachments.get", 5, "GetAttachment", GMAIL_READONLY),
    MESSAGES_MODIFY("messages.modify", 5, "ModifyMessage"),
    MESSAGES_BATCH_MODIFY("messages.batchModify", 50, "BatchModifyMessages"),
    MESSAGES_TRASH("messages.trash", 5, "TrashMessage"),
    MESSAGES_UNTRASH("messages.untrash", 5, "UntrashMessage"),
    MESSAGES_DELETE("messages.delete", 10, "DeleteMessage"),
    MESSAGES_INSERT("messages.insert", 25, "InsertMessage", GMAIL_INSERT),
    MESSAGES_IMPORT("messages.import", 25, "ImportMessage", GMAIL_INSERT),
    MESSAGES_SEND("messages.send", 100, "SendMessage", GMAIL_SEND, GMAIL_COMPOSE),
    HISTORY_LIST("history.list", 2, "ListHistory", GMAIL_READONLY),
    THREADS_GET("threads.get", 10, "GetThread", GMAIL_READONLY),
    WATCH("users.watch", 100, "Watch", GMAIL_READONLY),
    STOP("users.stop", 50, "Stop", GMAIL_READONLY);

    private final String apiName;
    private final int quotaUnits;
    private final String rpcName;
    private final Set<GmailScope> scopes;

    GmailMethod(String apiName, int quotaUnits, String rpcName, GmailScope... narrowerScopes) {
        this.apiName = apiName;
        this.quotaUnits = quotaUnits;
        this.rpcName = rpcName;
        EnumSet<GmailScope> allowing = EnumSet.of(GmailScope.MAIL_GOOGLE_COM, GmailScope.GMAIL_MODIFY);
        allowing.addAll(Arrays.asList(narrowerScopes));
        this.scopes = Collections.unmodifiableSet(allowing);
    }

    String apiName() {
        return apiName;
    }

    int quotaUnits() {
        return quotaUnits;
    }

    /** Gmail's backend name, as in {@code caribou.api.proto.MailboxService.ListHistory}. */
    String rpcName() {
        return "caribou.api.proto.MailboxService." + rpcName;
    }

    /** Every scope that allows this method. */
    Set<GmailScope> scopes() {
        return scopes;
    }

    boolean allowedWith(Set<GmailScope> granted) {
        return granted.stream().anyMatch(scopes::contains);
    }
}
