package io.mailroute.config;

/**
 * One thing wrong with the configuration, phrased for the person who has to fix it:
 * where it is (file and key, or route id), what is wrong, and what to do.
 */
public record ConfigProblem(String file, String key, String problem, String fix) {

    @Override
    public String toString() {
        StringBuilder line = new StringBuilder(file);
        if (key != null && !key.isEmpty()) {
            line.append(": ").append(key);
        }
        line.append(": ").append(problem);
        if (fix != null && !fix.isEmpty()) {
            line.append("; ").append(fix);
        }
        return line.toString();
    }
}
