package io.github.sparkatlas.cli;

import io.github.sparkatlas.AgentVersion;
import io.github.sparkatlas.redact.Redactor;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;

/** {@code java -jar spark-atlas-agent_2.12-<v>.jar <command>}: the agent jar's own tools. */
public final class Main {
  /** Where the jar keeps a copy of SLF4J for this command line only: no class path inside Spark sees it. */
  private static final String CLI_LIB = "META-INF/cli-lib/";

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    System.exit(hasSlf4j() ? run(args, System.out, System.err) : runWithBundledSlf4j(args));
  }

  private static boolean hasSlf4j() {
    try {
      Class.forName("org.slf4j.LoggerFactory", false, Main.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * The agent leaves SLF4J to Spark, so {@code java -jar} alone has none, yet the spool and the relocated Kafka
   * client log through it: the commands then run from the same jar in a class loader that adds the bundled copy
   * (with a simple logger on stderr: the agent's warnings and errors, the Kafka client's errors).
   */
  private static int runWithBundledSlf4j(String[] args) throws Exception {
    URL jar = Main.class.getProtectionDomain().getCodeSource().getLocation();
    URL lib = new URL("jar:" + jar + "!/" + CLI_LIB);
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    // The relocated Kafka client warns on every reconnect; the sender's own ERROR already names the problem.
    setIfAbsent("org.slf4j.simpleLogger.log.io.github.sparkatlas.shaded", "error");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar, lib}, Main.class.getClassLoader().getParent())) {
      Method run = Class.forName(Main.class.getName(), true, loader)
          .getDeclaredMethod("run", String[].class, PrintStream.class, PrintStream.class);
      run.setAccessible(true);
      try {
        return (Integer) run.invoke(null, args, System.out, System.err);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        throw cause instanceof Exception ? (Exception) cause : new IllegalStateException(cause);
      }
    }
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    try {
      if (args.length == 2 && args[0].equals("show")) {
        return new ShowLineage(out).show(Paths.get(args[1]));
      }
      if (args.length >= 1 && args[0].equals("replay")) {
        return new Replay(out, err).run(java.util.Arrays.asList(args).subList(1, args.length));
      }
    } catch (Exception e) {
      // Said in one redacted line rather than thrown: the JVM would print the message as it is, and it may quote
      // a path or a URL with a secret in it.
      err.println(AgentVersion.NAME + ": " + Redactor.defaults().redact(e.toString()));
      return 1;
    }
    if (args.length == 1 && args[0].equals("version")) {
      out.println(AgentVersion.NAME + " " + AgentVersion.get());
      return 0;
    }
    err.println(AgentVersion.NAME + " " + AgentVersion.get());
    err.println("usage:");
    err.println("  java -jar <agent jar> show <dir>   print the lineage in a file-sink directory (atlas.spark.file.sink.dir)");
    err.println("  java -jar <agent jar> replay <dir> [--config <atlas-application.properties>] [--timeout-seconds <n>]");
    err.println("      send a spool (atlas.spark.spool.dir), or file-sink output, to the Kafka destination of the config");
    err.println("  java -jar <agent jar> version");
    return 2;
  }
}
