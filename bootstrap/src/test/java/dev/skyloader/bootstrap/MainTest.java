package dev.skyloader.bootstrap;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void tlsIsWarmedUpForHttpsAndS3UrlsInAnyArgumentAndNotForPlainHttp() {
        for (String tls : new String[] {"https://cdn.example/a", "HTTPS://CDN.EXAMPLE/A", "s3://bucket/key",
                "--mirror=https://m.example/a", "--delta-index=s3://b/k.zsync"}) {
            assertTrue(Main.mayUseTls(tls), tls);
        }
        for (String plain : new String[] {"http://cdn.example/a", "get", "--sha256", "/data/https", "model.s3"}) {
            assertFalse(Main.mayUseTls(plain), plain);
        }
    }
}
