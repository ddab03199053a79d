package io.mailroute.triage;

import io.mailroute.text.Counted;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One test in a rule's {@code when}. Implementations are immutable and compiled once per rules file.
 * Each answers with a {@link Check}: whether it holds, and why, phrased for {@code triage --explain}.
 */
sealed interface Condition {

    Check test(MailFacts mail);

    record Check(boolean holds, String reason) {
    }

    /** All of the conditions hold. {@code everyReason}: evaluate all of them (explain) or stop at the first that fails. */
    static List<Check> all(List<Condition> conditions, MailFacts mail, boolean everyReason) {
        List<Check> checks = new ArrayList<>(conditions.size());
        for (Condition condition : conditions) {
            Check check = condition.test(mail);
            checks.add(check);
            if (!check.holds() && !everyReason) {
                break;
            }
        }
        return checks;
    }

    static boolean holds(List<Check> checks) {
        return checks.stream().allMatch(Check::holds);
    }

    // ---- the conditions -----------------------------------------------------------------------------

    /** {@code mailbox:} the mailbox id is one of the globs. */
    record MailboxIs(List<Glob> ids) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            for (Glob id : ids) {
                if (id.matches(mail.mailbox)) {
                    return new Check(true, "mailbox " + quote(mail.mailbox) + " matches " + id);
                }
            }
            return new Check(false, "mailbox " + quote(mail.mailbox) + " is not " + oneOf(ids));
        }
    }

    /** A sender/recipient pattern: with an '@' it is matched against the whole address, without one against the domain. */
    record AddressPattern(String written, Glob glob, boolean domainOnly) {
        static AddressPattern of(String written) {
            String p = written.strip();
            if (p.startsWith("@")) {
                return new AddressPattern(written, Glob.of(p.substring(1)), true);
            }
            return new AddressPattern(written, Glob.of(p), !p.contains("@"));
        }

        boolean matches(String address) {
            return glob.matches(domainOnly ? MailFacts.domainOf(address) : address);
        }

        @Override
        public String toString() {
            return written;
        }
    }

    /** {@code from:}, {@code to:}, {@code cc:} — some address of the field matches some pattern. */
    record AddressMatches(String field, List<AddressPattern> patterns) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            List<String> addresses = switch (field) {
                case "from" -> mail.from.isEmpty() ? List.of() : List.of(mail.from);
                case "to" -> mail.to;
                default -> mail.cc;
            };
            for (String address : addresses) {
                for (AddressPattern pattern : patterns) {
                    if (pattern.matches(address)) {
                        return new Check(true, field + " " + address + " matches " + pattern);
                    }
                }
            }
            String shown = addresses.isEmpty() ? "(nobody)" : addresses.size() == 1 ? addresses.get(0) : addresses.toString();
            return new Check(false, field + " " + shown + " does not match " + oneOf(patterns));
        }
    }

    enum TextMode { ANY, ALL, REGEX }

    /** {@code subject:}, {@code body:}, {@code text:} (subject or body) — keywords (any/all) or regular expressions (any). */
    record TextHas(String field, TextMode mode, List<TextPattern> patterns) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            String text = switch (field) {
                case "subject" -> mail.subject;
                case "body" -> mail.body;
                default -> mail.subjectAndBody;
            };
            String where = field.equals("text") ? "subject or body" : field;
            List<TextPattern> found = new ArrayList<>();
            List<TextPattern> missing = new ArrayList<>();
            List<TextPattern> gaveUp = new ArrayList<>();
            for (TextPattern pattern : patterns) {
                switch (pattern.search(text)) {
                    case YES -> found.add(pattern);
                    case NO -> missing.add(pattern);
                    default -> gaveUp.add(pattern);
                }
                if (mode != TextMode.ALL && !found.isEmpty()) {
                    break;
                }
            }
            String tooSlow = gaveUp.isEmpty() ? ""
                    : " (" + list(gaveUp) + " gave up after " + TextPattern.REGEX_STEP_BUDGET + " steps on this mail; counted as no match)";
            return switch (mode) {
                case ANY -> found.isEmpty()
                        ? new Check(false, where + " has none of " + list(patterns))
                        : new Check(true, where + " has " + found.get(0));
                case ALL -> missing.isEmpty() && gaveUp.isEmpty()
                        ? new Check(true, where + " has all of " + list(patterns))
                        : new Check(false, where + " lacks " + list(missing.isEmpty() ? gaveUp : missing)
                                + " (needs all of " + list(patterns) + ")");
                case REGEX -> found.isEmpty()
                        ? new Check(false, where + " does not match " + (patterns.size() == 1 ? patterns.get(0) : "any of " + list(patterns)) + tooSlow)
                        : new Check(true, where + " matches " + found.get(0));
            };
        }
    }

    /**
     * {@code attachment:} — {@code present: false}: the mail has no attachment; otherwise some attachment
     * matches every given part (content type glob, filename glob).
     */
    record AttachmentMatches(boolean present, List<Glob> types, List<Glob> filenames) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            List<TriageInput.Attachment> attachments = mail.input.attachments();
            if (!present) {
                return attachments.isEmpty()
                        ? new Check(true, "has no attachment")
                        : new Check(false, "has " + Counted.of(attachments.size(), "attachment") + ": " + describe(attachments));
            }
            for (TriageInput.Attachment a : attachments) {
                boolean typeOk = types.isEmpty() || types.stream().anyMatch(g -> g.matches(a.contentType()));
                boolean nameOk = filenames.isEmpty() || filenames.stream().anyMatch(g -> g.matches(a.filename()));
                if (typeOk && nameOk) {
                    String what = criteria();
                    return new Check(true, "attachment " + quote(a.filename()) + " (" + a.contentType() + ")"
                            + (what.isEmpty() ? "" : " has " + what));
                }
            }
            String wanted = criteria().isEmpty() ? "" : " with " + criteria();
            if (attachments.isEmpty()) {
                return new Check(false, "has no attachment" + (wanted.isEmpty() ? "" : " (wanted one" + wanted + ")"));
            }
            return new Check(false, "has no attachment" + wanted + ", only " + describe(attachments));
        }

        private String criteria() {
            String type = types.isEmpty() ? "" : "type " + oneOf(types);
            String name = filenames.isEmpty() ? "" : "name " + oneOf(filenames);
            return type.isEmpty() || name.isEmpty() ? type + name : type + " and " + name;
        }

        private static String describe(List<TriageInput.Attachment> attachments) {
            return attachments.stream().limit(5).map(a -> quote(a.filename()) + " (" + a.contentType() + ")")
                    .collect(Collectors.joining(", ")) + (attachments.size() > 5 ? ", ..." : "");
        }
    }

    /** {@code labels:} — the message carries any (or all) of the Gmail labels, compared case-insensitively. */
    record LabelsInclude(boolean all, List<String> labels) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            List<String> present = labels.stream().filter(l -> mail.labels.contains(l.toLowerCase(java.util.Locale.ROOT))).toList();
            String has = "labels " + (mail.input.labels().isEmpty() ? "(none)" : mail.input.labels().toString());
            if (all) {
                return present.size() == labels.size()
                        ? new Check(true, has + " include all of " + labels)
                        : new Check(false, has + " lack " + labels.stream().filter(l -> !present.contains(l)).toList());
            }
            return present.isEmpty()
                    ? new Check(false, has + " include none of " + labels)
                    : new Check(true, has + " include " + present.get(0));
        }
    }

    /** {@code authentication: {dmarc: fail}} — Gmail's verdict for one method is one of the listed ones. */
    record AuthenticationIs(String method, Set<String> verdicts) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            String verdict = mail.verdict(method);
            return verdicts.contains(verdict)
                    ? new Check(true, method + " is " + verdict)
                    : new Check(false, method + " is " + verdict + ", not " + oneOf(verdicts.stream().sorted().toList()));
        }
    }

    /** {@code replyTo:} — whether the mail answers a message of an existing workflow item. */
    record ReplyToKnownItem(boolean expected) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            boolean reply = mail.input.replyToKnownItem();
            return new Check(reply == expected, reply ? "is a reply to a known item" : "is not a reply to a known item");
        }
    }

    /** {@code headers: {List-Id: "*"}} — the header is present and its value matches one of the globs. */
    record HeaderMatches(String name, List<Glob> values) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            String value = mail.headers.get(name);
            if (value == null) {
                return new Check(false, "header " + name + " is absent");
            }
            for (Glob glob : values) {
                if (glob.matches(value.strip())) {
                    return new Check(true, "header " + name + " " + quote(value) + " matches " + glob);
                }
            }
            return new Check(false, "header " + name + " " + quote(value) + " does not match " + oneOf(values));
        }
    }

    /** {@code any:} — at least one of the alternatives (each a set of conditions that must all hold) holds. */
    record AnyOf(List<List<Condition>> alternatives) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < alternatives.size(); i++) {
                List<Check> checks = all(alternatives.get(i), mail, false);
                if (holds(checks)) {
                    return new Check(true, "any: (" + (i + 1) + ") " + joinReasons(checks));
                }
                failures.add("(" + (i + 1) + ") " + checks.get(checks.size() - 1).reason());
            }
            return new Check(false, "any: none holds: " + String.join("; ", failures));
        }
    }

    /** {@code not:} — the conditions inside do not all hold. */
    record Not(List<Condition> conditions) implements Condition {
        @Override
        public Check test(MailFacts mail) {
            List<Check> checks = all(conditions, mail, false);
            return holds(checks)
                    ? new Check(false, "not wanted, but " + joinReasons(checks))
                    : new Check(true, "not: " + checks.get(checks.size() - 1).reason());
        }
    }

    // ---- phrasing -------------------------------------------------------------------------------------

    private static String joinReasons(List<Check> checks) {
        return checks.stream().map(Check::reason).collect(Collectors.joining(" and "));
    }

    private static String oneOf(List<?> options) {
        return options.size() == 1 ? String.valueOf(options.get(0))
                : "any of " + options.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String list(List<TextPattern> patterns) {
        return patterns.stream().map(TextPattern::toString).collect(Collectors.joining(", "));
    }

    static String quote(String untrusted) {
        String s = untrusted == null ? "" : untrusted.replaceAll("\\p{Cntrl}", " ");
        return "'" + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + "'";
    }
}
