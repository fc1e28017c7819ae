package io.github.sparkatlas.e2e;

import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.fsPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.apps.ScriptedWritesApp;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;

/**
 * {@link ScriptedWritesApp} as the delivery tests submit it (in-memory catalog), and the lineage the agent must
 * report for it: one message per write, whose spark_process reads the landing CSV and has written every output
 * so far.
 */
final class ScriptedWrites {

    private ScriptedWrites() {
    }

    /** The app in {@code runDir} (the driver's working directory), writing under {@link #workDir}. */
    static SparkSubmitRun submit(Path runDir, int writes, String... options) {
        List<String> args = new ArrayList<>(List.of(workDir(runDir).toString(), Integer.toString(writes)));
        args.addAll(List.of(options));
        return SparkSubmitRun.app(ScriptedWritesApp.class.getName())
                .workingDir(runDir)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .args(args.toArray(String[]::new));
    }

    static Path workDir(Path runDir) {
        return runDir.toAbsolutePath().resolve("work");
    }

    static Set<DatasetRef> inputs(Path runDir, String ns) {
        return Set.of(fsPath(SampleEtl.localUri(ScriptedWritesApp.landing(workDir(runDir))) + "@" + ns));
    }

    /** The outputs of writes 1..{@code writes}. */
    static Set<DatasetRef> outputs(Path runDir, int writes, String ns) {
        Set<DatasetRef> outputs = new LinkedHashSet<>();
        for (int i = 1; i <= writes; i++) {
            outputs.add(fsPath(SampleEtl.localUri(ScriptedWritesApp.output(workDir(runDir), i)) + "@" + ns));
        }
        return outputs;
    }

    /**
     * Checks the distinct messages of one run, in the order they were sent, and returns the spark_process
     * qualifiedName: {@code writes} messages, each valid for Atlas and Purview, one process, executions in order,
     * outputs growing by the write's own output each time.
     */
    static String assertLineage(List<JsonNode> distinctMessages, Path runDir, int writes, String ns) {
        assertEquals(writes, distinctMessages.size(), () -> "one message per write: " + distinctMessages);
        List<ProcessView> processes = new ArrayList<>();
        for (JsonNode message : distinctMessages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            processes.add(HookMessages.onlyProcess(message));
        }
        String processName = processes.get(0).qualifiedName();
        for (int i = 0; i < writes; i++) {
            ProcessView process = processes.get(i);
            int write = i + 1;
            assertEquals(processName, process.qualifiedName(), "one spark_process per application");
            assertEquals(inputs(runDir, ns), process.inputs(), () -> "inputs after write " + write);
            assertEquals(outputs(runDir, write, ns), process.outputs(), () -> "outputs after write " + write);
            if (i > 0) {
                long previous = processes.get(i - 1).executionId();
                assertTrue(process.executionId() > previous, () -> "write " + write + " reports execution "
                        + process.executionId() + ", not after the previous one's " + previous);
            }
        }
        return processName;
    }

    /**
     * Like {@link #assertLineage}, for a run whose sender was behind (the broker down or refusing): a state of the
     * application's process that a newer one superseded is never sent, so the distinct messages are states after
     * some of the writes, in order, the last one after write {@code writes}; each names the landing CSV and exactly
     * the outputs so far. Returns the spark_process qualifiedName.
     */
    static String assertStates(List<JsonNode> distinctMessages, Path runDir, int writes, String ns) {
        assertTrue(!distinctMessages.isEmpty(), "at least the state after the last write");
        String processName = HookMessages.onlyProcess(distinctMessages.get(0)).qualifiedName();
        int previousWrite = 0;
        for (JsonNode message : distinctMessages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            ProcessView process = HookMessages.onlyProcess(message);
            int write = process.outputs().size();
            assertTrue(write > previousWrite, () -> "states in the order of the writes, none twice: "
                    + distinctMessages);
            assertEquals(processName, process.qualifiedName(), "one spark_process per application");
            assertEquals(inputs(runDir, ns), process.inputs(), () -> "inputs after write " + write);
            assertEquals(outputs(runDir, write, ns), process.outputs(), () -> "outputs after write " + write);
            previousWrite = write;
        }
        assertEquals(writes, previousWrite, "the last state is the one after the last write");
        return processName;
    }

    /**
     * The messages in the order they were first sent, repeats left out: Kafka delivery is at least once, and a
     * message sent again after a lost acknowledgement is the same message (same entities, same execution).
     */
    static List<JsonNode> withoutRepeats(List<JsonNode> messages) {
        return new ArrayList<>(new LinkedHashSet<>(messages));
    }

    /**
     * What Atlas would make of all the messages, repeats included: every entity named anywhere is named by one of
     * the applications' last messages (whose spark_process carries the whole application). A repeat that named
     * another qualifiedName would make Atlas create an entity that is not there.
     */
    static void assertNoOtherEntities(List<JsonNode> allMessages, List<JsonNode> lastMessagePerApplication) {
        Set<String> expected = new TreeSet<>();
        lastMessagePerApplication.forEach(m -> expected.addAll(HookMessages.entityNames(m)));
        Set<String> named = new TreeSet<>();
        allMessages.forEach(m -> named.addAll(HookMessages.entityNames(m)));
        assertEquals(expected, named, "distinct (typeName, qualifiedName) of all entities received");
    }
}
