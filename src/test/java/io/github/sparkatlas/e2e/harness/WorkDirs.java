package io.github.sparkatlas.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fresh directories for brokers and Spark runs under {@code target/e2e-work}. Unlike JUnit's {@code @TempDir} they
 * survive the test, so the broker log, driver log and server.properties of a failed run can still be read.
 */
public final class WorkDirs {

    private WorkDirs() {
    }

    public static Path projectDir() {
        return Path.of(System.getProperty("project.dir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    public static Path buildDir() {
        String buildDir = System.getProperty("build.dir");
        return buildDir != null ? Path.of(buildDir).toAbsolutePath() : projectDir().resolve("target");
    }

    /** A new, empty directory {@code target/e2e-work/<prefix>-<random>}. */
    public static Path newDir(String prefix) {
        try {
            Path parent = Files.createDirectories(buildDir().resolve("e2e-work"));
            return Files.createTempDirectory(parent, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
