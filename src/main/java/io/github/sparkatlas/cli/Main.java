package io.github.sparkatlas.cli;

import io.github.sparkatlas.AgentVersion;
import java.io.PrintStream;
import java.nio.file.Paths;

/** {@code java -jar spark-atlas-agent_2.12-<v>.jar <command>}: the agent jar's own tools. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 2 && args[0].equals("show")) {
      return new ShowLineage(out).show(Paths.get(args[1]));
    }
    if (args.length >= 1 && args[0].equals("replay")) {
      return new Replay(out, err).run(java.util.Arrays.asList(args).subList(1, args.length));
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
