package io.mailroute.reports;

import io.mailroute.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code config/reports.yaml}: the scheduled reports and the external databases they read, as {@link ReportsFile} read
 * them. What the file names in other files (mailboxes, audiences, recipients) is checked by {@link #problemsIn}.
 *
 * @param source      the file (for messages)
 * @param datasources external databases by name
 * @param reports     reports by id, in the file's order
 */
public record ReportsConfig(String source, Map<String, Datasource> datasources, Map<String, ReportDefinition> reports) {

    public ReportsConfig {
        datasources = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(datasources));
        reports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(reports));
    }

    /** No file: no reports. */
    public static ReportsConfig none(String source) {
        return new ReportsConfig(source, Map.of(), Map.of());
    }

    public Optional<ReportDefinition> report(String id) {
        return Optional.ofNullable(reports.get(id));
    }

    /**
     * An external database of {@code datasources:}.
     *
     * @param url              its JDBC URL
     * @param user             the user name (already read from the environment when the file says env:VAR), or null
     * @param userVariable     the environment variable the user name comes from, or null when written in the file
     * @param passwordVariable the environment variable the password comes from, or null for none
     * @param line             where the datasource is written
     */
    public record Datasource(String name, String url, String user, String userVariable, String passwordVariable, int line) {

        /** The password from the environment; empty when there is none or the variable is not set. */
        public Optional<String> password(Function<String, String> environment) {
            return Optional.ofNullable(passwordVariable).map(environment).filter(p -> !p.isEmpty());
        }

        /** The user name, from the environment when the file says env:VAR. */
        public Optional<String> user(Function<String, String> environment) {
            return userVariable == null ? Optional.ofNullable(user)
                    : Optional.ofNullable(environment.apply(userVariable)).filter(u -> !u.isEmpty());
        }
    }

    /**
     * What the reports name and the other files do not have: a mailbox that is not in mailboxes.yaml, an audience that
     * is not in channels.yaml or that names members a report cannot reach, an owner that is neither an address nor a
     * recipient. A null argument means that file could not be read (its own problems say so): it is not checked.
     *
     * @param mailboxes   the ids of mailboxes.yaml
     * @param recipients  the recipient ids of channels.yaml (empty without the file)
     * @param audiences   the members of each audience of channels.yaml (empty without the file)
     */
    public List<ConfigProblem> problemsIn(Set<String> mailboxes, Set<String> recipients, Map<String, List<String>> audiences) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (ReportDefinition report : reports.values()) {
            if (mailboxes != null && !mailboxes.contains(report.mailbox())) {
                problems.add(new ConfigProblem(source, report.where("mailbox"), "'" + report.mailbox()
                        + "' is not a mailbox of mailboxes.yaml", "name one of " + new TreeSet<>(mailboxes)));
            }
            if (recipients == null || audiences == null) {
                continue;
            }
            if (!report.owner().contains("@") && !recipients.contains(report.owner())) {
                problems.add(new ConfigProblem(source, report.where("owner"), "'" + report.owner()
                        + "' is neither an email address nor a recipient of channels.yaml", recipients.isEmpty()
                        ? "write an address, or add the recipient under recipients: in channels.yaml"
                        : "write an address or one of the recipients " + new TreeSet<>(recipients)));
            }
            for (String audience : report.recipients().audiences()) {
                List<String> members = audiences.get(audience);
                if (members == null) {
                    problems.add(new ConfigProblem(source, report.where("recipients"), "audience '" + audience
                            + "' is not defined in channels.yaml", audiences.isEmpty()
                            ? "define it under audiences: in channels.yaml, or write addresses"
                            : "name one of " + new TreeSet<>(audiences.keySet()) + ", an address or $owners"));
                    continue;
                }
                members.stream().filter(m -> m.startsWith("$") && !ReportDefinition.OWNERS.equals(m)).forEach(m -> problems.add(
                        new ConfigProblem(source, report.where("recipients"), "audience '" + audience + "' has member " + m
                                + ", which a report cannot name, so it would reach nobody",
                                "name an audience of recipients (and $owners), or addresses")));
            }
        }
        return problems;
    }

    /** The datasources whose variables (env:VAR) are not set: a report reading them would fail each run. */
    public List<ConfigProblem> unsetVariables(Function<String, String> environment) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Datasource datasource : datasources.values()) {
            for (String[] variable : new String[][] {{"user", datasource.userVariable()}, {"password", datasource.passwordVariable()}}) {
                String value = variable[1] == null ? null : environment.apply(variable[1]);
                if (variable[1] != null && (value == null || value.isEmpty())) {
                    problems.add(new ConfigProblem(source, ReportsFile.where(datasource.line(), null, "datasources."
                            + datasource.name() + "." + variable[0]), "environment variable " + variable[1]
                            + " is not set, so the reports reading this datasource fail", "export " + variable[1]));
                }
            }
        }
        return problems;
    }
}
