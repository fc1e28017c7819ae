package io.github.sparkatlas.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import scala.collection.JavaConverters;

/**
 * CPU time of the thread of Spark's shared listener queue, where {@code spark.extraListeners} (the agent) and
 * Spark's QueryExecutionListener bus run, and the number of SQL executions the application ran. Read in the driver
 * after the bus has drained; compared between runs with and without the agent, the difference per SQL execution is
 * what the agent costs Spark's listener thread, cold start included.
 */
final class ListenerThreadCpu {

    /** AsyncEventQueue names its thread "spark-listener-group-" + the queue's name. */
    static final String SHARED_QUEUE_THREAD = "spark-listener-group-shared";

    private ListenerThreadCpu() {
    }

    /** {@code BENCH listenerThreadCpu cpuMs=.. sqlExecutions=..}; cpuMs is -1 when the thread was not found. */
    static void print(PrintStream out, SparkSession spark) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double cpuMillis = -1;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (SHARED_QUEUE_THREAD.equals(thread.getName())) {
                cpuMillis = threads.getThreadCpuTime(thread.getId()) / 1e6;
            }
        }
        // Execution ids count from 0 in one application; the UI keeps only the latest ones, the latest id says all.
        long executions = 1 + JavaConverters.seqAsJavaList(spark.sharedState().statusStore().executionsList())
                .stream().mapToLong(SQLExecutionUIData::executionId).max().orElse(-1);
        out.println(String.format(Locale.ROOT, "BENCH listenerThreadCpu cpuMs=%.3f sqlExecutions=%d", cpuMillis,
                executions));
    }
}
