package io.mailroute.text;

/** A count with its noun in agreement ("1 delivery", "2 deliveries"), for log lines and command output. */
public final class Counted {

    private Counted() {
    }

    /** For nouns whose plural adds an s. */
    public static String of(long count, String singular) {
        return of(count, singular, singular + "s");
    }

    public static String of(long count, String singular, String plural) {
        return count + " " + (count == 1 ? singular : plural);
    }
}
