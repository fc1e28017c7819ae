package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.TableDataset;
import java.net.URI;

/**
 * What a DSv2 CREATE/REPLACE TABLE ... AS SELECT says of the table it makes, which exists only once the command
 * ran: its columns are the query's, its provider and any LOCATION are in the command's table spec. (The insert
 * the command runs nested names the new table with everything, but the command's own lineage supersedes it.)
 */
final class CreatedTables {
  private CreatedTables() {
  }

  static TableDataset describe(TableDataset.Builder table, Object command, Object query, CaptureContext context) {
    Object spec = Reflect.get(command, "tableSpec");
    String location = Reflect.string(Reflect.get(spec, "location"));
    table.columns(TableReader.columns(Reflect.get(query, "schema"), context))
        .provider(Reflect.string(Reflect.get(spec, "provider")));
    if (location != null) {
      try {
        table.location(URI.create(location));
      } catch (IllegalArgumentException e) {
        // A location that is not a URI is left out rather than guessed.
      }
    }
    return table.build();
  }
}
