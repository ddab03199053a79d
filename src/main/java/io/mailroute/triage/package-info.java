/**
 * Triage: which workflow item an incoming message becomes. Plain objects, no Camel; routes only wire them.
 *
 * <ul>
 *   <li>{@link io.mailroute.triage.TriageRules} — one loaded rules file ({@code config/triage.yaml}, whose
 *       header documents the syntax): ordered rules, first match wins, a catch-all default at the end.
 *       {@code classify} returns a {@link io.mailroute.triage.TriageDecision}; {@code explain} also says why
 *       each rule up to the match did or did not match ({@code triage --explain FILE.eml}).</li>
 *   <li>{@link io.mailroute.triage.TriageInput} — the facts rules look at, built from a parsed message with
 *       {@link io.mailroute.triage.TriageInput#from}.</li>
 *   <li>{@link io.mailroute.triage.TriageRulesReloader} — hot reload: call {@code reloadIfChanged()} from a
 *       timer; a broken edit is logged and refused, the last good rules stay in force.</li>
 * </ul>
 *
 * <p>Mail is untrusted: keywords are matched as quoted words, globs without regular expressions, and
 * rule-file regexes on at most 64 KiB of text with a step budget, so no message can stall intake.
 */
package io.mailroute.triage;
