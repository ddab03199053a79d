package io.mailroute.sandbox;

import java.util.Arrays;
import java.util.List;

/**
 * Which Gmail method a request path names, as the Google client builds them: {@code gmail/v1/users/{userId}/...}
 * and, for media uploads, {@code upload/gmail/v1/users/{userId}/messages[/send|/import]}.
 *
 * @param params the path segments after the user id, e.g. {@code [messages, 18c..., attachments, ...]}
 */
record GmailRoute(GmailMethod method, String userId, List<String> params, boolean upload) {

    private static final String API_PREFIX = "/gmail/v1/users/";
    private static final String UPLOAD_PREFIX = "/upload/gmail/v1/users/";
    /** Gmail message and thread ids are hex; anything else is rejected before a lookup, as Gmail does. */
    private static final java.util.regex.Pattern GMAIL_ID = java.util.regex.Pattern.compile("[0-9a-f]{1,32}");

    String param(int i) {
        return params.get(i);
    }

    /** @throws GmailApiException 404 for a path that is not a Gmail method the sandbox serves */
    static GmailRoute resolve(String verb, String path) {
        boolean upload = path.startsWith(UPLOAD_PREFIX);
        String rest = path.substring(upload ? UPLOAD_PREFIX.length() : API_PREFIX.length());
        List<String> s = Arrays.stream(rest.split("/")).map(HttpExchanges::decode).toList();
        GmailMethod method = match(verb, s);
        if (method == null || s.get(0).isEmpty()) {
            throw GmailErrors.notFound();
        }
        if (upload && method != GmailMethod.MESSAGES_INSERT && method != GmailMethod.MESSAGES_IMPORT
                && method != GmailMethod.MESSAGES_SEND) {
            throw GmailErrors.notFound();
        }
        GmailRoute route = new GmailRoute(method, s.get(0), s.subList(1, s.size()), upload);
        if (route.namesMessageOrThread() && !GMAIL_ID.matcher(route.param(1)).matches()) {
            throw GmailErrors.invalidArgument("Invalid id value");
        }
        return route;
    }

    /** messages.{get,modify,trash,untrash,delete}, attachments.get and threads.get address one id. */
    private boolean namesMessageOrThread() {
        return switch (method) {
            case MESSAGES_GET, MESSAGES_MODIFY, MESSAGES_TRASH, MESSAGES_UNTRASH, MESSAGES_DELETE, ATTACHMENTS_GET,
                    THREADS_GET -> true;
            default -> false;
        };
    }

    private static GmailMethod match(String verb, List<String> s) {
        int n = s.size();
        String kind = n > 1 ? s.get(1) : "";
        boolean get = verb.equals("GET");
        boolean post = verb.equals("POST") || verb.equals("PUT");
        switch (kind) {
            case "profile":
                return get && n == 2 ? GmailMethod.GET_PROFILE : null;
            case "watch":
                return post && n == 2 ? GmailMethod.WATCH : null;
            case "stop":
                return post && n == 2 ? GmailMethod.STOP : null;
            case "labels":
                if (n == 2) {
                    return get ? GmailMethod.LABELS_LIST : post ? GmailMethod.LABELS_CREATE : null;
                }
                return get && n == 3 ? GmailMethod.LABELS_GET : null;
            case "history":
                return get && n == 2 ? GmailMethod.HISTORY_LIST : null;
            case "threads":
                return get && n == 3 ? GmailMethod.THREADS_GET : null;
            case "messages":
                if (n == 2) {
                    return get ? GmailMethod.MESSAGES_LIST : post ? GmailMethod.MESSAGES_INSERT : null;
                }
                if (n == 3 && post) {
                    return switch (s.get(2)) {
                        case "send" -> GmailMethod.MESSAGES_SEND;
                        case "import" -> GmailMethod.MESSAGES_IMPORT;
                        case "batchModify" -> GmailMethod.MESSAGES_BATCH_MODIFY;
                        default -> null;
                    };
                }
                if (n == 3) {
                    return get ? GmailMethod.MESSAGES_GET : verb.equals("DELETE") ? GmailMethod.MESSAGES_DELETE : null;
                }
                if (n == 4 && post) {
                    return switch (s.get(3)) {
                        case "modify" -> GmailMethod.MESSAGES_MODIFY;
                        case "trash" -> GmailMethod.MESSAGES_TRASH;
                        case "untrash" -> GmailMethod.MESSAGES_UNTRASH;
                        default -> null;
                    };
                }
                return get && n == 5 && s.get(3).equals("attachments") ? GmailMethod.ATTACHMENTS_GET : null;
            default:
                return null;
        }
    }
}
