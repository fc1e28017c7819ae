package io.github.sparkatlas.atlasrules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Test support: Microsoft Purview's built-in types as the project records them ({@code src/test/resources/purview-types},
 * every {@code *.json} file of it; see the README there), loaded next to Atlas 2.4.0's models into Atlas's own type
 * registry, so that a Purview-mode message is held to the same checks as every other one.
 */
public final class PurviewTypes {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String FOLDER = "9000-Purview";
    private static Path modelsDir;

    private PurviewTypes() {
    }

    /** The folder of Purview type files carried in the test resources. */
    public static Path typesDir() {
        URL url = PurviewTypes.class.getResource("/purview-types");
        if (url == null) {
            throw new IllegalStateException("no test resource purview-types");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every typedef file of the folder, in name order. */
    public static List<Path> typeFiles() {
        try (Stream<Path> files = Files.list(typesDir())) {
            List<Path> out = new ArrayList<>();
            files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entity type names the files declare. */
    public static Set<String> entityTypeNames() {
        Set<String> names = new TreeSet<>();
        for (Path file : typeFiles()) {
            for (JsonNode def : read(file).path("entityDefs")) {
                names.add(def.path("name").asText());
            }
        }
        return names;
    }

    /** Atlas 2.4.0's models with Purview's types loaded after them, as one more models folder. */
    public static synchronized AtlasTypeSystem atlasWithPurview() {
        if (modelsDir == null) {
            modelsDir = copyModels();
        }
        return AtlasTypeSystem.load(modelsDir);
    }

    private static Path copyModels() {
        try {
            Path source = AtlasTypeSystem.modelsDir("2.4.0");
            Path target = Path.of(System.getProperty("build.dir", "target"), "purview-models");
            if (Files.exists(target)) {
                try (Stream<Path> old = Files.walk(target)) {
                    old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path to = target.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Path purview = Files.createDirectories(target.resolve(FOLDER));
            for (Path file : typeFiles()) {
                Files.copy(file, purview.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Purview-mode message: valid for Atlas 2.4.0's models plus Purview's recorded types (Atlas's own validation
     * and our checks), and, its Purview-typed entities aside, within the spark model Purview users post (Atlas
     * 2.1.0-rc3's file, no server patches).
     */
    public static void assertValidForPurview(JsonNode message) {
        AtlasTypeSystem types = atlasWithPurview();
        assertEquals(List.of(), types.fileFailures(), "Purview type files Atlas's registry refused");
        assertEquals(List.of(), types.validate(message), () -> "violations in " + message);
        Set<String> purviewTypes = entityTypeNames();
        List<String> older = new ArrayList<>();
        for (String violation : AtlasTypeSystem.atlas240().validateAgainstOlderModel(
                withoutEntitiesOf(message, purviewTypes), AtlasTypeSystem.sparkModel210rc3())) {
            // References to Purview's own types are fine: Purview defines them.
            if (purviewTypes.stream().noneMatch(type -> violation.contains("reference to type " + type + " "))) {
                older.add(violation);
            }
        }
        assertEquals(List.of(), older, () -> "not in Purview's spark model (2.1.0-rc3): " + message);
    }

    private static JsonNode withoutEntitiesOf(JsonNode message, Set<String> typeNames) {
        ObjectNode copy = message.deepCopy();
        JsonNode body = copy.path("entities");
        for (JsonNode list : List.of(body.path("entities"), body.path("referredEntities"))) {
            for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
                if (typeNames.contains(it.next().path("typeName").asText())) {
                    it.remove();
                }
            }
        }
        return copy;
    }

    private static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
