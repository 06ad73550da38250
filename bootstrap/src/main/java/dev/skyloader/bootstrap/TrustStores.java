package dev.skyloader.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/** {@code --ca-cert PEM}: read once, shared by the HTTP and the S3 source. */
final class TrustStores {
    private TrustStores() {
    }

    static KeyStore fromPem(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new BadInputException("--ca-cert: no certificate in " + pem);
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return store;
        } catch (IOException e) {
            throw new BadInputException("--ca-cert: cannot read " + pem + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new BadInputException("--ca-cert: not a PEM certificate: " + pem + " ("
                    + Skyloader.firstLine(e.getMessage()) + ")");
        }
    }
}
