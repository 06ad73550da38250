package dev.skyloader.application.fakes;

import dev.skyloader.application.contract.AbstractCipherTest;
import dev.skyloader.application.port.out.Cipher;

/** The service tests' cipher keeps the real cipher's contract, or the service tests would prove nothing. */
class XorCipherContractTest extends AbstractCipherTest {
    @Override
    protected Cipher cipher() {
        return new XorCipher();
    }
}
