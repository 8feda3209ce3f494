package dev.strata.tier.metadata;

import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.metadata.jdbc.Database;

class PostgresMetadataTierTest extends AbstractMetadataTierContractTest {
    private String schema;

    @Override
    protected Database openDatabase() {
        schema = TestServices.uniqueName("metadata");
        return TestDatabases.postgres(schema);
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }
}
