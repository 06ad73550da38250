package dev.skyloader.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layering of the design card, checked on the compiled classes of every module (tests left out). */
@AnalyzeClasses(packages = "dev.skyloader",
        importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.DoNotIncludeTestJars.class})
class ArchitectureTest {
    /** The modules' test-jars (fakes, the test server) reach this classpath as jars, not as test-classes folders. */
    static final class DoNotIncludeTestJars implements ImportOption {
        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule dependencies_point_inward_from_adapters_to_application_to_domain = onionArchitecture()
            .domainModels("dev.skyloader.domain..")
            .applicationServices("dev.skyloader.application..")
            .adapter("http", "dev.skyloader.adapters.http..")
            .adapter("s3", "dev.skyloader.adapters.s3..")
            .adapter("fs", "dev.skyloader.adapters.fs..")
            // There are no domain services (yet): the domain is models only.
            .withOptionalLayers(true)
            // Bootstrap is the composition root: it may see everything, and nothing may see it (rule below).
            .ignoreDependency(resideInAPackage("dev.skyloader.bootstrap.."), alwaysTrue());

    @ArchTest
    static final ArchRule nothing_depends_on_bootstrap = noClasses()
            .that().resideOutsideOfPackage("dev.skyloader.bootstrap..")
            .should().dependOnClassesThat().resideInAPackage("dev.skyloader.bootstrap..");

    @ArchTest
    static final ArchRule the_domain_uses_nothing_but_the_core_jdk = classes()
            .that().resideInAPackage("dev.skyloader.domain..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("dev.skyloader.domain..", "java.lang..", "java.util..", "java.time..", "java.math..");

    @ArchTest
    static final ArchRule the_application_has_no_frameworks_no_network_and_no_file_system = noClasses()
            .that().resideInAPackage("dev.skyloader.application..")
            .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "jakarta.inject..",
                    "javax.inject..", "com.fasterxml.jackson..", "software.amazon..", "java.net.http..",
                    "java.nio.file..", "java.net..", "picocli..", "org.bouncycastle..", "javax.crypto..");

    @ArchTest
    static final ArchRule incoming_ports_do_not_use_outgoing_ports = noClasses()
            .that().resideInAPackage("dev.skyloader.application.port.in..")
            .should().dependOnClassesThat().resideInAPackage("dev.skyloader.application.port.out..");

    @ArchTest
    static final ArchRule outgoing_ports_do_not_use_incoming_ports = noClasses()
            .that().resideInAPackage("dev.skyloader.application.port.out..")
            .should().dependOnClassesThat().resideInAPackage("dev.skyloader.application.port.in..");

    @ArchTest
    static final ArchRule ports_do_not_know_the_services = noClasses()
            .that().resideInAPackage("dev.skyloader.application.port..")
            .should().dependOnClassesThat().resideInAPackage("dev.skyloader.application.service..");

    @ArchTest
    static final ArchRule packages_are_free_of_cycles = slices().matching("dev.skyloader.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule nothing_is_injected_into_fields = noFields()
            .should().beAnnotatedWith(com.google.inject.Inject.class)
            .orShould().beAnnotatedWith(jakarta.inject.Inject.class);

    @ArchTest
    static final ArchRule adapters_show_only_their_module_and_settings = classes()
            .that().resideInAPackage("dev.skyloader.adapters..").and().arePublic().and().areTopLevelClasses()
            .should().haveSimpleNameEndingWith("Module").orShould().haveSimpleNameEndingWith("Settings");

    @ArchTest
    static final ArchRule jackson_stays_out_of_the_domain_and_the_ports = noClasses()
            .that().resideInAnyPackage("dev.skyloader.domain..", "dev.skyloader.application..")
            .should().beAnnotatedWith("com.fasterxml.jackson.annotation.JsonProperty");
}
