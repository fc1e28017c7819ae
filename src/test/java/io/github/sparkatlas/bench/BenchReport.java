package io.github.sparkatlas.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.github.sparkatlas.e2e.harness.WorkDirs;

/**
 * What a benchmark found, printed and kept in {@code target/bench-results/<name>-<time>.txt}: the machine it ran on
 * and, before every measured run, the load, since other Spark jobs share this machine and a figure taken under
 * load is pessimistic.
 */
final class BenchReport {

    private final Path file;

    private BenchReport(Path file) {
        this.file = file;
    }

    static BenchReport create(String name) {
        try {
            Path dir = Files.createDirectories(WorkDirs.buildDir().resolve("bench-results"));
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            BenchReport report = new BenchReport(dir.resolve(name + "-" + stamp + ".txt"));
            report.line("# " + name + ", " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            report.line("machine: nproc=" + Runtime.getRuntime().availableProcessors() + ", RAM=" + memTotal()
                    + ", java: " + javaVersion());
            report.load("start");
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    void line(String text) {
        System.out.println(text);
        try {
            Files.writeString(file, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void format(String pattern, Object... args) {
        line(String.format(Locale.ROOT, pattern, args));
    }

    /** Records {@code uptime} (the 1/5/15-minute load averages) and returns the 1-minute load. */
    double load(String before) {
        String uptime = run("uptime").trim();
        line("load before " + before + ": " + uptime);
        int at = uptime.indexOf("load average:");
        if (at < 0) {
            return Double.NaN;
        }
        return Double.parseDouble(uptime.substring(at + "load average:".length()).split(",")[0].trim());
    }

    private static String memTotal() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                long kib = Long.parseLong(line.replaceAll("\\D", ""));
                return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "unknown";
    }

    /** The JVM the Spark drivers and the broker run on: the one running the benchmark. */
    private static String javaVersion() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return String.join(" | ", run(java.toString(), "-version").trim().split("\n"));
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
