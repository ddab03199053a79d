package io.mailroute.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when configuration cannot be used; carries every problem found, not just the first. */
public class ConfigException extends RuntimeException {

    private final transient List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining(System.lineSeparator())));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(ConfigProblem problem) {
        this(List.of(problem));
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
