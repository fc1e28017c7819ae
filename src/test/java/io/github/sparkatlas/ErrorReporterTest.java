package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.redact.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class ErrorReporterTest {
  /** An SLF4J logger that keeps what it is given. */
  static final class RecordingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    static final class Line {
      final Level level;
      final String message;
      final Throwable thrown;

      Line(Level level, String message, Throwable thrown) {
        this.level = level;
        this.message = message;
        this.thrown = thrown;
      }

      /** What a log file would show: the message and the printed throwable with its causes. */
      String printed() {
        if (thrown == null) {
          return message;
        }
        StringWriter out = new StringWriter();
        thrown.printStackTrace(new PrintWriter(out));
        return message + "\n" + out;
      }

      @Override
      public String toString() {
        return level + " " + printed();
      }
    }

    final List<Line> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

    RecordingLogger() {
      this.name = "recording";
    }

    List<Line> at(Level level) {
      return lines.stream().filter(line -> line.level == level).collect(Collectors.toList());
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
        Throwable throwable) {
      lines.add(new Line(level, MessageFormatter.basicArrayFormat(pattern, arguments), throwable));
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }

  private final RecordingLogger log = new RecordingLogger();
  private final AtomicInteger switchedOff = new AtomicInteger();

  private ErrorReporter reporter(long limit) {
    return new ErrorReporter(log, Redactor.defaults(), limit, switchedOff::incrementAndGet);
  }

  @Test
  void eachKindOfErrorIsLoggedOnceAndEveryOccurrenceCounted() {
    ErrorReporter errors = reporter(1_000);

    for (int i = 0; i < 5; i++) {
      errors.internalError("reading a SQL execution", new IllegalStateException("bad plan " + i));
    }
    errors.internalError("reading a SQL execution", new NoClassDefFoundError("org/apache/spark/sql/Foo"));
    errors.internalError("reading a query execution", new IllegalStateException("other place"));

    assertEquals(7, errors.count());
    List<RecordingLogger.Line> warnings = log.at(Level.WARN);
    assertEquals(3, warnings.size(), "one line per place and error class: " + warnings);
    assertTrue(warnings.get(0).message.startsWith("spark-atlas-agent internal error in reading a SQL execution "
        + "(reported once; the Spark job is not affected): java.lang.IllegalStateException: bad plan 0"),
        warnings.get(0).message);
    assertTrue(warnings.get(1).message.contains("java.lang.NoClassDefFoundError: org/apache/spark/sql/Foo"));
    assertTrue(warnings.get(2).message.contains("in reading a query execution"));
    assertTrue(log.at(Level.ERROR).isEmpty());
    assertEquals(0, switchedOff.get());
  }

  @Test
  void reachingTheLimitSwitchesOffOnceWithOneErrorLine() {
    ErrorReporter errors = reporter(3);

    errors.internalError("reading a SQL execution", new IllegalStateException("1"));
    errors.internalError("reading a SQL execution", new IllegalStateException("2"));
    assertEquals(0, switchedOff.get());
    errors.internalError("reading a SQL execution", new LinkageError("3"));
    assertEquals(1, switchedOff.get());
    for (int i = 0; i < 10; i++) {
      errors.internalError("reading a SQL execution", new IllegalStateException("more"));
    }

    assertEquals(1, switchedOff.get(), "the callback fires exactly once");
    assertEquals(13, errors.count(), "errors after the limit are still counted");
    List<RecordingLogger.Line> lines = log.at(Level.ERROR);
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).message.startsWith("spark-atlas-agent switched itself off for the rest of this "
        + "application after 3 internal errors (atlas.spark.internal.errors.max)"), lines.get(0).message);
  }

  @Test
  void limitIsReachedOnceWhenManyThreadsFailAtTheSameTime() throws InterruptedException {
    ErrorReporter errors = reporter(100);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 50; i++) {
          errors.internalError("reading a SQL execution", new IllegalStateException("x"));
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertEquals(400, errors.count());
    assertEquals(1, switchedOff.get());
    assertEquals(1, log.at(Level.ERROR).size());
  }

  @Test
  void loggedExceptionsAreRedactedButKeepTheirClassAndStackFrames() {
    ErrorReporter errors = reporter(1_000);
    Exception cause = new java.sql.SQLException("cannot connect to jdbc:postgresql://db:5432/x?user=etl&password=s3cr3t");
    IllegalStateException error = new IllegalStateException("options Map(url -> x, password -> hunter2)", cause);

    errors.internalError("reading a SQL execution", error);

    RecordingLogger.Line line = log.at(Level.WARN).get(0);
    String printed = line.printed();
    assertFalse(printed.contains("hunter2"), printed);
    assertFalse(printed.contains("s3cr3t"), printed);
    assertTrue(printed.contains(Redactor.MASK), printed);
    assertTrue(printed.contains("java.lang.IllegalStateException: options Map(url -> x, password -> "), printed);
    assertTrue(printed.contains("Caused by: java.sql.SQLException: cannot connect to jdbc:postgresql://db:5432/x"),
        printed);
    assertNotNull(line.thrown);
    assertArrayEquals(error.getStackTrace(), line.thrown.getStackTrace(), "the original stack frames");
    assertArrayEquals(cause.getStackTrace(), line.thrown.getCause().getStackTrace());
  }

  @Test
  void causeChainThatLoopsIsPrintedWithoutEndlessRecursion() {
    ErrorReporter errors = reporter(1_000);
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);

    errors.internalError("reading a SQL execution", b);

    assertEquals(1, errors.count());
    assertTrue(log.at(Level.WARN).get(0).printed().contains("java.lang.RuntimeException: b"));
  }

  @Test
  void warnOnceSaysSomethingOncePerKeyWithoutCountingAnError() {
    ErrorReporter errors = reporter(1);

    errors.warnOnce("node:Foo", "spark-atlas-agent does not know plan node Foo; password=hunter2");
    errors.warnOnce("node:Foo", "spark-atlas-agent does not know plan node Foo; password=hunter2");
    errors.warnOnce("node:Bar", "spark-atlas-agent does not know plan node Bar");

    assertEquals(0, errors.count());
    assertEquals(0, switchedOff.get());
    List<RecordingLogger.Line> warnings = log.at(Level.WARN);
    assertEquals(2, warnings.size());
    assertFalse(warnings.get(0).message.contains("hunter2"), warnings.get(0).message);
  }
}
