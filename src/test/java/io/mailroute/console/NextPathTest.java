package io.mailroute.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NextPathTest {

    @ParameterizedTest(name = "next={0} -> local {1}")
    @CsvSource(delimiter = '|', value = {
        "/console/items?queue=finance&state=NEW | true",
        "/console/ | true",
        "/ | true",
        "/p/approvals/decide?t=abc | true",
        "https://evil.example | false",
        "http://evil.example/console/ | false",
        "//evil.example | false",
        "//evil.example/console/ | false",
        "/\\evil.example | false",
        "/console\\..\\evil | false",
        "javascript:alert(1) | false",
        "console/items | false",
        "/console/%0d%0aSet-Cookie:x | true",  // still escaped: the Location header carries %0d%0a, not a line break
        "'' | false",
    })
    void onlyLocalPathsAreFollowed(String next, boolean local) {
        assertEquals(local, NextPath.isLocal(next));
        assertEquals(local ? next : NextPath.DEFAULT, NextPath.orDefault(next));
    }

    @org.junit.jupiter.api.Test
    void controlCharactersAndMissingValuesAreRefused() {
        assertEquals(false, NextPath.isLocal("/console/\r\nSet-Cookie: x=1"));
        assertEquals(false, NextPath.isLocal("/\t/evil.example"));
        assertEquals(false, NextPath.isLocal(null));
        assertEquals(NextPath.DEFAULT, NextPath.orDefault(null));
    }
}
