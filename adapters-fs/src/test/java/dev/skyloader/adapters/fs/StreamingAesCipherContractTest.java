package dev.skyloader.adapters.fs;

import dev.skyloader.application.contract.AbstractCipherTest;
import dev.skyloader.application.port.out.Cipher;

class StreamingAesCipherContractTest extends AbstractCipherTest {
    @Override
    protected Cipher cipher() {
        return new StreamingAesCipher();
    }
}
