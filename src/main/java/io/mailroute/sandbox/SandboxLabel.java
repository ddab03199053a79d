package io.mailroute.sandbox;

import java.util.List;

/** A Gmail label. System labels are named like their ids; user labels get ids {@code Label_N}. */
record SandboxLabel(String id, String name, String type, String messageListVisibility, String labelListVisibility) {

    static final List<String> SYSTEM_LABEL_IDS = List.of("INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD",
            "STARRED", "IMPORTANT", "CHAT", "CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS",
            "CATEGORY_UPDATES", "CATEGORY_FORUMS");

    static SandboxLabel system(String id) {
        return new SandboxLabel(id, id, "system", null, null);
    }

    boolean isSystem() {
        return type.equals("system");
    }
}
