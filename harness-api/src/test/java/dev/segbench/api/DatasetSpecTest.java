package dev.segbench.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each provider's own options: parsed from the spec's query, merged with the flags' ones, unknown keys refused. */
class DatasetSpecTest {

    /** Records what it was opened with; takes "split" and "aug-labels". */
    private static final class Recording implements DatasetProvider {
        String location;
        DatasetOptions options;

        @Override
        public String scheme() {
            return "rec";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public Set<String> parameterKeys() {
            return Set.of("split", "aug-labels");
        }

        @Override
        public Dataset open(String location, DatasetOptions options) {
            this.location = location;
            this.options = options;
            return null;
        }
    }

    @Test
    void theQueryIsTheProvidersOptionsAndWinsOverTheFlags() throws Exception {
        DatasetSpec spec = DatasetSpec.parse("rec:/data/VOC dev?split=train&aug-labels=true");
        assertEquals("rec", spec.scheme());
        assertEquals("/data/VOC dev", spec.location());
        Recording p = new Recording();
        spec.open(p, DatasetOptions.defaults().withLimit(3).with("split", "val"));
        assertEquals("/data/VOC dev", p.location);
        assertEquals(Map.of("split", "train", "aug-labels", "true"), p.options.parameters());
        assertEquals(3, p.options.limit());
        assertEquals(new DatasetSpec("synthetic", "", Map.of()), DatasetSpec.parse("synthetic"));
    }

    /** A spec made in code (calibration's "synthetic:N") prints as text that parses back to it. */
    @Test
    void printedSpecParsesBack() throws Exception {
        DatasetSpec spec = DatasetSpec.parse("synthetic?size=64x32&seed=7").withLocation("16");
        assertEquals("synthetic:16?seed=7&size=64x32", spec.toString());
        assertEquals(spec, DatasetSpec.parse(spec.toString()));
        assertEquals("voc:/data/VOC dev", DatasetSpec.parse("voc:/data/VOC dev").toString());
    }

    @Test
    void aKeyTheProviderDoesNotDeclareIsRefusedInOneLine() throws Exception {
        Recording p = new Recording();
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetSpec.parse("rec:/x?seed=3").open(p, DatasetOptions.defaults()));
        assertEquals("dataset rec: unknown option 'seed' (it takes aug-labels, split)", e.getMessage());
        // a flag's parameter is checked the same way
        e = assertThrows(DatasetException.class, () -> DatasetSpec.parse("rec:/x").open(p,
                DatasetOptions.defaults().with("size", "8x8")));
        assertEquals("dataset rec: unknown option 'size' (it takes aug-labels, split)", e.getMessage());
        assertEquals(null, p.options, "nothing was opened");
    }

    @Test
    void malformedQueriesAreRefusedNamingTheSpec() {
        assertEquals("rec:/x?split: 'split' is not key=value (options follow '?', joined by '&')",
                assertThrows(DatasetException.class, () -> DatasetSpec.parse("rec:/x?split")).getMessage());
        assertEquals("rec:/x?split=a&split=b: option 'split' given twice",
                assertThrows(DatasetException.class, () -> DatasetSpec.parse("rec:/x?split=a&split=b")).getMessage());
        assertEquals(List.of(), DatasetOptions.defaults().ids());
    }
}
