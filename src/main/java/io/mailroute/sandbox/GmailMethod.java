package io.mailroute.sandbox;

/** The Gmail API methods the sandbox serves, with Gmail's published quota cost per call. */
enum GmailMethod {
    GET_PROFILE("users.getProfile", 1),
    LABELS_LIST("labels.list", 1),
    LABELS_GET("labels.get", 1),
    LABELS_CREATE("labels.create", 5),
    MESSAGES_LIST("messages.list", 5),
    MESSAGES_GET("messages.get", 5),
    ATTACHMENTS_GET("messages.attachments.get", 5),
    MESSAGES_MODIFY("messages.modify", 5),
    MESSAGES_BATCH_MODIFY("messages.batchModify", 50),
    MESSAGES_TRASH("messages.trash", 5),
    MESSAGES_UNTRASH("messages.untrash", 5),
    MESSAGES_DELETE("messages.delete", 10),
    MESSAGES_INSERT("messages.insert", 25),
    MESSAGES_IMPORT("messages.import", 25),
    MESSAGES_SEND("messages.send", 100),
    HISTORY_LIST("history.list", 2),
    THREADS_GET("threads.get", 10);

    private final String apiName;
    private final int quotaUnits;

    GmailMethod(String apiName, int quotaUnits) {
        this.apiName = apiName;
        this.quotaUnits = quotaUnits;
    }

    String apiName() {
        return apiName;
    }

    int quotaUnits() {
        return quotaUnits;
    }
}
