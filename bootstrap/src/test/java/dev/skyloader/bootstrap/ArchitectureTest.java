package dev.skyloader.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.conditions.ArchConditions.callMethodWhere;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The layering of the design card, and coding rules in the style of ArchUnit's {@code GeneralCodingRules}, checked on
 * the compiled classes of every module (tests left out).
 */
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

    /** Bootstrap is two packages: the composition root, and the command line that drives what it builds. */
    @ArchTest
    static final ArchRule the_wiring_knows_nothing_of_the_command_line = noClasses()
            .that().resideInAPackage("dev.skyloader.bootstrap.wiring..")
            .should().dependOnClassesThat().resideInAPackage("dev.skyloader.bootstrap.cli..");

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

    // ---- Coding rules ----

    /** The entry class: the only place that may end the JVM, and only from its main method. */
    private static final String ENTRY_CLASS = "dev.skyloader.bootstrap.Main";

    /** Where the real clock and real sleeping live; everything else takes a Clock and a Sleeper, so tests can fake them. */
    private static final Set<String> CLOCK_AND_SLEEPER_ADAPTERS = Set.of(
            // builds the system Clock that everything else is given
            "dev.skyloader.bootstrap.wiring.ApplicationModule",
            // the real Sleeper: sleeps, and stamps its kick file with the time
            "dev.skyloader.adapters.fs.KickFileSleeper");

    /** {@code Instant.now()}, {@code LocalDateTime.now(zone)}, ... (any {@code now} that is not given a Clock). */
    private static final DescribedPredicate<JavaMethodCall> A_NOW_WITHOUT_A_CLOCK = DescribedPredicate.describe(
            "now() of java.time without a Clock", call -> call.getTarget().getOwner().getPackageName().equals("java.time")
                    && call.getTarget().getName().equals("now")
                    && !call.getTarget().getRawParameterTypes().stream().anyMatch(type -> type.isAssignableTo(Clock.class)));

    private static final DescribedPredicate<JavaMethodCall> A_SYSTEM_CLOCK = DescribedPredicate.describe(
            "Clock.system*()", call -> call.getTarget().getOwner().isEquivalentTo(Clock.class)
                    && call.getTarget().getName().startsWith("system"));

    private static final DescribedPredicate<JavaMethodCall> CURRENT_TIME_MILLIS = DescribedPredicate.describe(
            "System.currentTimeMillis()", call -> call.getTarget().getOwner().isEquivalentTo(System.class)
                    && call.getTarget().getName().equals("currentTimeMillis"));

    private static final DescribedPredicate<JavaMethodCall> A_SLEEP = DescribedPredicate.describe(
            "Thread.sleep or TimeUnit.sleep", call -> (call.getTarget().getOwner().isEquivalentTo(Thread.class)
                    || call.getTarget().getOwner().isEquivalentTo(TimeUnit.class))
                    && call.getTarget().getName().equals("sleep"));

    /** Wall-clock reads (System.nanoTime, a monotonic timer for elapsed time, is no wall clock and stays allowed). */
    static final ArchCondition<JavaClass> READ_THE_WALL_CLOCK = callMethodWhere(
            A_NOW_WITHOUT_A_CLOCK.or(A_SYSTEM_CLOCK).or(CURRENT_TIME_MILLIS)).as("read the wall clock");

    static final ArchCondition<JavaClass> SLEEP = callMethodWhere(A_SLEEP).as("sleep");

    static final ArchCondition<JavaClass> PRINT_STACK_TRACES = callMethodWhere(DescribedPredicate.describe(
            "Throwable.printStackTrace", call -> call.getTarget().getOwner().isAssignableTo(Throwable.class)
                    && call.getTarget().getName().equals("printStackTrace"))).as("print stack traces");

    static final ArchCondition<JavaClass> EXIT_THE_JVM_OUTSIDE_MAIN = callMethodWhere(DescribedPredicate.describe(
            "System.exit or Runtime.exit/halt outside " + ENTRY_CLASS + " (its main, and its stop on a signal)",
            call -> isExit(call) && !call.getOriginOwner().getName().equals(ENTRY_CLASS)))
            .as("exit the JVM outside Main");

    private static boolean isExit(JavaMethodCall call) {
        String name = call.getTarget().getName();
        return (call.getTarget().getOwner().isEquivalentTo(System.class) && name.equals("exit"))
                || (call.getTarget().getOwner().isEquivalentTo(Runtime.class) && (name.equals("exit") || name.equals("halt")));
    }

    private static final DescribedPredicate<JavaClass> ARE_NOT_CLOCK_OR_SLEEPER_ADAPTERS = DescribedPredicate.describe(
            "are not clock or sleeper adapters", type -> !CLOCK_AND_SLEEPER_ADAPTERS.contains(type.getName()));

    @ArchTest
    static final ArchRule only_the_clock_and_sleeper_adapters_read_the_wall_clock = noClasses()
            .that(ARE_NOT_CLOCK_OR_SLEEPER_ADAPTERS)
            .should(READ_THE_WALL_CLOCK);

    /** {@code skyloader demo} stands in for a far CDN: its server sends at a real rate, on its own threads. */
    private static final String DEMO_SERVER = "dev.skyloader.bootstrap.cli.DemoCommand";

    @ArchTest
    static final ArchRule only_the_clock_and_sleeper_adapters_sleep = noClasses()
            .that(ARE_NOT_CLOCK_OR_SLEEPER_ADAPTERS)
            .and(DescribedPredicate.describe("are not the demo's stand-in server",
                    (JavaClass type) -> !type.getName().equals(DEMO_SERVER)))
            .should(SLEEP);

    @ArchTest
    static final ArchRule nothing_prints_stack_traces = noClasses().should(PRINT_STACK_TRACES);

    @ArchTest
    static final ArchRule only_main_ends_the_jvm = noClasses().should(EXIT_THE_JVM_OUTSIDE_MAIN);

    /** The exemptions above name classes by string: a renamed or deleted one must not leave a stale hole. */
    @ArchTest
    static void the_exempted_classes_exist(JavaClasses classes) {
        for (String name : CLOCK_AND_SLEEPER_ADAPTERS) {
            assertTrue(classes.contain(name), name + " is exempted but does not exist");
        }
        assertTrue(classes.contain(ENTRY_CLASS), ENTRY_CLASS + " does not exist");
    }
}
