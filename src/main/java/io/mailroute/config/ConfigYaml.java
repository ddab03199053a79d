package io.mailroute.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads a YAML file of {@code config/}; a syntax error becomes one problem naming the line where YAML gave up. */
public final class ConfigYaml {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String SYNTAX_FIX = "fix the syntax: indent with spaces (no tabs), line up the keys of one mapping "
            + "under each other, and quote values that contain ': ' or start with * or [";

    private ConfigYaml() {
    }

    /** The file's tree (null for an empty file); a {@link ConfigException} with one problem if it cannot be read. */
    public static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException marked) {
                throw new ConfigException(syntaxProblem(file.toString(), marked));
            }
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr();
            throw new ConfigException(new ConfigProblem(file.toString(), where, "is not valid YAML: "
                    + e.getOriginalMessage().replaceAll("\\s+", " "), SYNTAX_FIX));
        } catch (IOException e) {
            throw new ConfigException(new ConfigProblem(file.toString(), "", "cannot be read: " + e.getMessage(),
                    "check the file's permissions"));
        }
    }

    /**
     * "line 35: is not valid YAML at column 6: expected &lt;block end&gt; ... (while parsing a block mapping at line 33)":
     * the line SnakeYAML stopped at (Jackson's own location is the last token read, often the line before).
     */
    public static ConfigProblem syntaxProblem(String file, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String where = mark == null ? "" : "line " + (mark.getLine() + 1);
        String column = mark == null ? "" : " at column " + (mark.getColumn() + 1);
        String context = e.getContext() == null ? ""
                : " (" + e.getContext() + (e.getContextMark() == null || mark == e.getContextMark() ? ""
                        : " at line " + (e.getContextMark().getLine() + 1)) + ")";
        String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
        return new ConfigProblem(file, where, "is not valid YAML" + column + ": " + problem.replaceAll("\\s+", " ") + context,
                SYNTAX_FIX);
    }
}
