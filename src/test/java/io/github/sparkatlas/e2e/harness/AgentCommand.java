package io.github.sparkatlas.e2e.harness;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The agent jar's own command line ({@code java -jar <agent jar> <command> ...}) in a child JVM, as a user runs it
 * after fixing a delivery problem. The jar comes from system property {@code agent.jar}.
 */
public final class AgentCommand {

    private AgentCommand() {
    }

    /**
     * Runs {@code java -jar <agent jar> replay <dir> --config <config>} in {@code workDir}; its output goes to
     * {@code replay.log} there. On timeout the process is killed and the exit code is -1.
     */
    public static Result replay(Path dir, Path config, Path workDir, Duration timeout) {
        return run(workDir, "replay.log", timeout, "replay", dir.toAbsolutePath().toString(),
                "--config", config.toAbsolutePath().toString());
    }

    public static Result run(Path workDir, String logName, Duration timeout, String... args) {
        String jar = System.getProperty("agent.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("missing agent jar (build it with `mvn package`): " + jar);
        }
        List<String> command = new ArrayList<>(List.of(ChildProcesses.javaTool("java").toString(), "-jar", jar));
        command.addAll(Arrays.asList(args));
        Path output = workDir.resolve(logName);
        Process process = ChildProcesses.start(new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.to(output.toFile())));
        boolean finished = ChildProcesses.waitFor(process, timeout);
        if (!finished) {
            ChildProcesses.kill(process, Duration.ofSeconds(5));
        }
        return new Result(finished ? process.exitValue() : -1, ChildProcesses.read(output), output);
    }

    /** @param output stdout and stderr together */
    public record Result(int exitCode, String output, Path outputFile) {

        @Override
        public String toString() {
            return "AgentCommand.Result[exitCode=" + exitCode + ", outputFile=" + outputFile + "]\n--- output ---\n"
                    + output;
        }
    }
}
