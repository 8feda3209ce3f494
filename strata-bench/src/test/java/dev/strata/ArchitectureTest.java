package dev.strata;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure of all main code (core, server, bench: this module sees every other one): packages form
 * a DAG, and the seams the layering promises hold. Checked on the compiled classes, so fully qualified
 * references count as much as imports.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.strata");
    }

    @Test
    void packages_formADirectedAcyclicGraph() {
        slices().matching("dev.strata.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void model_isALeaf() {
        noClasses()
                .that()
                .resideInAPackage("dev.strata.model..")
                .should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("dev.strata.model..", "java..")
                .check(main);
    }

    @Test
    void tiers_dependOnlyOnTheModel() {
        noClasses()
                .that()
                .resideInAPackage("dev.strata.tier..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.strata.store..",
                        "dev.strata.codec..",
                        "dev.strata.lifecycle..",
                        "dev.strata.server..",
                        "dev.strata.bench..")
                .check(main);
    }

    @Test
    void metadata_neverBuildsContentKeys() {
        noClasses()
                .that()
                .resideInAPackage("dev.strata.tier.metadata..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.strata.tier.content..")
                .check(main);
    }

    @Test
    void core_neverReachesIntoTheServerOrTheBench() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.strata.server..", "dev.strata.bench..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.strata.server..", "dev.strata.bench..")
                .check(main);
    }
}
