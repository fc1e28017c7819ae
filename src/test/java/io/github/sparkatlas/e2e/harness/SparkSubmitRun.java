package io.github.sparkatlas.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a Spark application the way {@code bin/spark-submit} does, in a child JVM:
 * <pre>java &lt;Java 17 flags&gt; -Xmx1g -cp &lt;Spark jars&gt; org.apache.spark.deploy.SparkSubmit --master local[2]
 *     --conf k=v ... [--jars &lt;agent jar&gt;] --class &lt;main&gt; &lt;app jar&gt; &lt;args&gt;</pre>
 * The driver runs in client mode inside that JVM, so driver system properties (log4j2 config, Derby home) go on
 * the java command line, as {@code spark.driver.extraJavaOptions} would only be read by a launcher.
 *
 * <p>Defaults: the agent jar from system property {@code agent.jar} (skip with {@link #withoutAgent()}), the app jar
 * from {@code app.jar} (the project's test-jar), Spark {@code spark.version}/{@code scala.binary.version}
 * (3.5.9/2.12), and a fresh working directory under {@code target/e2e-work}.
 */
public final class SparkSubmitRun {

    private final String mainClass;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> conf = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final Map<String, String> logLevels = new LinkedHashMap<>();
    private Path workingDir;
    private Path agentJar = pathProperty("agent.jar");
    private Path appJar = pathProperty("app.jar");
    private String sparkVersion = System.getProperty("spark.version", "3.5.9");
    private String scalaBinaryVersion = System.getProperty("scala.binary.version", "2.12");
    private Path hiveWarehouse;
    private final List<String> jobRuntimes = new ArrayList<>();

    private SparkSubmitRun(String mainClass) {
        this.mainClass = mainClass;
        // The UI only costs start-up time and a port here; a test can turn it back on with conf().
        conf.put("spark.ui.enabled", "false");
        // Our agent logs at INFO; Spark, Hadoop and the relocated Kafka client stay at WARN to keep logs readable.
        logLevels.put("io.github.sparkatlas", "INFO");
        logLevels.put("io.github.sparkatlas.shaded", "WARN");
        // Spark's Hive metastore client logs JDBC table options, passwords included, at INFO (FIELD-NOTES §5).
        logLevels.put("org.apache.hadoop.hive.metastore", "WARN");
    }

    public static SparkSubmitRun app(String mainClass) {
        return new SparkSubmitRun(mainClass);
    }

    /** The driver's working directory; the agent looks for atlas-application.properties there. */
    public SparkSubmitRun workingDir(Path dir) {
        this.workingDir = dir.toAbsolutePath();
        return this;
    }

    public SparkSubmitRun args(String... appArgs) {
        args.addAll(Arrays.asList(appArgs));
        return this;
    }

    /** A {@code --conf k=v}; replaces an earlier value or default (e.g. {@code spark.ui.enabled}). */
    public SparkSubmitRun conf(String key, String value) {
        conf.put(key, value);
        return this;
    }

    public SparkSubmitRun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** A {@code -Dkey=value} of the driver JVM. */
    public SparkSubmitRun systemProperty(String key, String value) {
        systemProperties.put(key, value);
        return this;
    }

    /** Sets a log4j2 logger level in the driver (root is WARN, {@code io.github.sparkatlas} INFO). */
    public SparkSubmitRun logLevel(String logger, String level) {
        logLevels.put(logger, level);
        return this;
    }

    public SparkSubmitRun agentJar(Path jar) {
        this.agentJar = jar;
        return this;
    }

    public SparkSubmitRun withoutAgent() {
        this.agentJar = null;
        return this;
    }

    public SparkSubmitRun appJar(Path jar) {
        this.appJar = jar;
        return this;
    }

    /**
     * Jars the job itself needs, as a user adds them with {@code --jars} or {@code --packages}: the runtime
     * {@code src/test/runtimes/<name>} (e.g. {@code spark-sql-kafka}), passed beside the agent's jar.
     */
    public SparkSubmitRun jobJars(String runtimeName) {
        jobRuntimes.add(runtimeName);
        return this;
    }

    /** Another Spark installation, e.g. ("4.0.2", "2.13"); the app jar must be built for it. */
    public SparkSubmitRun spark(String version, String scalaBinary) {
        this.sparkVersion = version;
        this.scalaBinaryVersion = scalaBinary;
        return this;
    }

    /** Hive catalog with a Derby metastore of its own in {@code <workingDir>/metastore_db}. */
    public SparkSubmitRun hive(Path warehouseDir) {
        this.hiveWarehouse = warehouseDir.toAbsolutePath();
        conf.put("spark.sql.catalogImplementation", "hive");
        conf.put("spark.sql.warehouse.dir", hiveWarehouse.toString());
        return this;
    }

    public SparkSubmitRun inMemoryCatalog(Path warehouseDir) {
        this.hiveWarehouse = null;
        conf.put("spark.sql.catalogImplementation", "in-memory");
        conf.put("spark.sql.warehouse.dir", warehouseDir.toAbsolutePath().toString());
        return this;
    }

    /** Runs the application; on timeout writes a thread dump to driver-threads.txt and kills the process tree. */
    public Result run(Duration timeout) {
        return start().await(timeout);
    }

    /**
     * Starts the application and returns at once, for a test that acts while the driver runs (stops the broker,
     * kills the driver). The caller ends it with {@link Running#await} or {@link Running#killForcibly}.
     */
    public Running start() {
        Path dir = workingDir != null ? workingDir : WorkDirs.newDir("spark-" + simpleName(mainClass));
        createDirectories(dir);
        Path logFile = dir.resolve("driver.log");
        Process process = ChildProcesses.start(processBuilder(dir)
                .redirectErrorStream(true)
                .redirectOutput(Redirect.to(logFile.toFile())));
        return new Running(process, logFile, System.nanoTime());
    }

    /** The full command, for a test that wants to show or tweak it. */
    public List<String> command(Path dir) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaTool("java").toString());
        // bin/spark-submit's launcher adds these on Java 17; a bare `java ... SparkSubmit` does not (FIELD-NOTES §4).
        String flags = System.getProperty("java17.spark.flags", "").trim();
        if (!flags.isEmpty()) {
            command.addAll(Arrays.asList(flags.split("\\s+")));
        }
        command.add("-Xmx1g");
        command.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
        if (hiveWarehouse != null) {
            command.add("-Dderby.system.home=" + dir);
        }
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(RuntimeClasspath.resolve("spark",
                Map.of("spark.version", sparkVersion, "scala.binary.version", scalaBinaryVersion)));
        command.add("org.apache.spark.deploy.SparkSubmit");
        command.add("--master");
        command.add("local[2]");
        Map<String, String> allConf = new LinkedHashMap<>(conf);
        // Each run gets its own local dir, and with it its own default agent spool: runs share a spool only when a
        // test says so (spark.local.dir or spark.atlas.spark.spool.dir), never through the machine's /tmp.
        allConf.putIfAbsent("spark.local.dir", dir.resolve("local").toString());
        if (hiveWarehouse != null) {
            allConf.putIfAbsent("spark.hadoop.javax.jdo.option.ConnectionURL",
                    "jdbc:derby:;databaseName=" + dir.resolve("metastore_db") + ";create=true");
        }
        allConf.forEach((k, v) -> {
            command.add("--conf");
            command.add(k + "=" + v);
        });
        List<String> jars = new ArrayList<>();
        if (agentJar != null) {
            jars.add(requireFile(agentJar, "agent jar (build it with `mvn package`, or call withoutAgent())")
                    .toString());
        }
        for (String runtime : jobRuntimes) {
            jars.addAll(Arrays.asList(RuntimeClasspath.resolve(runtime, Map.of("scala.binary.version",
                    scalaBinaryVersion)).split(java.io.File.pathSeparator)));
        }
        if (!jars.isEmpty()) {
            command.add("--jars");
            command.add(String.join(",", jars));
        }
        command.add("--class");
        command.add(mainClass);
        command.add(requireFile(appJar, "app jar (the test-jar, built by `mvn package`)").toString());
        command.addAll(args);
        return command;
    }

    private ProcessBuilder processBuilder(Path dir) {
        writeLog4jConfig(dir.resolve("log4j2.properties"));
        ProcessBuilder builder = new ProcessBuilder(command(dir)).directory(dir.toFile());
        Map<String, String> environment = builder.environment();
        // A machine's own Spark installation must not leak its spark-defaults.conf into the test.
        environment.remove("SPARK_HOME");
        environment.remove("SPARK_CONF_DIR");
        environment.put("SPARK_LOCAL_IP", "127.0.0.1");
        environment.putAll(env);
        return builder;
    }

    private void writeLog4jConfig(Path file) {
        StringBuilder text = new StringBuilder()
                .append("rootLogger.level = warn\n")
                .append("rootLogger.appenderRef.console.ref = console\n")
                .append("appender.console.type = Console\n")
                .append("appender.console.name = console\n")
                .append("appender.console.target = SYSTEM_ERR\n")
                .append("appender.console.layout.type = PatternLayout\n")
                .append("appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p [%t] %c: %m%n%ex\n");
        int i = 0;
        for (Map.Entry<String, String> logger : logLevels.entrySet()) {
            text.append("logger.l").append(i).append(".name = ").append(logger.getKey()).append('\n')
                    .append("logger.l").append(i).append(".level = ").append(logger.getValue()).append('\n');
            i++;
        }
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A hung driver is the failure the agent must never cause; the thread dump shows who is blocking. */
    private static void threadDump(Process process, Path logFile) {
        try {
            ChildProcesses.runToCompletion(List.of(ChildProcesses.javaTool("jcmd").toString(),
                            String.valueOf(process.pid()), "Thread.print"),
                    logFile.getParent(), logFile.resolveSibling("driver-threads.txt"), Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            // Best effort only: the timeout is the failure to report, not the missing dump.
        }
    }

    private static Path requireFile(Path file, String what) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new IllegalStateException("missing " + what + ": " + file);
        }
        return file.toAbsolutePath();
    }

    private static Path pathProperty(String name) {
        String value = System.getProperty(name);
        return value == null ? null : Path.of(value);
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A driver started by {@link #start()}; its stdout and stderr go to {@link #logFile()}. */
    public static final class Running {

        private final Process process;
        private final Path logFile;
        private final long startNanos;

        private Running(Process process, Path logFile, long startNanos) {
            this.process = process;
            this.logFile = logFile;
            this.startNanos = startNanos;
        }

        public Process process() {
            return process;
        }

        public Path logFile() {
            return logFile;
        }

        /** The driver log so far. */
        public String log() {
            return ChildProcesses.read(logFile);
        }

        /**
         * Polls the driver log until a line contains {@code text}; false when the timeout passed or the driver
         * exited without writing it.
         */
        public boolean awaitLogLine(String text, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                boolean exited = !process.isAlive();
                if (log().lines().anyMatch(line -> line.contains(text))) {
                    return true;
                }
                if (exited || System.nanoTime() > deadline) {
                    return false;
                }
                ChildProcesses.waitFor(process, Duration.ofMillis(200));
            }
        }

        /** Waits for the driver to end; on timeout writes a thread dump to driver-threads.txt and kills it. */
        public Result await(Duration timeout) {
            boolean finished = ChildProcesses.waitFor(process, timeout);
            if (!finished) {
                threadDump(process, logFile);
                ChildProcesses.kill(process, Duration.ofSeconds(5));
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
            return new Result(finished ? process.exitValue() : -1, !finished, duration,
                    ChildProcesses.read(logFile), logFile);
        }

        /**
         * Kills the driver JVM with SIGKILL (no shutdown hooks, no flush: what an OOM killer or a lost node does)
         * and waits for it to be gone.
         */
        public Result killForcibly() {
            process.destroyForcibly();
            if (!ChildProcesses.waitFor(process, Duration.ofSeconds(30))) {
                throw new IllegalStateException("driver " + process.pid() + " still alive 30 s after SIGKILL");
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
            return new Result(process.exitValue(), false, duration, ChildProcesses.read(logFile), logFile);
        }
    }

    /**
     * @param exitCode -1 when timed out
     * @param log      stdout and stderr of the driver JVM
     * @param logFile  {@code driver.log} in the working directory (thread dump of a timed-out run beside it)
     */
    public record Result(int exitCode, boolean timedOut, Duration duration, String log, Path logFile) {

        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** The last lines of the log, for assertion messages. */
        public String logTail(int lines) {
            List<String> all = log.lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }

        @Override
        public String toString() {
            return "SparkSubmitRun.Result[exitCode=" + exitCode + ", timedOut=" + timedOut + ", duration=" + duration
                    + ", logFile=" + logFile + "]\n--- log tail ---\n" + logTail(80);
        }
    }
}
