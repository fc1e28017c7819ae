package io.github.sparkatlas.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The classpath of a runtime the tests start as a separate JVM (a Kafka broker, a Spark installation) or load in an
 * isolated class loader (Apache Atlas's own classes, see {@code atlasrules.AtlasClassLoader}), resolved by Maven from
 * {@code src/test/runtimes/<name>/pom.xml}. These runtimes stay off the test classpath on purpose: the broker brings
 * Scala 2.13 and other Jackson/Netty versions, Atlas another Hadoop and more SLF4J providers, all of which clash with
 * an in-JVM Spark 3.
 *
 * <p>The result is cached in {@code target/runtimes/<name>-<hash>.classpath}; the hash covers the runtime pom and the
 * properties, so another Spark version or an edited pom resolves anew and a clean build starts over.
 */
public final class RuntimeClasspath {

    private static final Duration MAVEN_TIMEOUT = Duration.ofMinutes(15);

    private RuntimeClasspath() {
    }

    /**
     * @param runtimeName a directory under {@code src/test/runtimes}
     * @param props       passed to Maven as {@code -Dk=v}, e.g. {@code spark.version}
     * @return the classpath, entries separated by {@link java.io.File#pathSeparator}
     */
    public static synchronized String resolve(String runtimeName, Map<String, String> props) {
        Path projectDir = WorkDirs.projectDir();
        Path pom = projectDir.resolve("src/test/runtimes").resolve(runtimeName).resolve("pom.xml");
        if (!Files.isRegularFile(pom)) {
            throw new IllegalArgumentException("no runtime pom " + pom);
        }
        SortedMap<String, String> sortedProps = new TreeMap<>(props);
        Path runtimesDir = createDirectories(WorkDirs.buildDir().resolve("runtimes"));
        String stem = runtimeName + "-" + hash(pom, sortedProps);
        Path cached = runtimesDir.resolve(stem + ".classpath");
        if (!Files.isRegularFile(cached)) {
            // Written under a name of this JVM's own and moved into place: an interrupted run never leaves a partial
            // cache, and two test JVMs resolving at once do not write into one file.
            Path partial = runtimesDir.resolve(stem + ".classpath." + ProcessHandle.current().pid() + ".partial");
            List<String> command = new ArrayList<>(List.of(maven(), "-B", "-q", "-f", pom.toString(),
                    "dependency:build-classpath", "-Dmdep.outputFile=" + partial));
            String repoLocal = System.getProperty("maven.repo.local");
            if (repoLocal != null) {
                command.add("-Dmaven.repo.local=" + repoLocal);
            }
            sortedProps.forEach((k, v) -> command.add("-D" + k + "=" + v));
            ChildProcesses.runToCompletion(command, projectDir, runtimesDir.resolve(stem + ".mvn.log"), MAVEN_TIMEOUT);
            move(partial, cached);
        }
        String classpath = ChildProcesses.read(cached).trim();
        if (classpath.isEmpty()) {
            throw new IllegalStateException("empty classpath in " + cached);
        }
        return classpath;
    }

    /** The Maven running this build (surefire passes {@code maven.home}), else the one on the PATH. */
    private static String maven() {
        String mavenHome = System.getProperty("maven.home");
        if (mavenHome != null && !mavenHome.isBlank()) {
            Path mvn = Path.of(mavenHome, "bin", "mvn");
            if (Files.isExecutable(mvn)) {
                return mvn.toString();
            }
        }
        return "mvn";
    }

    private static String hash(Path pom, SortedMap<String, String> props) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(pom));
            digest.update(props.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Maven succeeded but wrote no classpath file " + from, e);
        }
    }
}
