package io.github.sparkatlas.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's live threads, grouped by name with digits folded ({@code C2 CompilerThre#}), read from
 * Linux's /proc: unlike ThreadMXBean it also sees the JIT compiler and GC threads, where much of a new library's
 * start-up cost goes. Names are the kernel's, cut at 15 characters.
 */
final class ThreadCpu {

    /** Linux reports thread times in USER_HZ ticks, 100 per second on every mainstream architecture. */
    private static final long MILLIS_PER_TICK = 10;

    private ThreadCpu() {
    }

    /** Prints {@code BENCH threadCpu <ms> <group>} for each group that used at least 100 ms. */
    static void print(PrintStream out) throws IOException {
        Map<String, Long> byGroup = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                byGroup.merge(name.replaceAll("[0-9]+", "#"), cpuMillis(stat), Long::sum);
            }
        }
        byGroup.forEach((group, millis) -> {
            if (millis >= 100) {
                out.println("BENCH threadCpu " + millis + " " + group);
            }
        });
    }

    /** CPU time a process has used so far, or 0 when it is gone. */
    static long processCpuMillis(long pid) {
        try {
            return cpuMillis(Files.readString(Paths.get("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return 0;
        }
    }

    /** utime + stime of a /proc stat line: after "(comm) " come state, ppid, ...; they are the 14th and 15th. */
    private static long cpuMillis(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * MILLIS_PER_TICK;
    }
}
