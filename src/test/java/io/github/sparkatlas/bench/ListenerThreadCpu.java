package io.github.sparkatlas.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import scala.collection.JavaConverters;

/**
 * CPU time of the thread of Spark's shared listener queue, where Spark's QueryExecutionListener bus and the user's
 * {@code spark.extraListeners} run, of the thread of the agent's own listener queue, and the number of SQL executions
 * the application ran. Read in the driver after the bus has drained; compared between runs with and without the
 * agent, the difference of the shared thread per SQL execution is what the agent costs Spark's shared listener
 * thread, cold start included; the agent's queue thread is what the agent's listener costs, Spark's timing of it
 * included.
 */
final class ListenerThreadCpu {

    /** AsyncEventQueue names its thread "spark-listener-group-" + the queue's name. */
    static final String SHARED_QUEUE_THREAD = "spark-listener-group-shared";
    /** The thread of the agent's own queue (AgentListenerQueue.THREAD). */
    static final String AGENT_QUEUE_THREAD = "spark-listener-group-atlasAgent";

    private ListenerThreadCpu() {
    }

    /**
     * {@code BENCH listenerThreadCpu cpuMs=.. sqlExecutions=.. agentQueueCpuMs=..}; a CPU time is -1 when its thread
     * was not found (the agent's queue thread, in a run without the agent).
     */
    static void print(PrintStream out, SparkSession spark) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double cpuMillis = -1;
        double agentQueueCpuMillis = -1;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (SHARED_QUEUE_THREAD.equals(thread.getName())) {
                cpuMillis = threads.getThreadCpuTime(thread.getId()) / 1e6;
            } else if (AGENT_QUEUE_THREAD.equals(thread.getName())) {
                agentQueueCpuMillis = threads.getThreadCpuTime(thread.getId()) / 1e6;
            }
        }
        // Execution ids count from 0 in one application; the UI keeps only the latest ones, the latest id says all.
        long executions = 1 + JavaConverters.seqAsJavaList(spark.sharedState().statusStore().executionsList())
                .stream().mapToLong(SQLExecutionUIData::executionId).max().orElse(-1);
        out.println(String.format(Locale.ROOT, "BENCH listenerThreadCpu cpuMs=%.3f sqlExecutions=%d "
                + "agentQueueCpuMs=%.3f", cpuMillis, executions, agentQueueCpuMillis));
    }
}
