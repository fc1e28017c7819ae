package io.github.sparkatlas.e2e.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts, tracks and ends the JVMs the harness runs (broker, Spark driver, Maven, keytool).
 * Every child is registered, so that a failed or interrupted test run does not leave a broker or driver behind:
 * the shutdown hook kills whatever is still alive when the test JVM exits.
 */
final class ChildProcesses {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(p -> kill(p, Duration.ZERO)), "e2e-harness-child-cleanup"));
    }

    private ChildProcesses() {
    }

    static Process start(ProcessBuilder builder) {
        try {
            Process process = builder.start();
            LIVE.add(process);
            process.onExit().thenRun(() -> LIVE.remove(process));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command().get(0), e);
        }
    }

    /** Asks the process and its children to stop, kills what still lives after {@code grace}, waits for exit. */
    static void kill(Process process, Duration grace) {
        // Captured first: once the parent is gone its children are re-parented and no longer listed.
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!waitFor(process, grace)) {
            process.destroyForcibly();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        waitFor(process, Duration.ofSeconds(30));
    }

    /**
     * Runs a short-lived command to completion with stdout and stderr in {@code outputFile} and returns that output.
     * Fails with the output in the message on a non-zero exit code or timeout.
     */
    static String runToCompletion(List<String> command, Path workingDir, Path outputFile, Duration timeout) {
        Process process = start(new ProcessBuilder(command)
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(outputFile.toFile()));
        boolean finished = waitFor(process, timeout);
        if (!finished) {
            kill(process, Duration.ofSeconds(5));
        }
        // Maven 3.8 writes colour resets even with -B; they only clutter an error message.
        String output = read(outputFile).replaceAll("\u001B\\[[;\\d]*m", "");
        if (!finished || process.exitValue() != 0) {
            String outcome = finished ? "exit code " + process.exitValue() : "timed out after " + timeout;
            throw new IllegalStateException(outcome + ": " + describe(command)
                    + "\n--- output (" + outputFile + ") ---\n" + output);
        }
        return output;
    }

    /** The command for a message, with classpaths (tens of kB) cut down to their size. */
    static String describe(List<String> command) {
        return command.stream()
                .map(arg -> arg.length() <= 300 ? arg : "<" + arg.split(File.pathSeparator).length + " cp entries>")
                .collect(Collectors.joining(" "));
    }

    /** Returns true if the process ended within the timeout. Keeps the interrupt flag, but does not give up early. */
    static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for process " + process.pid(), e);
        }
    }

    static Path javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name);
    }

    static String read(Path file) {
        try {
            // Lenient decoding: a crashing JVM can leave a half-written multi-byte character behind.
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String tail(Path file, int lines) {
        List<String> all = read(file).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
