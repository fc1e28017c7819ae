package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged agent jar carries the licence terms of every library it bundles, and nothing in it can take over a
 * host's own lookups: no service registration, class or resource outside our own names. Runs after {@code package};
 * reads the jar only (no Spark, no broker).
 */
class AgentJarContentsEndToEndTest {
    private static JarFile agentJar() throws IOException {
        String path = System.getProperty("agent.jar");
        assertNotNull(path, "agent.jar system property");
        return new JarFile(path);
    }

    private static String text(JarFile jar, String name) throws IOException {
        ZipEntry entry = jar.getEntry(name);
        assertNotNull(entry, name + " is in the agent jar");
        try (InputStream in = jar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyBundledLibraryTravelsWithTheLicenceWeUseItUnder() throws IOException {
        try (JarFile jar = agentJar()) {
            assertTrue(text(jar, "LICENSE").contains("Apache License"), "Kafka client's LICENSE");
            assertTrue(text(jar, "NOTICE").contains("Apache Kafka"), "Kafka client's NOTICE");
            assertTrue(text(jar, "META-INF/NOTICE").contains("Jackson"), "Jackson's NOTICE");
            String jsqlparser = text(jar, "META-INF/JSqlParser-LICENSE");
            assertTrue(jsqlparser.contains("JSqlParser 4.9"), jsqlparser);
            assertTrue(jsqlparser.contains("under the Apache License, Version 2.0"), jsqlparser);
            assertTrue(jsqlparser.contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION"), jsqlparser);
        }
    }

    @Test
    void nothingInTheJarCanHijackTheHostsLookups() throws IOException {
        List<String> foreign = new ArrayList<>();
        try (JarFile jar = agentJar()) {
            for (ZipEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                boolean ours = name.startsWith("io/github/sparkatlas/") || name.equals("io/")
                        || name.equals("io/github/")
                        || name.startsWith("META-INF/") && !name.startsWith("META-INF/services/")
                        || name.startsWith("META-INF/services/io.github.sparkatlas.shaded.")
                        || name.equals("META-INF/services/")
                        || name.equals("LICENSE") || name.equals("NOTICE")
                        || name.equals("spark-atlas-agent.properties")
                        // Kafka client's own message schemas and version, read through its relocated classes.
                        || name.startsWith("common/message/") || name.equals("common/") || name.startsWith("kafka/");
                if (!ours) {
                    foreign.add(name);
                }
            }
        }
        assertEquals(List.of(), foreign);
    }
}
