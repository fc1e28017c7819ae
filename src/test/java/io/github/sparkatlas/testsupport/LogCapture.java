package io.github.sparkatlas.testsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * What one class logs through SLF4J while the capture is open. The agent logs through SLF4J; on the test
 * classpath (as in Spark) that is log4j2, so the lines are taken from a log4j2 appender on the class's logger.
 */
public final class LogCapture implements AutoCloseable {
  /** One log line: level, formatted message and, if any, the printed throwable with its causes. */
  public static final class Line {
    public final String level;
    public final String message;
    public final String thrown;

    Line(String level, String message, String thrown) {
      this.level = level;
      this.message = message;
      this.thrown = thrown;
    }

    /** Message and printed throwable: everything a reader of the log would see. */
    public String text() {
      return thrown == null ? message : message + "\n" + thrown;
    }

    @Override
    public String toString() {
      return level + " " + text();
    }
  }

  private final String loggerName;
  private final LoggerContext context;
  private final AbstractAppender appender;
  private final List<Line> lines = new CopyOnWriteArrayList<>();

  private LogCapture(String loggerName) {
    this.loggerName = loggerName;
    this.context = (LoggerContext) LogManager.getContext(false);
    this.appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        String thrown = null;
        if (event.getThrown() != null) {
          StringWriter out = new StringWriter();
          event.getThrown().printStackTrace(new PrintWriter(out));
          thrown = out.toString();
        }
        lines.add(new Line(event.getLevel().name(), event.getMessage().getFormattedMessage(), thrown));
      }
    };
    appender.start();
    Configuration config = context.getConfiguration();
    LoggerConfig own = new LoggerConfig(loggerName, Level.ALL, true);
    own.addAppender(appender, Level.ALL, null);
    config.addLogger(loggerName, own);
    context.updateLoggers();
  }

  public static LogCapture of(Class<?> type) {
    return new LogCapture(type.getName());
  }

  /** What every class under a logger name (a package, say) logs. */
  public static LogCapture of(String loggerName) {
    return new LogCapture(loggerName);
  }

  public List<Line> lines() {
    return new ArrayList<>(lines);
  }

  public List<Line> at(String level) {
    return lines.stream().filter(line -> line.level.equals(level)).collect(Collectors.toList());
  }

  /** Every line, message and throwable, as one text: for "this secret appears nowhere" checks. */
  public String allText() {
    return lines.stream().map(Line::text).collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    config.removeLogger(loggerName);
    context.updateLoggers();
    appender.stop();
  }
}
