package dev.skyloader.adapters.fs;

import dev.skyloader.application.contract.AbstractCipherTest;
import dev.skyloader.application.port.out.Cipher;

class StreamingAesCipherContractTest extends AbstractCipherTest {
    @Override
    protected Cipher cipher() {
        return new StreamingAesCipher(new java.util.Random(11)); // repeatable IVs: see the wrong-key case
    }
}
