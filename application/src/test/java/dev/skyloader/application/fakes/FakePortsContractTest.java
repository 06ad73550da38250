package dev.skyloader.application.fakes;

import dev.skyloader.application.contract.AbstractDigestTest;
import dev.skyloader.application.contract.AbstractLocksTest;
import dev.skyloader.application.contract.AbstractSleeperTest;
import dev.skyloader.application.port.out.Digest;
import dev.skyloader.application.port.out.Locks;
import dev.skyloader.application.port.out.Sleeper;
import org.junit.jupiter.api.Nested;

/** The fakes of the locks, the sleeper and the digest keep the contracts of the real adapters. */
class FakePortsContractTest {
    @Nested
    class LocksContract extends AbstractLocksTest {
        @Override
        protected Locks createLocks() {
            return new InMemoryLocks();
        }
    }

    @Nested
    class SleeperContract extends AbstractSleeperTest {
        private final FakeClock clock = new FakeClock();

        @Override
        protected Sleeper createSleeper() {
            return new RecordingSleeper(clock);
        }

        @Override
        protected boolean blocksWhileWaiting() {
            return false;
        }
    }

    @Nested
    class DigestContract extends AbstractDigestTest {
        @Override
        protected Digest createDigest() {
            return new Sha256Digest();
        }
    }
}
