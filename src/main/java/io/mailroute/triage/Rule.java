package io.mailroute.triage;

import java.util.List;

/**
 * One rule of a rules file: it matches when every condition of {@code when} holds; with no conditions it is
 * the catch-all default (only allowed, and required, as the last rule).
 */
record Rule(String id, int line, List<Condition> when, TriageDecision then) {

    Rule {
        when = List.copyOf(when);
    }

    boolean isDefault() {
        return when.isEmpty();
    }
}
