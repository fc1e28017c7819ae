package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private static final String SUMMARY_MARK = "spark-atlas-agent summary at application end: ";
    private static final Pattern SUMMARY_COUNT = Pattern.compile("([a-z][a-z ]*)=(\\d+)(?:, |$)");

    private DriverLog() {
    }

    /**
     * The counts of the agent's one summary line at application end, by name ({@code captured}, {@code messages},
     * {@code sent}, {@code spooled}, {@code replayed}, {@code dropped messages}, ...). Fails unless there is exactly
     * one such line.
     */
    static Map<String, Long> summary(String log) {
        List<String> lines = agentLines(log, "INFO").stream().filter(line -> line.contains(SUMMARY_MARK)).toList();
        if (lines.size() != 1) {
            throw new AssertionError("expected one agent summary line, found " + lines.size() + ":\n" + log);
        }
        String counts = lines.get(0).substring(lines.get(0).indexOf(SUMMARY_MARK) + SUMMARY_MARK.length());
        // The latency part ("listener thread per SQL execution end: p50=..ms") is not a count.
        int latency = counts.indexOf(", listener thread");
        if (latency >= 0) {
            counts = counts.substring(0, latency);
        }
        Map<String, Long> byName = new LinkedHashMap<>();
        Matcher m = SUMMARY_COUNT.matcher(counts);
        while (m.find()) {
            byName.put(m.group(1), Long.parseLong(m.group(2)));
        }
        for (String name : List.of("captured", "messages", "sent", "spooled", "replayed")) {
            if (!byName.containsKey(name)) {
                throw new AssertionError("no " + name + "= in the summary line: " + lines.get(0));
            }
        }
        return byName;
    }

    /**
     * The summary of a run that delivered everything, its broker up throughout: the agent made {@code produced}
     * messages and each was either sent once or superseded by a newer state of its process while it waited (when
     * the sender fell behind the writes, as on a loaded machine); none is left, dropped, rejected or replayed from
     * another application. Returns how many were sent, the number of distinct messages a consumer must then get.
     */
    static int assertSentOrSuperseded(Map<String, Long> summary, int produced) {
        assertEquals(produced, summary.get("messages"), () -> "messages made: " + summary);
        assertEquals(0L, summary.get("spooled"), () -> "nothing left in the spool: " + summary);
        assertEquals(0L, summary.get("dropped messages"), () -> "nothing dropped: " + summary);
        assertEquals(0L, summary.get("rejected"), () -> "nothing rejected: " + summary);
        assertEquals(0L, summary.get("replayed"), () -> "no other application's spool sent: " + summary);
        assertEquals(produced, summary.get("sent") + summary.get("superseded"),
                () -> "each message sent or superseded by a newer state of its process: " + summary);
        assertTrue(summary.get("sent") >= 1, () -> "at least the newest state sent: " + summary);
        return summary.get("sent").intValue();
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
