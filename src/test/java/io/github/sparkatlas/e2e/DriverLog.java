package io.github.sparkatlas.e2e;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lines of a driver log written with SparkSubmitRun's log4j2 pattern {@code %d{HH:mm:ss.SSS} %p [%t] %c: %m}.
 * "Agent" lines are those of the agent's own loggers, not of its relocated Kafka client.
 */
final class DriverLog {

    private static final Pattern LINE =
            Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) \\[.*?\\] (\\S+): (.*)$");
    private static final String AGENT_LOGGER_PREFIX = "io.github.sparkatlas.";
    private static final String SHADED_LOGGER_PREFIX = "io.github.sparkatlas.shaded.";

    private DriverLog() {
    }

    /** Log lines of the agent's own loggers at exactly this level. */
    static List<String> agentLines(String log, String level) {
        return log.lines().filter(line -> {
            Matcher m = LINE.matcher(line);
            return m.matches() && m.group(1).equals(level) && m.group(2).startsWith(AGENT_LOGGER_PREFIX)
                    && !m.group(2).startsWith(SHADED_LOGGER_PREFIX);
        }).toList();
    }

    /** Every line, whoever logged it, at this level. */
    static List<String> linesAt(String log, String level) {
        return log.lines().filter(line -> {
            Matcher m = LINE.matcher(line);
            return m.matches() && m.group(1).equals(level);
        }).toList();
    }
}
