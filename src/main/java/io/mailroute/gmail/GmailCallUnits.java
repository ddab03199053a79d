package io.mailroute.gmail;

import java.util.regex.Pattern;

/**
 * Gmail's published quota units of a request, from its HTTP method and URL path: messages.get 5, history.list 2,
 * messages.send 100, watch 100, stop 50, getProfile 1, messages.list 5, labels.list 1, ... A request this does not
 * know is charged {@value #UNKNOWN} (Gmail's dearest single-message call), so an unknown call can only slow the
 * pacer down, never draw a 429.
 */
public final class GmailCallUnits {

    public static final int GET_PROFILE = 1;
    public static final int LABELS_LIST = 1;
    public static final int LABELS_CREATE = 5;
    public static final int HISTORY_LIST = 2;
    public static final int MESSAGES_LIST = 5;
    public static final int MESSAGES_GET = 5;
    public static final int MESSAGES_MODIFY = 5;
    public static final int MESSAGES_SEND = 100;
    public static final int WATCH = 100;
    public static final int STOP = 50;
    static final int UNKNOWN = 10;

    /** The part after {@code users/{userId}/}: "messages/abc/modify", "history", "profile". */
    private static final Pattern USER_PATH = Pattern.compile(".*/gmail/v1/users/[^/]+/?(.*)");

    private GmailCallUnits() {
    }

    public static int of(String httpMethod, String path) {
        var matcher = USER_PATH.matcher(path == null ? "" : path);
        if (!matcher.matches()) {
            return UNKNOWN;
        }
        String[] parts = matcher.group(1).split("/");
        boolean get = "GET".equalsIgnoreCase(httpMethod);
        boolean delete = "DELETE".equalsIgnoreCase(httpMethod);
        return switch (parts[0]) {
            case "profile" -> GET_PROFILE;
            case "history" -> HISTORY_LIST;
            case "watch" -> WATCH;
            case "stop" -> STOP;
            case "labels" -> get ? LABELS_LIST : delete ? 5 : LABELS_CREATE;
            case "threads" -> get ? 10 : UNKNOWN;
            case "messages" -> messages(parts, get, delete);
            default -> UNKNOWN;
        };
    }

    private static int messages(String[] parts, boolean get, boolean delete) {
        if (parts.length == 1) {
            return get ? MESSAGES_LIST : 25; // list; insert
        }
        return switch (parts[1]) {
            case "send" -> MESSAGES_SEND;
            case "import" -> 25;
            case "batchModify", "batchDelete" -> 50;
            default -> parts.length == 2
                    ? (get ? MESSAGES_GET : delete ? 10 : UNKNOWN)
                    : switch (parts[2]) {
                        case "modify", "trash", "untrash" -> MESSAGES_MODIFY;
                        case "attachments" -> MESSAGES_GET;
                        default -> UNKNOWN;
                    };
        };
    }
}
